import { BREAKER_COOLDOWN_SECONDS, BREAKER_FAILURES } from './defaults.ts';

export interface BreakerOptions {
  failures?: number;
  cooldownMs?: number;
  /** Milliseconds since the epoch; tests pass a clock they move by hand. */
  now?: () => number;
}

/**
 * Stops calling a provider that keeps failing, so every customer message does not wait out the
 * same timeout. After the cool-down one call is let through: success closes the breaker, another
 * failure opens it again for a full cool-down.
 *
 * @example
 * const breaker = new CircuitBreaker({ failures: 3, cooldownMs: 60_000 });
 * if (breaker.allows()) { ok ? breaker.succeeded() : breaker.failed(); }
 */
export class CircuitBreaker {
  readonly #failures: number;
  readonly #cooldownMs: number;
  readonly #now: () => number;
  #consecutiveFailures = 0;
  #openUntil: number | undefined;

  constructor(options: BreakerOptions = {}) {
    this.#failures = options.failures ?? BREAKER_FAILURES;
    this.#cooldownMs = options.cooldownMs ?? BREAKER_COOLDOWN_SECONDS * 1000;
    this.#now = options.now ?? Date.now;
  }

  /** Whether the provider may be called now. */
  allows(): boolean {
    return this.#openUntil === undefined || this.#now() >= this.#openUntil;
  }

  get state(): 'closed' | 'open' | 'half-open' {
    if (this.#openUntil === undefined) return 'closed';
    return this.allows() ? 'half-open' : 'open';
  }

  succeeded(): void {
    this.#consecutiveFailures = 0;
    this.#openUntil = undefined;
  }

  failed(): void {
    this.#consecutiveFailures += 1;
    // Only a success resets the count, so a failed trial call after the cool-down re-opens at once.
    if (this.#consecutiveFailures >= this.#failures) this.#openUntil = this.#now() + this.#cooldownMs;
  }
}
