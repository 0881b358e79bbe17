import { describe, expect, it } from 'vitest';
import { readEnv } from '../../src/env.ts';
import { interpreterFromEnv, llmProvidersFromEnv } from '../../src/interpreter/llm/index.ts';

describe('LLM settings from the environment', () => {
  it('leaves cita on the rule parser without LLM_API_KEY', () => {
    expect(interpreterFromEnv(readEnv({}))).toBeUndefined();
  });

  it("defaults to xAI's fast Grok model", () => {
    expect(llmProvidersFromEnv(readEnv({ LLM_API_KEY: 'xai-key' }))).toEqual([
      { name: 'primary', baseURL: 'https://api.x.ai/v1', apiKey: 'xai-key', model: 'grok-4-1-fast-non-reasoning' },
    ]);
  });

  it("adds a fallback provider that never receives the primary's key", () => {
    const env = readEnv({ LLM_API_KEY: 'xai-key', LLM_FALLBACK_BASE_URL: 'http://localhost:11434/v1' });

    expect(llmProvidersFromEnv(env)[1]).toEqual({
      name: 'fallback',
      baseURL: 'http://localhost:11434/v1',
      apiKey: 'none',
      model: 'grok-4-1-fast-non-reasoning',
    });
  });

  it('builds the layered interpreter with a key', () => {
    const interpreter = interpreterFromEnv(
      readEnv({ LLM_API_KEY: 'k', LLM_BASE_URL: 'https://api.openai.com/v1', LLM_MODEL: 'gpt-4.1-mini' }),
    );
    expect(interpreter?.llm.metrics.snapshot()).toEqual({ calls: {}, skipped: {}, gaveUp: 0, droppedEvents: {} });
  });

  it('rejects a base URL that is not a URL, naming the variable', () => {
    expect(() => readEnv({ LLM_API_KEY: 'k', LLM_BASE_URL: 'api.x.ai' })).toThrow(/LLM_BASE_URL/);
  });
});
