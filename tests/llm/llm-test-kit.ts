import { afterEach } from 'vitest';
import { LlmInterpreter, type LlmInterpreterOptions } from '../../src/interpreter/llm/index.ts';
import { type FakeOpenAI, startFakeOpenAI } from '../support/fake-openai.ts';

/** Short enough to keep the suite quick, long enough for a local round trip on a loaded machine. */
export const TEST_TIMEOUT_MS = 500;

const running: FakeOpenAI[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((fake) => fake.close()));
});

/** Starts a fake OpenAI-compatible server that is closed after the test. */
export async function fakeProvider(): Promise<FakeOpenAI> {
  const fake = await startFakeOpenAI();
  running.push(fake);
  return fake;
}

/** An LLM interpreter whose providers are the given fakes, in order ("primary", "fallback"). */
export function llmOn(fakes: FakeOpenAI[], options: Partial<LlmInterpreterOptions> = {}): LlmInterpreter {
  const names = ['primary', 'fallback'];
  return new LlmInterpreter({
    providers: fakes.map((fake, i) => ({
      name: names[i] ?? `provider-${i}`,
      baseURL: fake.baseURL,
      apiKey: `key-${i}`,
      model: `model-${i}`,
    })),
    timeoutMs: TEST_TIMEOUT_MS,
    ...options,
  });
}
