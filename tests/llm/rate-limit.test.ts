import { describe, expect, it } from 'vitest';
import { SqliteRateLimiter } from '../../adapters/sqlite/rate-limiter.ts';
import { layeredInterpreter } from '../../src/interpreter/llm/index.ts';
import { readRules } from '../../src/interpreter/rules/index.ts';
import { citaPerTest, customer } from '../support/cita.ts';
import { reply } from '../support/fake-openai.ts';
import { nonsense } from '../support/hostile-llm.ts';
import { memoryDatabase } from '../support/sqlite.ts';
import { fakeProvider, llmOn } from './llm-test-kit.ts';

const start = citaPerTest();

describe('the per-phone rate limit with a slow model', () => {
  it('counts a burst when it arrives, so the model is asked no more often than the limit', async () => {
    // Each reading takes longer than the window divided by the limit: counted when a worker
    // reached each message, every one of the burst would fit in its own window and be read.
    const limit = 3;
    const fake = await fakeProvider();
    fake.respond(() => reply.slow(400, reply.events({ type: 'HELP' })));
    const cita = start({
      adapters: {
        interpreter: layeredInterpreter(readRules, llmOn([fake], { timeoutMs: 2_000 })),
        rateLimiter: new SqliteRateLimiter(memoryDatabase(), { limit, windowMs: 1_000 }),
      },
    });
    const flooder = customer(cita, '34611000020');

    const turns = await Promise.all(Array.from({ length: 10 }, (_, n) => flooder.say(nonsense(20, n))));

    expect(fake.requests).toHaveLength(limit);
    // Three answers, one "slow down", and silence for the rest.
    expect(turns.filter((replies) => replies.length > 0)).toHaveLength(limit + 1);
    const { values } = await cita.metrics.rateLimited.get();
    expect(Object.fromEntries(values.map(({ labels, value }) => [labels.verdict, value]))).toEqual({
      slow_down: 1,
      dropped: 10 - limit - 1,
    });
  });
});
