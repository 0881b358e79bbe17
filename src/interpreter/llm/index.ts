import type { Env } from '../../env.ts';
import type { Interpreter } from '../port.ts';
import { readRules } from '../rules/index.ts';
import { layeredInterpreter } from './layered.ts';
import { LlmInterpreter, type LlmProvider } from './llm-interpreter.ts';
import type { LlmMetrics } from './metrics.ts';

export { layeredInterpreter, type RuleReader } from './layered.ts';
export { LlmInterpreter, type LlmInterpreterOptions, type LlmProvider } from './llm-interpreter.ts';
export { type LlmCounts, LlmMetrics, type LlmOutcome } from './metrics.ts';

/** Sent as the key to a fallback server that takes none (llama.cpp, Ollama): the SDK insists on one. */
const NO_KEY = 'none';

/** The providers the environment configures, primary first; [] without LLM_API_KEY. */
export function llmProvidersFromEnv(env: Env): LlmProvider[] {
  if (!env.LLM_API_KEY) return [];
  const providers: LlmProvider[] = [
    { name: 'primary', baseURL: env.LLM_BASE_URL, apiKey: env.LLM_API_KEY, model: env.LLM_MODEL },
  ];
  if (env.LLM_FALLBACK_BASE_URL) {
    providers.push({
      name: 'fallback',
      baseURL: env.LLM_FALLBACK_BASE_URL,
      // Never the primary's key: it would be sent to another company's server.
      apiKey: env.LLM_FALLBACK_API_KEY ?? NO_KEY,
      model: env.LLM_FALLBACK_MODEL ?? env.LLM_MODEL,
    });
  }
  return providers;
}

/**
 * The interpreter the environment asks for: rules then LLM with LLM_API_KEY set, undefined
 * without it (cita keeps its rule interpreter). `metrics` and `around` let the server count and
 * time the LLM's calls.
 */
export function interpreterFromEnv(
  env: Env,
  { metrics, around = (llm) => llm }: { metrics?: LlmMetrics; around?: (llm: Interpreter) => Interpreter } = {},
): (Interpreter & { llm: LlmInterpreter }) | undefined {
  const providers = llmProvidersFromEnv(env);
  if (providers.length === 0) return undefined;
  const llm = new LlmInterpreter({
    providers,
    timeoutMs: env.LLM_TIMEOUT_MS,
    breaker: { failures: env.LLM_BREAKER_FAILURES, cooldownMs: env.LLM_BREAKER_COOLDOWN_SECONDS * 1000 },
    ...(metrics ? { metrics } : {}),
  });
  return { ...layeredInterpreter(readRules, around(llm)), llm };
}
