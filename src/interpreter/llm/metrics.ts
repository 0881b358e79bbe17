import type { DropReason } from './answer.ts';

/** How one attempt to ask a provider ended. */
export type LlmOutcome =
  | 'ok'
  | 'refused'
  | 'timeout'
  | 'rate_limited'
  | 'server_error'
  | 'client_error'
  | 'unreachable'
  | 'malformed';

/** Outcomes that count against a provider's breaker and move on to the next provider. */
export const FAILURES: ReadonlySet<LlmOutcome> = new Set([
  'timeout',
  'rate_limited',
  'server_error',
  'client_error',
  'unreachable',
  'malformed',
]);

export interface LlmCounts {
  /** Calls made, by provider name and outcome. */
  calls: Record<string, Partial<Record<LlmOutcome, number>>>;
  /** Calls not made because the provider's breaker was open, by provider name. */
  skipped: Record<string, number>;
  /** Messages for which no provider gave an answer (the engine re-prompts). */
  gaveUp: number;
  /** Events of the models' answers thrown away, by reason (too many, not allowed, a CONFIRM beside a change…). */
  droppedEvents: Partial<Record<DropReason, number>>;
}

/**
 * Counters of every LLM call, kept in memory so a metrics endpoint can read them later without
 * knowing how the interpreter works.
 */
export class LlmMetrics {
  #calls = new Map<string, Map<LlmOutcome, number>>();
  #skipped = new Map<string, number>();
  #gaveUp = 0;
  #dropped = new Map<DropReason, number>();

  recordCall(provider: string, outcome: LlmOutcome): void {
    const byOutcome = this.#calls.get(provider) ?? new Map<LlmOutcome, number>();
    byOutcome.set(outcome, (byOutcome.get(outcome) ?? 0) + 1);
    this.#calls.set(provider, byOutcome);
  }

  recordSkip(provider: string): void {
    this.#skipped.set(provider, (this.#skipped.get(provider) ?? 0) + 1);
  }

  recordDropped(byReason: Partial<Record<DropReason, number>>): void {
    for (const [reason, count] of Object.entries(byReason) as [DropReason, number][]) {
      this.#dropped.set(reason, (this.#dropped.get(reason) ?? 0) + count);
    }
  }

  recordGaveUp(): void {
    this.#gaveUp += 1;
  }

  /** A plain copy of the counters, safe to serialise. */
  snapshot(): LlmCounts {
    return {
      calls: Object.fromEntries(
        [...this.#calls].map(([provider, byOutcome]) => [provider, Object.fromEntries(byOutcome)]),
      ),
      skipped: Object.fromEntries(this.#skipped),
      gaveUp: this.#gaveUp,
      droppedEvents: Object.fromEntries(this.#dropped),
    };
  }
}
