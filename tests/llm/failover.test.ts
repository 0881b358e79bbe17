import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { LlmInterpreter } from '../../src/interpreter/llm/index.ts';
import { reply } from '../support/fake-openai.ts';
import { fakeProvider, llmOn, TEST_TIMEOUT_MS } from './llm-test-kit.ts';
import { choosingSlot } from './situations.ts';

const help = { type: 'HELP' } as const;

/** A local port nothing listens on: connecting to it fails at once. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('when a provider fails', () => {
  it('asks the fallback provider after a 500 from the primary', async () => {
    const [primary, fallback] = [await fakeProvider(), await fakeProvider()];
    primary.script(reply.status(500));
    fallback.script(reply.events(help));
    const llm = llmOn([primary, fallback]);

    expect(await llm.interpret('ayuda', choosingSlot())).toEqual([help]);
    expect(primary.requests).toHaveLength(1);
    expect(fallback.requests).toHaveLength(1);
    expect(fallback.requests[0].body.model).toBe('model-1');
    expect(llm.metrics.snapshot().calls).toEqual({ primary: { server_error: 1 }, fallback: { ok: 1 } });
  });

  it('asks the fallback provider after a 429 from the primary', async () => {
    const [primary, fallback] = [await fakeProvider(), await fakeProvider()];
    primary.script(reply.status(429));
    fallback.script(reply.events(help));
    const llm = llmOn([primary, fallback]);

    expect(await llm.interpret('ayuda', choosingSlot())).toEqual([help]);
    expect(llm.metrics.snapshot().calls.primary).toEqual({ rate_limited: 1 });
  });

  it('gives up on a primary that does not answer in time and asks the fallback', async () => {
    const [primary, fallback] = [await fakeProvider(), await fakeProvider()];
    primary.script(reply.hang());
    fallback.script(reply.events(help));
    const llm = llmOn([primary, fallback]);

    const started = Date.now();
    expect(await llm.interpret('ayuda', choosingSlot())).toEqual([help]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(TEST_TIMEOUT_MS - 50);
    expect(Date.now() - started).toBeLessThan(TEST_TIMEOUT_MS * 4);
    expect(llm.metrics.snapshot().calls.primary).toEqual({ timeout: 1 });
  });

  it('asks the fallback provider when the primary cannot be reached', async () => {
    const fallback = await fakeProvider();
    fallback.script(reply.events(help));
    const llm = new LlmInterpreter({
      providers: [
        { name: 'primary', baseURL: `http://127.0.0.1:${await closedPort()}/v1`, apiKey: 'k', model: 'm' },
        { name: 'fallback', baseURL: fallback.baseURL, apiKey: 'k', model: 'm' },
      ],
      timeoutMs: TEST_TIMEOUT_MS,
    });

    expect(await llm.interpret('ayuda', choosingSlot())).toEqual([help]);
    expect(llm.metrics.snapshot().calls.primary).toEqual({ unreachable: 1 });
  });

  it('falls back on malformed output, then answers nothing when the fallback is malformed too', async () => {
    const [primary, fallback] = [await fakeProvider(), await fakeProvider()];
    primary.script(reply.text('{"events": [{"type": "HELP"'));
    fallback.script(reply.json({ event: 'HELP' }));
    const llm = llmOn([primary, fallback]);

    expect(await llm.interpret('ayuda', choosingSlot())).toEqual([]);
    expect(fallback.requests).toHaveLength(1);
    expect(llm.metrics.snapshot()).toEqual({
      calls: { primary: { malformed: 1 }, fallback: { malformed: 1 } },
      skipped: {},
      gaveUp: 1,
      droppedEvents: {},
    });
  });
});

describe("a provider's circuit breaker", () => {
  function setUp(primary: { baseURL: string }, fallback: { baseURL: string }) {
    let now = 1_000_000;
    const llm = new LlmInterpreter({
      providers: [
        { name: 'primary', baseURL: primary.baseURL, apiKey: 'k', model: 'm' },
        { name: 'fallback', baseURL: fallback.baseURL, apiKey: 'k', model: 'm' },
      ],
      timeoutMs: TEST_TIMEOUT_MS,
      breaker: { failures: 2, cooldownMs: 30_000, now: () => now },
    });
    return { llm, advance: (ms: number) => (now += ms) };
  }

  it('stops calling a provider after repeated failures, until the cool-down is over', async () => {
    const [primary, fallback] = [await fakeProvider(), await fakeProvider()];
    primary.script(reply.status(500), reply.status(503));
    const { llm, advance } = setUp(primary, fallback);

    await llm.interpret('uno', choosingSlot());
    await llm.interpret('dos', choosingSlot());
    fallback.script(reply.events(help));
    expect(await llm.interpret('tres', choosingSlot())).toEqual([help]);
    advance(29_999);
    await llm.interpret('cuatro', choosingSlot());

    expect(primary.requests).toHaveLength(2);
    expect(fallback.requests).toHaveLength(4);
    expect(llm.metrics.snapshot().skipped).toEqual({ primary: 2 });
  });

  it('calls the provider again after the cool-down and keeps calling it once it answers', async () => {
    const [primary, fallback] = [await fakeProvider(), await fakeProvider()];
    primary.script(reply.status(500), reply.status(500), reply.events(help), reply.events(help));
    const { llm, advance } = setUp(primary, fallback);

    await llm.interpret('uno', choosingSlot());
    await llm.interpret('dos', choosingSlot());
    advance(30_000);
    expect(await llm.interpret('tres', choosingSlot())).toEqual([help]);
    expect(await llm.interpret('cuatro', choosingSlot())).toEqual([help]);

    expect(primary.requests).toHaveLength(4);
    expect(fallback.requests).toHaveLength(2);
  });

  it('opens again at once when the first call after the cool-down fails', async () => {
    const [primary, fallback] = [await fakeProvider(), await fakeProvider()];
    primary.script(reply.status(500), reply.status(500), reply.status(500));
    const { llm, advance } = setUp(primary, fallback);

    await llm.interpret('uno', choosingSlot());
    await llm.interpret('dos', choosingSlot());
    advance(30_000);
    await llm.interpret('tres', choosingSlot());
    await llm.interpret('cuatro', choosingSlot());

    expect(primary.requests).toHaveLength(3);
  });

  it('answers nothing, without waiting, when every provider is open', async () => {
    const [primary, fallback] = [await fakeProvider(), await fakeProvider()];
    primary.script(reply.status(500), reply.status(500));
    fallback.script(reply.status(500), reply.status(500));
    const { llm } = setUp(primary, fallback);

    await llm.interpret('uno', choosingSlot());
    await llm.interpret('dos', choosingSlot());
    expect(await llm.interpret('tres', choosingSlot())).toEqual([]);

    expect(primary.requests.length + fallback.requests.length).toBe(4);
    expect(llm.metrics.snapshot().gaveUp).toBe(3);
  });
});

describe('a provider that sends its headers and then stalls', () => {
  it('is given up on within the timeout, counted as a timeout, and opens the breaker', async () => {
    const [primary, fallback] = [await fakeProvider(), await fakeProvider()];
    primary.script(reply.stall(), reply.stall());
    fallback.script(reply.events(help), reply.events(help), reply.events(help));
    const llm = new LlmInterpreter({
      providers: [
        { name: 'primary', baseURL: primary.baseURL, apiKey: 'k', model: 'm' },
        { name: 'fallback', baseURL: fallback.baseURL, apiKey: 'k', model: 'm' },
      ],
      timeoutMs: TEST_TIMEOUT_MS,
      breaker: { failures: 2, cooldownMs: 60_000 },
    });

    expect(await llm.interpret('uno', choosingSlot())).toEqual([help]);
    expect(await llm.interpret('dos', choosingSlot())).toEqual([help]);
    expect(await llm.interpret('tres', choosingSlot())).toEqual([help]);

    expect(llm.metrics.snapshot().calls.primary).toEqual({ timeout: 2 });
    expect(llm.metrics.snapshot().skipped).toEqual({ primary: 1 });
    expect(primary.requests).toHaveLength(2);
  });
});

describe('a half-open breaker', () => {
  it('lets exactly one trial call through when many messages arrive after the cool-down', async () => {
    const [primary, fallback] = [await fakeProvider(), await fakeProvider()];
    let now = 1_000_000;
    const llm = new LlmInterpreter({
      providers: [
        { name: 'primary', baseURL: primary.baseURL, apiKey: 'k', model: 'm' },
        { name: 'fallback', baseURL: fallback.baseURL, apiKey: 'k', model: 'm' },
      ],
      timeoutMs: TEST_TIMEOUT_MS,
      breaker: { failures: 1, cooldownMs: 30_000, now: () => now },
    });
    primary.script(reply.status(500));
    await llm.interpret('uno', choosingSlot());
    now += 30_000;
    primary.respond(() => reply.status(503));

    await Promise.all(Array.from({ length: 10 }, () => llm.interpret('otra vez', choosingSlot())));

    expect(primary.requests).toHaveLength(2);
    expect(llm.metrics.snapshot().skipped.primary).toBe(9);
  });
});
