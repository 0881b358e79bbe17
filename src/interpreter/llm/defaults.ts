/** xAI's OpenAI-compatible endpoint: the provider cita is tuned for. */
export const DEFAULT_LLM_BASE_URL = 'https://api.x.ai/v1';
/** Grok's fast model without reasoning: reading a short message needs speed, not deliberation. */
export const DEFAULT_LLM_MODEL = 'grok-4-1-fast-non-reasoning';
/** How long one provider may take before the next one is asked, in milliseconds. */
export const LLM_TIMEOUT_MS = 4_000;
/** Consecutive failures after which a provider is left alone for a while. */
export const BREAKER_FAILURES = 3;
/** How long an open breaker keeps a failing provider out, in seconds. */
export const BREAKER_COOLDOWN_SECONDS = 60;
