import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';
import type { ChatCompletionMessageParam, ResponseFormatJSONSchema } from 'openai/resources';
import type { CustomerEvent } from '../../../machines/events.ts';
import type { StaffEvent } from '../../../machines/staff.events.ts';
import { log } from '../../log.ts';
import type { Interpreter } from '../port.ts';
import type { Situation } from '../rules/index.ts';
import type { StaffSituation } from '../staff-rules.ts';
import { type CheckedAnswer, checkAnswer, MalformedAnswer } from './answer.ts';
import { type BreakerOptions, CircuitBreaker } from './breaker.ts';
import { LLM_TIMEOUT_MS } from './defaults.ts';
import { FAILURES, LlmMetrics, type LlmOutcome } from './metrics.ts';
import { promptMessages } from './prompt.ts';
import { responseFormatFor } from './schema.ts';
import { checkStaffAnswer, staffPromptMessages, staffResponseFormat } from './staff.ts';

/** Enough for a handful of events; a longer answer is a confused model, and it costs. */
export const MAX_ANSWER_TOKENS = 400;

/** One OpenAI-compatible endpoint (xAI, OpenAI, a local llama.cpp or Ollama). */
export interface LlmProvider {
  /** Names the provider in logs and metrics ("primary", "fallback"). */
  name: string;
  baseURL: string;
  apiKey: string;
  model: string;
}

export interface LlmInterpreterOptions {
  /** Asked in order; the next one only when the previous one failed. */
  providers: LlmProvider[];
  /** How long one provider may take, headers and body together. */
  timeoutMs?: number;
  /** How long one message's reading may take across all providers; default: `timeoutMs` per provider. */
  budgetMs?: number;
  breaker?: BreakerOptions;
  metrics?: LlmMetrics;
}

interface Attempt<E> {
  outcome: LlmOutcome;
  events: E[];
  dropped?: CheckedAnswer['droppedBy'];
  status?: number;
}

/** One reading to ask for: the prompt, the answer's schema, and how the answer is checked. */
interface Question<E> {
  messages: ChatCompletionMessageParam[];
  responseFormat: ResponseFormatJSONSchema;
  check(content: string): CheckedAnswer<E>;
}

/**
 * Reads a message with an LLM, asking each provider in turn until one answers: a customer's
 * (`interpret`) or a staff member's (`interpretStaff`). The model only ever chooses among the
 * events the current state accepts; its answer is checked event by event
 * and never shown to the customer. When every provider fails the answer is [] and the engine asks
 * the customer again: the conversation never waits on a model.
 *
 * @example
 * const llm = new LlmInterpreter({ providers: [{ name: 'primary', baseURL, apiKey, model }] });
 * const events = await llm.interpret('un corte mañana a las 5', situation);
 */
export class LlmInterpreter implements Interpreter {
  readonly metrics: LlmMetrics;
  readonly #providers: { provider: LlmProvider; client: OpenAI; breaker: CircuitBreaker }[];
  readonly #timeoutMs: number;
  readonly #budgetMs: number;

  constructor(options: LlmInterpreterOptions) {
    const timeout = options.timeoutMs ?? LLM_TIMEOUT_MS;
    this.#timeoutMs = timeout;
    this.#budgetMs = options.budgetMs ?? timeout * Math.max(1, options.providers.length);
    this.metrics = options.metrics ?? new LlmMetrics();
    this.#providers = options.providers.map((provider) => ({
      provider,
      // No SDK retries: falling back to the next provider is faster than retrying a slow one.
      client: new OpenAI({ baseURL: provider.baseURL, apiKey: provider.apiKey, timeout, maxRetries: 0 }),
      breaker: new CircuitBreaker(options.breaker),
    }));
  }

  async interpret(text: string, situation: Situation): Promise<CustomerEvent[]> {
    return this.#read({
      messages: promptMessages(text, situation),
      responseFormat: responseFormatFor(situation),
      check: (content) => checkAnswer(content, situation),
    });
  }

  /** A staff member's command, read as a customer's message is, through the same providers. */
  async interpretStaff(text: string, situation: StaffSituation): Promise<StaffEvent[]> {
    return this.#read({
      messages: staffPromptMessages(text, situation),
      responseFormat: staffResponseFormat(situation),
      check: (content) => checkStaffAnswer(content, situation),
    });
  }

  async #read<E>(question: Question<E>): Promise<E[]> {
    // The SDK's own timeout ends at the response headers; these signals also cover the body.
    const budget = AbortSignal.timeout(this.#budgetMs);
    for (const { provider, client, breaker } of this.#providers) {
      if (budget.aborted) break;
      if (!breaker.allows()) {
        this.metrics.recordSkip(provider.name);
        log.debug({ event: 'llm.skipped', provider: provider.name, reason: 'breaker open' }, 'llm provider skipped');
        continue;
      }
      const started = Date.now();
      const signal = AbortSignal.any([budget, AbortSignal.timeout(this.#timeoutMs)]);
      const attempt = await ask(client, provider, question, signal);
      this.metrics.recordCall(provider.name, attempt.outcome);
      if (attempt.dropped) this.metrics.recordDropped(attempt.dropped);
      const failed = FAILURES.has(attempt.outcome);
      if (failed) breaker.failed();
      else breaker.succeeded();
      // Counts and outcomes only: the message and the model's words never reach the logs.
      log[failed ? 'warn' : 'info'](
        {
          event: 'llm.call',
          provider: provider.name,
          model: provider.model,
          outcome: attempt.outcome,
          status: attempt.status,
          ms: Date.now() - started,
          events: attempt.events.length,
          dropped: attempt.dropped && Object.values(attempt.dropped).reduce((sum, n) => sum + n, 0),
          breaker: breaker.state,
        },
        'llm call',
      );
      if (!failed) return attempt.events;
    }
    this.metrics.recordGaveUp();
    log.warn({ event: 'llm.gave_up', providers: this.#providers.length }, 'no llm provider answered');
    return [];
  }
}

async function ask<E>(
  client: OpenAI,
  provider: LlmProvider,
  question: Question<E>,
  signal: AbortSignal,
): Promise<Attempt<E>> {
  try {
    const completion = await client.chat.completions.create(
      {
        model: provider.model,
        messages: question.messages,
        response_format: question.responseFormat,
        max_completion_tokens: MAX_ANSWER_TOKENS,
      },
      { signal },
    );
    const message = completion.choices?.[0]?.message;
    if (message?.refusal) return { outcome: 'refused', events: [] };
    if (typeof message?.content !== 'string') throw new MalformedAnswer('the answer has no content');
    const { events, droppedBy } = question.check(message.content);
    return { outcome: 'ok', events, dropped: droppedBy };
  } catch (error) {
    // Our own deadline, whether it struck before the headers or while the body trickled in.
    if (signal.aborted) return { outcome: 'timeout', events: [] };
    return { ...failureOf(error), events: [] };
  }
}

function failureOf(error: unknown): { outcome: LlmOutcome; status?: number } {
  // Subclasses first: a timeout is a connection error, which is an API error.
  if (error instanceof APIConnectionTimeoutError) return { outcome: 'timeout' };
  if (error instanceof APIConnectionError) return { outcome: 'unreachable' };
  if (error instanceof APIError) {
    const { status } = error;
    if (status === 429) return { outcome: 'rate_limited', status };
    if (status !== undefined && status >= 500) return { outcome: 'server_error', status };
    return { outcome: 'client_error', status };
  }
  // A MalformedAnswer, or a body the SDK itself could not read.
  return { outcome: 'malformed' };
}
