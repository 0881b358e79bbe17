import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RedisDeliveryProgress } from '../../adapters/redis/outbox.ts';
import { SqliteDeliveryProgress } from '../../adapters/sqlite/outbox.ts';
import {
  type DeliveryProgress,
  MemoryDeliveryProgress,
  RESEND_LEASE_MS,
} from '../../adapters/whatsapp/delivery-progress.ts';
import { type Cita, createCita } from '../../src/cita.ts';
import type { OutboundMessage } from '../../src/messages/whatsapp.ts';
import { createApp } from '../../src/server/app.ts';
import { sample } from '../ops/support.ts';
import { implementations, redisRun } from '../redis/implementations.ts';
import { CARLOS, PHONE_NUMBER_ID, shopWith } from '../staff/support.ts';
import { fakeClock, tempDataDir } from '../support/cita.ts';
import { deliveryStores } from '../support/delivery-stores.ts';
import { type CloudApiMessage, type FakeGraphApi, startFakeGraphApi } from '../support/fake-graph-api.ts';
import { memoryDatabase } from '../support/sqlite.ts';
import { serveApp } from '../support/status-webhook.ts';
import { APP_SECRET, VERIFY_TOKEN } from './helpers.ts';

/**
 * WhatsApp may take a message (200, a wamid) and fail it minutes later with a `failed` status for
 * throughput: 130429 (the number sends too fast) or 131056 (too many messages to one customer).
 * cita keeps what it sent (bounded: 15 minutes, per shop) and sends it again, as it was, after a wait
 * for the number or the customer, each customer's messages in their order; nothing is dropped.
 */

const ACCESS_TOKEN = 'EAAG-resend-test-token';
const run = await redisRun();

describe.each([
  { name: 'in process', make: (): DeliveryProgress => new MemoryDeliveryProgress() },
  ...implementations<DeliveryProgress>(
    () => new SqliteDeliveryProgress(memoryDatabase()),
    (redis) => new RedisDeliveryProgress(redis.connection(), { prefix: redis.prefix() }),
    run,
  ),
])('messages kept to be sent again ($name)', ({ make }) => {
  it('gives the due ones, each customer’s in the order first sent, each once until its lease ends', async () => {
    const progress = make();
    const now = Date.now();
    for (const id of ['a#0', 'a#1', 'a#2']) await progress.keep(CARLOS, id, JSON.stringify({ id }));
    await progress.keep('34600000002', 'b#0', '{"id":"b#0"}');
    // Failed in another order than sent.
    expect(await progress.queueResend(CARLOS, 'a#2', now - 1)).toBe(true);
    expect(await progress.queueResend(CARLOS, 'a#0', now - 1)).toBe(true);
    expect(await progress.queueResend('34600000002', 'b#0', now + 10 * RESEND_LEASE_MS)).toBe(true);
    expect(await progress.queueResend(CARLOS, 'never-kept', now - 1)).toBe(false);

    const lease = now + RESEND_LEASE_MS;
    expect(await progress.takeResends(now)).toEqual([
      { phone: CARLOS, outboxId: 'a#0', body: '{"id":"a#0"}', lease },
      { phone: CARLOS, outboxId: 'a#2', body: '{"id":"a#2"}', lease },
    ]);
    // Taken: nobody else gets them while they are being sent.
    expect(await progress.takeResends(now)).toEqual([]);
    await progress.resent(CARLOS, 'a#0', lease);
    // The one whose sender died is due again after the lease, for anyone; the one sent is not.
    const later = now + RESEND_LEASE_MS + 1;
    const again = await progress.takeResends(later);
    expect(again.map((kept) => kept.outboxId)).toEqual(['a#2']);
    // WhatsApp failed it again before the answer to its resend came: that queueing stands.
    expect(await progress.queueResend(CARLOS, 'a#2', later + 5)).toBe(true);
    await progress.resent(CARLOS, 'a#2', again[0]!.lease);
    const third = await progress.takeResends(later + 5);
    expect(third.map((kept) => kept.outboxId)).toEqual(['a#2']);
    await progress.resent(CARLOS, 'a#2', third[0]!.lease);
    expect((await progress.takeResends(now + 10 * RESEND_LEASE_MS)).map((kept) => kept.outboxId)).toEqual(['b#0']);
  });
});

