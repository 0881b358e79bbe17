import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RedisDeliveryProgress } from '../../adapters/redis/outbox.ts';
import { RedisSendPacer } from '../../adapters/redis/pacing.ts';
import { SqliteDeliveryProgress } from '../../adapters/sqlite/outbox.ts';
import { SqliteSendPacer } from '../../adapters/sqlite/pacing.ts';
import { type DeliveryProgress, MemoryDeliveryProgress } from '../../adapters/whatsapp/delivery-progress.ts';
import { WhatsAppUnavailable } from '../../adapters/whatsapp/messenger.ts';
import { MemorySendPacer, type SendPacer, SLOW_FOR_MS } from '../../adapters/whatsapp/pacing.ts';
import type { OutboundMessage } from '../../src/messages/whatsapp.ts';
import { sendCap } from '../../src/startup.ts';
import { implementations, redisRun } from '../redis/implementations.ts';
import { type FakeGraphApi, startFakeGraphApi } from '../support/fake-graph-api.ts';
import { memoryDatabase } from '../support/sqlite.ts';
import { startStatusWebhook } from '../support/status-webhook.ts';
import { APP_SECRET } from '../whatsapp/helpers.ts';
import { ACCESS_TOKEN, PHONE_NUMBER_ID } from './support.ts';

const run = await redisRun();

/** A clock the test moves by hand, in milliseconds. */
function handClock() {
  let now = 1_000_000;
  const clock = () => now;
  clock.advance = (ms: number) => {
    now += ms;
  };
  return clock;
}

type PacerFactory = (options: { maxPerSecond: number; now: () => number }) => SendPacer;
const pacers = [
  { name: 'in process', make: (): PacerFactory => (options) => new MemorySendPacer(options) },
  ...implementations<PacerFactory>(
    () => {
      const database = memoryDatabase();
      return (options) => new SqliteSendPacer(database, { ...options, phoneNumberId: '1' });
    },
    (redis) => {
      const prefix = redis.prefix();
      return (options) => new RedisSendPacer(redis.connection(), { ...options, phoneNumberId: '1', prefix });
    },
    run,
  ),
];

describe.each(pacers)('outbound pacing ($name)', ({ make }) => {
  it('lets a tenth of a second’s cap go at once, then spaces sends at 90% of the cap', async () => {
    const clock = handClock();
    const pacer = make()({ maxPerSecond: 80, now: clock });
    const waits: number[] = [];
    for (let i = 0; i < 10; i++) waits.push(await pacer.reserve());
    // 8 tokens in the bucket, then one every 1000/72 ms, reserved in order.
    expect(waits.slice(0, 8)).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(waits.slice(8)).toEqual([14, 28]);
    clock.advance(1_000);
    expect(await pacer.reserve()).toBe(0);
  });

  it('never lets more than the cap through in any second', async () => {
    const clock = handClock();
    const pacer = make()({ maxPerSecond: 20, now: clock });
    const sentAt: number[] = [];
    for (let i = 0; i < 100; i++) {
      const wait = await pacer.reserve();
      sentAt.push(clock() + wait);
      clock.advance(Math.floor(i / 10)); // senders arriving ever more slowly
    }
    for (const at of sentAt) expect(sentAt.filter((t) => t >= at && t < at + 1_000).length).toBeLessThanOrEqual(20);
  });

  it('slows to a quarter of the rate after WhatsApp says "too many", and recovers later', async () => {
    const clock = handClock();
    const pacer = make()({ maxPerSecond: 80, now: clock });
    await pacer.slowDown();
    // Empty bucket, refilling at 18 a second: the next send waits one slow token.
    expect(await pacer.reserve()).toBe(56);
    clock.advance(SLOW_FOR_MS + 1_000);
    expect(await pacer.reserve()).toBe(0);
  });
});

