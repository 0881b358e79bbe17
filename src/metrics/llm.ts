import { AsyncLocalStorage } from 'node:async_hooks';
import type { Env } from '../env.ts';
import { interpreterFromEnv, LlmMetrics, type LlmOutcome } from '../interpreter/llm/index.ts';
import type { Interpreter } from '../interpreter/port.ts';
import type { CitaMetrics } from './registry.ts';

/** When the current provider attempt of one `interpret` call began. */
const attemptStart = new AsyncLocalStorage<{ at: number }>();

/**
 * The LLM interpreter's counters (src/interpreter/llm/metrics.ts), also kept as Prometheus metrics.
 *
 * The interpreter reports each attempt only when it ends, without its duration. Attempts of one
 * `interpret` call run one after another (a provider, then its fallback), so an attempt lasted
 * from the previous report of that call (or the call's start) to its own report; the start is
 * kept per call in AsyncLocalStorage, so calls running side by side for different phones do not
 * mix. Between two attempts only the breaker check and one log line run: microseconds.
 */
export class PrometheusLlmMetrics extends LlmMetrics {
  readonly #metrics: CitaMetrics;

  constructor(metrics: CitaMetrics) {
    super();
    this.#metrics = metrics;
  }

  override recordCall(provider: string, outcome: LlmOutcome): void {
    super.recordCall(provider, outcome);
    const store = attemptStart.getStore();
    const now = performance.now();
    this.#metrics.llmCalls.observe({ provider, outcome }, store ? (now - store.at) / 1000 : 0);
    if (store) store.at = now;
  }

  override recordSkip(provider: string): void {
    super.recordSkip(provider);
    this.#metrics.llmSkipped.inc({ provider });
    const store = attemptStart.getStore();
    if (store) store.at = performance.now();
  }

  override recordDropped(byReason: Parameters<LlmMetrics['recordDropped']>[0]): void {
    super.recordDropped(byReason);
    for (const [reason, count] of Object.entries(byReason)) {
      this.#metrics.llmDroppedEvents.inc({ reason: reason.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`) }, count);
    }
  }

  override recordGaveUp(): void {
    super.recordGaveUp();
    this.#metrics.llmGaveUp.inc();
  }
}

/** Times the LLM's attempts (see PrometheusLlmMetrics): wrap the LLM interpreter, not the rules before it. */
export function timedLlm(llm: Interpreter): Interpreter {
  const timed = <R>(read: () => Promise<R>) => attemptStart.run({ at: performance.now() }, read);
  return {
    interpret: (text, situation) => timed(() => llm.interpret(text, situation)),
    ...(llm.interpretStaff && {
      interpretStaff: (text, situation) => timed(() => llm.interpretStaff!(text, situation)),
    }),
  };
}

/**
 * What `interpreterFromEnv` builds (rules, then the LLM for what they cannot read), with its calls
 * counted and timed in `metrics`; undefined without LLM_API_KEY.
 */
export function meteredInterpreterFromEnv(env: Env, metrics: CitaMetrics) {
  return interpreterFromEnv(env, { metrics: new PrometheusLlmMetrics(metrics), around: timedLlm });
}