const STORES = deliveryStores(run);

let graph: FakeGraphApi;
const running: Cita[] = [];
const closing: (() => Promise<void>)[] = [];
beforeEach(async () => {
  graph = await startFakeGraphApi({ accessToken: ACCESS_TOKEN, phoneNumberId: PHONE_NUMBER_ID });
});
afterEach(async () => {
  // The fake first: it stops sending statuses, which a stopped cita would answer 503, asking for more.
  await graph.close();
  for (const close of closing.splice(0)) await close();
  await Promise.all(running.splice(0).map((cita) => cita.stop()));
});
afterAll(() => {
  if (!run && process.env.CI) throw new Error('CI must run these tests on Redis too');
});

const lines = (...bodies: string[]): OutboundMessage[] => bodies.map((body) => ({ kind: 'text', body }));
const textsTo = (phone: string) =>
  graph.messages.filter((m): m is CloudApiMessage & { type: 'text' } => m.to === phone && m.type === 'text');

describe.each(Object.keys(STORES))('a message WhatsApp fails later for throughput, on %s', (name) => {
  /** The real app, engine and messenger, statuses coming back from the fake Graph API over HTTP. */
  async function harness() {
    const store = STORES[name]!();
    let throttled = 0;
    const whatsapp = graph.messenger({
      progress: store.progress,
      pairBackoffMs: 1_000,
      // As startup wires it (cita_whatsapp_throttled_total): each time the number or a customer is slowed.
      onThrottled: () => {
        throttled += 1;
      },
    });
    const cita = createCita({
      shop: shopWith(),
      clock: fakeClock(),
      dataDir: tempDataDir(),
      adapters: { ...store.adapters, messenger: whatsapp },
      onStop: store.close,
    });
    running.push(cita);
    const app = createApp(cita, { whatsapp: { appSecret: APP_SECRET, verifyToken: VERIFY_TOKEN } });
    const served = await serveApp(app);
    closing.push(served.close);
    graph.sendStatusesTo(() => `${served.url}/webhook/whatsapp`, APP_SECRET);
    return { cita, app, whatsapp, throttled: () => throttled };
  }

  async function until(what: string, done: () => boolean): Promise<void> {
    for (let i = 0; i < 500 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 20));
    if (!done()) throw new Error(`gave up waiting for ${what}`);
  }

  it('sends again, in their order, the messages to one customer that WhatsApp failed with 131056', async () => {
    const h = await harness();
    // Taken, then failed by their status: the first two of the three.
    graph.failAfterTaking(131056);
    graph.failAfterTaking(131056);
    await h.whatsapp.send(CARLOS, lines('uno', 'dos', 'tres'), 'wamid.in1');

    await until('both sent again', () => textsTo(CARLOS).length >= 5);
    const sent = textsTo(CARLOS);
    expect(sent.map((m) => m.text.body)).toEqual(['uno', 'dos', 'tres', 'uno', 'dos']);
    // Sent again exactly as the first time, with the same outbox id for their statuses.
    expect(sent.slice(3)).toEqual(sent.slice(0, 2));
    expect(sample(await (await h.app.request('/metrics')).text(), 'cita_whatsapp_undelivered_total') ?? 0).toBe(0);
    expect(h.throttled()).toBe(2);
  });

  it('slows the number down and sends again a message WhatsApp failed with 130429, however often it fails', async () => {
    const h = await harness();
    graph.failAfterTaking(130429);
    graph.failAfterTaking(130429);
    graph.failAfterTaking(130429);
    await h.whatsapp.send(CARLOS, lines('recordatorio'), undefined, { purpose: 'reminder' });

    await until('taken at the fourth try', () => textsTo(CARLOS).length >= 4);
    await graph.statusesDelivered();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(textsTo(CARLOS).map((m) => m.text.body)).toEqual(Array(4).fill('recordatorio'));
    expect(h.throttled()).toBe(3);
    expect(sample(await (await h.app.request('/metrics')).text(), 'cita_whatsapp_undelivered_total') ?? 0).toBe(0);
  });
});
