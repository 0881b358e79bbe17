/** Messages a phone may send within `RATE_WINDOW_MS` before it is asked to slow down. */
export const RATE_LIMIT_MESSAGES = 20;
export const RATE_WINDOW_MS = 10_000;

/**
 * How a rate limiter counts. Time is the time the message is handled, not when WhatsApp stamped
 * it: what the limit protects is the work a burst causes (LLM and Calendar calls), and a clock
 * fixed for a demo must not make every message look simultaneous.
 */
export interface RateLimitOptions {
  /** Messages allowed per window. */
  limit?: number;
  windowMs?: number;
  /** Milliseconds since the epoch; tests pass a fake one. */
  now?: () => number;
}

/** The options with their defaults, resolved once. */
export function rateLimitOptions(options: RateLimitOptions = {}) {
  return {
    limit: options.limit ?? RATE_LIMIT_MESSAGES,
    windowMs: options.windowMs ?? RATE_WINDOW_MS,
    now: options.now ?? Date.now,
  };
}
