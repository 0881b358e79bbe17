import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { CalendarUnavailable } from '../../src/engine/ports.ts';
import { log } from '../../src/log.ts';

/**
 * How long cita keeps trying a Google call that failed for a passing reason. The client library
 * retries none of its POSTs (events.insert, freebusy.query), so retrying is ours, for every call
 * alike; inserts are safe to repeat because their id is fixed (a repeat answers 409).
 */
export interface RetryPolicy {
  /** Total time for all attempts and waits, in milliseconds: past it the calendar counts as unavailable. */
  budgetMs: number;
  /** The first wait, in milliseconds; each further wait may be twice as long, up to maxDelayMs. */
  firstDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { budgetMs: 10_000, firstDelayMs: 250, maxDelayMs: 2_000 };

/** The parts of a failed call (a GaxiosError) cita looks at. */
const ApiFailure = z.object({
  status: z.number().optional(),
  code: z.union([z.string(), z.number()]).optional(),
  response: z
    .object({
      status: z.number(),
      data: z
        .object({
          error: z.object({
            message: z.string().optional(),
            errors: z.array(z.object({ reason: z.string().optional() })).optional(),
          }),
        })
        .optional()
        .catch(undefined),
    })
    .optional(),
});

/** The HTTP status of a failed Google call, or undefined when no answer came (timeout, connection lost). */
export function statusOf(error: unknown): number | undefined {
  const parsed = ApiFailure.safeParse(error);
  return parsed.success ? (parsed.data.response?.status ?? parsed.data.status) : undefined;
}

/**
 * Whether trying again may help: no answer at all, 408, 429, 5xx, or the 403 Google uses for rate
 * limits (rateLimitExceeded, userRateLimitExceeded). Other 4xx are permanent.
 */
export function isPassingFailure(error: unknown): boolean {
  const status = statusOf(error);
  if (status === undefined) return true;
  if (status === 408 || status === 429 || status >= 500) return true;
  if (status !== 403) return false;
  const reasons = ApiFailure.safeParse(error).data?.response?.data?.error.errors ?? [];
  return reasons.some((e) => e.reason === 'rateLimitExceeded' || e.reason === 'userRateLimitExceeded');
}

/**
 * Runs `call` until it succeeds, fails for good, or the budget is spent; then throws
 * CalendarUnavailable. Waits grow exponentially with full jitter, so many processes retrying
 * together do not hit Google in step.
 *
 * @example
 * const response = await withRetries('events.insert', () => api.events.insert(params), DEFAULT_RETRY_POLICY);
 */
export async function withRetries<T>(what: string, call: () => Promise<T>, policy: RetryPolicy): Promise<T> {
  const started = performance.now();
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!isPassingFailure(error)) throw error;
      const ceiling = Math.min(policy.maxDelayMs, policy.firstDelayMs * 2 ** attempt);
      const delay = Math.random() * ceiling;
      const failure = describeFailure(error);
      if (performance.now() - started + delay >= policy.budgetMs) {
        log.error({ event: 'google.unavailable', call: what, attempts: attempt + 1, failure });
        // No `cause`: the client's error carries the bearer token and URL (see GoogleApiError).
        throw new CalendarUnavailable(`Google Calendar ${what} failed ${attempt + 1} times: ${failure}`);
      }
      log.warn({ event: 'google.retry', call: what, attempt: attempt + 1, failure, delayMs: Math.round(delay) });
      await sleep(delay);
    }
  }
}

/**
 * What went wrong, from the status, Google's own message and the error code only: the client's
 * message may quote the request URL, whose query can hold a customer's phone number.
 */
export function describeFailure(error: unknown): string {
  const failure = ApiFailure.safeParse(error).data;
  const status = failure?.response?.status ?? failure?.status;
  if (status === undefined) return `no answer (${failure?.code ?? 'network error'})`;
  const message = failure?.response?.data?.error.message;
  return message ? `HTTP ${status}: ${message}` : `HTTP ${status}`;
}
