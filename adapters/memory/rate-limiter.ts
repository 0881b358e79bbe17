import type { InboundMessage, RateLimiter, RateVerdict } from '../../src/engine/ports.ts';

/** Messages a phone may send within `RATE_WINDOW_MS` before it is asked to slow down. */
export const RATE_LIMIT_MESSAGES = 20;
export const RATE_WINDOW_MS = 10_000;

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

/** Phones tracked before the quiet ones are swept out. */
const REMEMBERED_PHONES = 10_000;

interface PhoneWindow {
  /** When each recent message was first counted, by message id. */
  seen: Map<string, number>;
  /** The message that got the "slow down" reply, and when. */
  warned?: { id: string; at: number };
}

/**
 * The embedded rate limiter: a sliding window per phone in this process. Time is the time the
 * message is handled, not when WhatsApp stamped it: what the limit protects is the work a burst
 * causes (LLM and Calendar calls), and a clock fixed for a demo must not make every message look
 * simultaneous.
 */
export class MemoryRateLimiter implements RateLimiter {
  readonly #options: ReturnType<typeof rateLimitOptions>;
  readonly #phones = new Map<string, PhoneWindow>();

  constructor(options: RateLimitOptions = {}) {
    this.#options = rateLimitOptions(options);
  }

  async check({ id, phone }: Pick<InboundMessage, 'id' | 'phone'>): Promise<RateVerdict> {
    const { limit, windowMs, now } = this.#options;
    const at = now();
    if (this.#phones.size > REMEMBERED_PHONES) this.#forgetQuietPhones(at - windowMs);
    const window: PhoneWindow = this.#phones.get(phone) ?? { seen: new Map() };
    this.#phones.set(phone, window);
    if (!window.seen.has(id)) window.seen.set(id, at);
    for (const [seenId, seenAt] of window.seen) if (seenAt <= at - windowMs) window.seen.delete(seenId);

    if (window.seen.size <= limit) return 'allowed';
    // A redelivered "slow down" message is answered the same way again.
    if (window.warned?.id === id) return 'slowDown';
    if (window.warned && window.warned.at > at - windowMs) return 'dropped';
    window.warned = { id, at };
    return 'slowDown';
  }

  #forgetQuietPhones(before: number) {
    for (const [phone, window] of this.#phones) {
      if (![...window.seen.values()].some((at) => at > before)) this.#phones.delete(phone);
    }
  }
}
