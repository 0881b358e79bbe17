import { BREAKER_COOLDOWN_SECONDS, BREAKER_FAILURES } from './defaults.ts';

export interface BreakerOptions {
  failures?: number;
  cooldownMs?: number;
  /** Milliseconds since the epoch; tests pass a clock they move by hand. */
  now?: () => number;
}

/**
 * Stops calling a provider that keeps failing, so every customer message does not wait out the
 * same timeout. After the cool-down exactly one trial call is let through (half-open), however
 * many messages arrive meanwhile: success closes the breaker, another failure opens it again for a
 * full cool-down.
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
  /** When the half-open trial call was let through; other calls wait for its outcome. */
  #trialSince: number | undefined;

  constructor(options: BreakerOptions = {}) {
    this.#failures = options.failures ?? BREAKER_FAILURES;
    this.#cooldownMs = options.cooldownMs ?? BREAKER_COOLDOWN_SECONDS * 1000;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Whether the provider may be called now. In the half-open state the first caller gets the trial
   * and must report `succeeded()` or `failed()`; a trial never reported (its caller died) frees the
   * slot for another after one more cool-down.
   */
  allows(): boolean {
    if (this.#openUntil === undefined) return true;
    const now = this.#now();
    if (now < this.#openUntil) return false;
    if (this.#trialSince !== undefined && now < this.#trialSince + this.#cooldownMs) return false;
    this.#trialSince = now;
    return true;
  }

  get state(): 'closed' | 'open' | 'half-open' {
    if (this.#openUntil === undefined) return 'closed';
    return this.#now() >= this.#openUntil ? 'half-open' : 'open';
  }

  succeeded(): void {
    this.#consecutiveFailures = 0;
    this.#openUntil = undefined;
    this.#trialSince = undefined;
  }

  failed(): void {
    this.#consecutiveFailures += 1;
    this.#trialSince = undefined;
    // Only a success resets the count, so a failed trial call after the cool-down re-opens at once.
    if (this.#consecutiveFailures >= this.#failures) this.#openUntil = this.#now() + this.#cooldownMs;
  }
}