describe.skipIf(!run)('outbound pacing on Redis', () => {
  it('is one bucket for every process sending for the number', async () => {
    const clock = handClock();
    const prefix = run!.prefix();
    const [a, b] = [run!.connection(), run!.redis.connect()].map(
      (redis) => new RedisSendPacer(redis, { phoneNumberId: '42', maxPerSecond: 10, prefix, now: clock }),
    );
    expect(await a.reserve()).toBe(0);
    expect(await b.reserve()).toBeGreaterThan(0);
    await b.slowDown();
    clock.advance(1_000);
    // a sees b's slow-down: 9 a second × 1/4 makes the slowed bucket one token at most.
    expect(await a.reserve()).toBe(0);
    expect(await a.reserve()).toBeGreaterThan(400);
  });
});

const greeting: OutboundMessage = { kind: 'text', body: 'Hola' };
const question: OutboundMessage = { kind: 'text', body: '¿Qué servicio quieres?' };
const closing: OutboundMessage = { kind: 'text', body: 'Gracias' };

describe.each([
  { name: 'in process', make: (): DeliveryProgress => new MemoryDeliveryProgress() },
  ...implementations<DeliveryProgress>(
    () => new SqliteDeliveryProgress(memoryDatabase()),
    (redis) => new RedisDeliveryProgress(redis.connection(), { prefix: redis.prefix() }),
    run,
  ),
])('a turn tried again after WhatsApp failed mid-turn ($name)', ({ make }) => {
  let graph: FakeGraphApi;
  beforeEach(async () => {
    graph = await startFakeGraphApi({ accessToken: ACCESS_TOKEN, phoneNumberId: PHONE_NUMBER_ID });
  });
  afterEach(() => graph.close());

  it('resumes after the replies already delivered, so none is sent twice', async () => {
    const progress = make();
    let reserved = 0;
    /** Lets every send through, and makes WhatsApp go down just as the second reply is sent. */
    const downAtSecondReply: SendPacer = {
      async reserve() {
        if (++reserved === 2) graph.failNext({ status: 503, code: 2, message: 'Service unavailable' }, { times: 2 });
        return 0;
      },
      async slowDown() {},
    };
    const messenger = (pacer?: SendPacer) =>
      graph.messenger({
        attempts: 2,
        baseBackoffMs: 1,
        maxBackoffMs: 2,
        progress,
        ...(pacer && { pacer }),
      });
    const turn = [greeting, question, closing];
    const bodies = () => graph.messages.map((m) => ('text' in m ? m.text.body : m.type));

    await expect(messenger(downAtSecondReply).send('34600000001', turn, 'wamid.TURN')).rejects.toThrow(
      WhatsAppUnavailable,
    );
    expect(bodies()).toEqual(['Hola']);
    expect(await progress.resume('34600000001', 'wamid.TURN')).toEqual({ delivered: 1, started: 1 });

    // The worker tries the turn again (here or in another process sharing the record).
    await messenger().send('34600000001', turn, 'wamid.TURN');
    expect(bodies()).toEqual(['Hola', '¿Qué servicio quieres?', 'Gracias']);

    // Redelivered once more after a crash before the acknowledgement: nothing is sent again,
    // while another customer's turn with the same replies goes out in full.
    await messenger().send('34600000001', turn, 'wamid.TURN');
    await messenger().send('34600000002', [greeting], 'wamid.OTHER');
    expect(bodies()).toEqual(['Hola', '¿Qué servicio quieres?', 'Gracias', 'Hola']);
  });

  it('waits for the status of a reply whose answer never came, and does not send it again', async () => {
    const progress = make();
    // Statuses come to cita's webhook (here, in this process) with the outbox id the reply carried.
    const webhook = await startStatusWebhook(progress);
    graph.sendStatusesTo(() => webhook.url, APP_SECRET);
    graph.holdAnswerTo((message) => 'text' in message && message.text.body === greeting.body);
    const messenger = graph.messenger({ progress, requestTimeoutMs: 300, statusPollMs: 20 });

    const ids = await messenger.send('34600000001', [greeting, question], 'wamid.HELD');

    expect(graph.messages.map((m) => ('text' in m ? m.text.body : m.type))).toEqual(['Hola', '¿Qué servicio quieres?']);
    // The wamid of the reply in doubt is the one its status gave.
    expect(ids).toEqual(['wamid.FAKE1', 'wamid.FAKE2']);
    expect(await progress.confirmation('34600000001', 'wamid.HELD#0')).toBe('wamid.FAKE1');
    await webhook.close();
  });

  it('lets one sender start a reply, refuses another unless it takes over after waiting, and undoes only its own start', async () => {
    const progress = make();
    expect(await progress.start('34600000001', 'wamid.T', 1, 'a')).toBe(true);
    expect(await progress.start('34600000001', 'wamid.T', 1, 'a')).toBe(true);
    expect(await progress.start('34600000001', 'wamid.T', 1, 'b')).toBe(false);
    expect(await progress.start('34600000001', 'wamid.T', 1, 'b', true)).toBe(true);
    await progress.unstart('34600000001', 'wamid.T', 0, 'a');
    expect(await progress.resume('34600000001', 'wamid.T')).toEqual({ delivered: 0, started: 1 });
    await progress.unstart('34600000001', 'wamid.T', 0, 'b');
    expect(await progress.resume('34600000001', 'wamid.T')).toEqual({ delivered: 0, started: 0 });
    await progress.record('34600000001', 'wamid.T', 2);
    expect(await progress.start('34600000001', 'wamid.T', 2, 'c')).toBe(false);
    expect(await progress.start('34600000001', 'wamid.T', 3, 'c')).toBe(true);
  });

  it('keeps a reply in the step that starts it (started or not), and remembers the id WhatsApp gave it in the step that records it', async () => {
    const progress = make();
    const kept = (n: number) => ({ outboxId: `wamid.K#${n}`, body: JSON.stringify({ n }) });
    expect(await progress.start('34600000001', 'wamid.K', 1, 'a', false, kept(0))).toBe(true);
    expect(await progress.start('34600000001', 'wamid.K', 1, 'b', false, kept(1))).toBe(false);
    await progress.record('34600000001', 'wamid.K', 1, 'wamid.SENT1');
    expect(await progress.resume('34600000001', 'wamid.K')).toEqual({ delivered: 1, started: 1 });
    expect(await progress.sentByCita('34600000001', 'wamid.SENT1')).toBe(true);
    expect(await progress.sentByCita('34600000001', 'wamid.K#0')).toBe(false);
    expect(await progress.queueResend('34600000001', 'wamid.K#0', 0)).toBe(true);
    expect(await progress.queueResend('34600000001', 'wamid.K#1', 0)).toBe(true);
    const due = await progress.takeResends(Date.now());
    expect(due.map(({ outboxId, body }) => ({ outboxId, body }))).toEqual([kept(0), kept(1)]);
  });

  it('slows the shared pacing down when WhatsApp answers 130429', async () => {
    let slowedDown = 0;
    let throttled = 0;
    const pacer: SendPacer = {
      reserve: async () => 0,
      slowDown: async () => void slowedDown++,
    };
    const messenger = graph.messenger({
      baseBackoffMs: 1,
      maxBackoffMs: 2,
      progress: make(),
      pacer,
      onThrottled: () => void throttled++,
    });
    graph.failNext({ status: 400, code: 130429, message: 'Rate limit hit' });
    await messenger.send('34600000001', [greeting], 'wamid.SLOW');
    expect(graph.requests.map((r) => r.status)).toEqual([400, 200]);
    expect([slowedDown, throttled]).toEqual([1, 1]);
  });
});

describe('the cap of a number', () => {
  it("is Meta's 80 a second by default, and never over 20 for a number shared with the WhatsApp Business app", () => {
    expect(sendCap(undefined, false)).toBe(80);
    expect(sendCap(200, false)).toBe(200);
    expect(sendCap(undefined, true)).toBe(20);
    expect(sendCap(80, true)).toBe(20);
    expect(sendCap(10, true)).toBe(10);
  });
});
