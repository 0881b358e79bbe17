import { log } from '../../src/log.ts';

/** Meta's default throughput per business phone number: messages per second. */
export const DEFAULT_MAX_PER_SECOND = 80;
/** A number shared with the WhatsApp Business app (coexistence) may send 20 per second. */
export const COEXISTENCE_MAX_PER_SECOND = 20;
/** After "too many messages" (130429, 131056): this share of the rate... */
export const SLOW_FACTOR = 0.25;
/** ...for this long, renewed by every further refusal. */
export const SLOW_FOR_MS = 60_000;

/**
 * Paces outbound messages under WhatsApp's per-number cap. Each send reserves its turn first; the
 * bucket refills at 90% of the cap and holds at most 10% of it, so no one-second window can ever
 * see more than the cap (burst + refill), whatever the timing.
 */
export interface SendPacer {
  /** Reserves one send; resolves with how long to wait before sending it, in ms (0: now). */
  reserve(): Promise<number>;
  /** WhatsApp refused for throughput: send at SLOW_FACTOR of the rate for SLOW_FOR_MS. */
  slowDown(): Promise<void>;
}

/** The bucket's rates for a cap: refill per millisecond and capacity, normal and slowed. */
export function bucketShape(maxPerSecond: number) {
  return {
    perMs: (maxPerSecond * 0.9) / 1000,
    capacity: Math.max(1, maxPerSecond * 0.1),
    slowFactor: SLOW_FACTOR,
  };
}

/**
 * Waits for the pacer's go-ahead. A pacer that cannot answer (Redis down) must not stop replies:
 * Meta's own 130429 still protects the number, and the messenger retries those.
 */
export async function waitForTurn(pacer: SendPacer): Promise<void> {
  let wait = 0;
  try {
    wait = await pacer.reserve();
  } catch (error) {
    log.warn({ event: 'whatsapp.pacing_unavailable', error: String(error) }, 'pacing unavailable; sending unpaced');
  }
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
}

/**
 * The embedded pacer: a token bucket in this process, for a single process without Redis.
 * Reservations may run the bucket below zero; each waits until its token would have refilled,
 * so concurrent senders are served in the order they asked.
 *
 * @example
 * const pacer = new MemorySendPacer({ maxPerSecond: 80 });
 * await waitForTurn(pacer); // then send
 */
export class MemorySendPacer implements SendPacer {
  readonly #shape;
  readonly #now: () => number;
  #tokens: number;
  #updatedAt: number;
  #slowUntil = 0;

  constructor({ maxPerSecond = DEFAULT_MAX_PER_SECOND, now = Date.now } = {}) {
    this.#shape = bucketShape(maxPerSecond);
    this.#now = now;
    this.#tokens = this.#shape.capacity;
    this.#updatedAt = now();
  }

  async reserve(): Promise<number> {
    const now = this.#now();
    const slowed = now < this.#slowUntil;
    const perMs = this.#shape.perMs * (slowed ? this.#shape.slowFactor : 1);
    const capacity = Math.max(1, this.#shape.capacity * (slowed ? this.#shape.slowFactor : 1));
    this.#tokens = Math.min(capacity, this.#tokens + (now - this.#updatedAt) * perMs) - 1;
    this.#updatedAt = now;
    return this.#tokens >= 0 ? 0 : Math.ceil(-this.#tokens / perMs);
  }

  async slowDown(): Promise<void> {
    const now = this.#now();
    this.#slowUntil = Math.max(this.#slowUntil, now + SLOW_FOR_MS);
    // The burst that got refused is over: start from empty.
    this.#tokens = Math.min(this.#tokens, 0);
  }
}
