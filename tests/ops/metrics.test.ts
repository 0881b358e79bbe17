import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readEnv } from '../../src/env.ts';
import { meteredInterpreterFromEnv } from '../../src/metrics/llm.ts';
import { CitaMetrics } from '../../src/metrics/registry.ts';
import { createApp } from '../../src/server/app.ts';
import { cachedReadiness } from '../../src/server/health.ts';
import { choosingSlot } from '../llm/situations.ts';
import { citaPerTest, customer } from '../support/cita.ts';
import { type FakeGraphApi, startFakeGraphApi } from '../support/fake-graph-api.ts';
import { reply, startFakeOpenAI } from '../support/fake-openai.ts';
import { buttonReply, listReply, signedPost, textMessage } from '../whatsapp/helpers.ts';
import { ACCESS_TOKEN, PHONE_NUMBER_ID, sample, statusPayload, whatsAppHarness } from './support.ts';

const start = citaPerTest();
let graph: FakeGraphApi;
beforeEach(async () => {
  graph = await startFakeGraphApi({ accessToken: ACCESS_TOKEN, phoneNumberId: PHONE_NUMBER_ID });
});
afterEach(() => graph.close());

async function scrape(app: { request: (path: string, init?: RequestInit) => Response | Promise<Response> }) {
  const response = await app.request('/metrics');
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/plain');
  return response.text();
}

describe('GET /metrics', () => {
  it('counts a WhatsApp booking: messages by kind, the funnel, holds, calendar calls, the booking, latency and delivery statuses', async () => {
    const { app, deliver } = whatsAppHarness(graph, start);
    const phone = '34600000011';
    await deliver(textMessage(phone, 'wamid.M1', 'hola'), 'wamid.M1');
    await deliver(listReply(phone, 'wamid.M2', 'SELECT_SERVICE:corte'), 'wamid.M2');
    await deliver(listReply(phone, 'wamid.M3', 'PICK_DATE:2026-11-25'), 'wamid.M3');
    await deliver(listReply(phone, 'wamid.M4', 'PICK_TIME:10:00'), 'wamid.M4');
    await deliver(buttonReply(phone, 'wamid.M5', 'CONFIRM'), 'wamid.M5');
    // Meta redelivers one message and reports on a reply.
    await deliver(textMessage(phone, 'wamid.M1', 'hola'));
    await deliver(statusPayload(phone, 'wamid.OUT1', 'delivered'));
    await deliver(statusPayload(phone, 'wamid.OUT1', 'read'));
    await deliver(statusPayload(phone, 'wamid.OUT2', 'failed', 131026));

    const text = await scrape(app);
    expect(sample(text, 'cita_inbound_messages_total', { kind: 'text' })).toBe(1);
    expect(sample(text, 'cita_inbound_messages_total', { kind: 'reply' })).toBe(4);
    expect(sample(text, 'cita_inbound_duplicates_total')).toBe(1);
    for (const state of ['choosingService', 'choosingDate', 'choosingSlot', 'confirming', 'booked']) {
      expect(sample(text, 'cita_conversation_state_entries_total', { state }), state).toBe(1);
    }
    // Held when the time was picked, and taken again right before writing.
    expect(sample(text, 'cita_slot_holds_total', { result: 'taken' })).toBe(2);
    expect(sample(text, 'cita_bookings_total', { change: 'created' })).toBe(1);
    expect(
      sample(text, 'cita_calendar_call_duration_seconds_count', { operation: 'busy', outcome: 'ok' }),
    ).toBeGreaterThan(0);
    expect(sample(text, 'cita_calendar_call_duration_seconds_count', { operation: 'create', outcome: 'ok' })).toBe(1);
    expect(sample(text, 'cita_reply_latency_seconds_count')).toBe(5);
    expect(sample(text, 'cita_outbound_messages_total', { status: 'delivered' })).toBe(1);
    expect(sample(text, 'cita_outbound_messages_total', { status: 'read' })).toBe(1);
    expect(sample(text, 'cita_outbound_messages_total', { status: 'failed' })).toBe(1);
  });

  it('counts a burst over the per-phone limit as one "slow down" and the rest dropped', async () => {
    const cita = start();
    const carlos = customer(cita);
    for (let i = 0; i < 23; i++) await carlos.say(`mensaje ${i}`);
    const text = await scrape(createApp(cita));
    expect(sample(text, 'cita_rate_limited_messages_total', { verdict: 'slow_down' })).toBe(1);
    expect(sample(text, 'cita_rate_limited_messages_total', { verdict: 'dropped' })).toBe(2);
  });

  it('answers only with the bearer token when METRICS_TOKEN is set', async () => {
    const app = createApp(start(), { metricsToken: 'scrape-me' });
    expect((await app.request('/metrics')).status).toBe(401);
    expect((await app.request('/metrics', { headers: { authorization: 'Bearer scrape-mf' } })).status).toBe(401);
    const ok = await app.request('/metrics', { headers: { authorization: 'Bearer scrape-me' } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('cita_inbound_messages_total');
  });

  it("counts the embedded database's transactions and commits: customers writing at once share commits", async () => {
    const { app, deliver } = whatsAppHarness(graph, start);
    const phones = ['34600000021', '34600000022', '34600000023', '34600000024'];
    await Promise.all(phones.map((phone, n) => deliver(textMessage(phone, `wamid.T${n}`, 'hola'), `wamid.T${n}`)));
    const text = await scrape(app);
    const transactions = sample(text, 'cita_sqlite_transactions_total')!;
    const commits = sample(text, 'cita_sqlite_commits_total')!;
    // Each message alone takes several transactions (accept, claim, transcript, save, reply, ack).
    expect(transactions).toBeGreaterThanOrEqual(phones.length * 4);
    expect(commits).toBeGreaterThan(0);
    expect(commits).toBeLessThan(transactions);
  });

  it('reads the inbox depth at scrape time', async () => {
    const metrics = new CitaMetrics();
    let waiting = 3;
    metrics.watchInboxDepth(async () => waiting);
    expect(sample(await metrics.registry.metrics(), 'cita_inbox_depth')).toBe(3);
    waiting = 0;
    expect(sample(await metrics.registry.metrics(), 'cita_inbox_depth')).toBe(0);
  });

  it('counts LLM calls by provider and outcome, timing each attempt on its own', async () => {
    const [primary, fallback] = [await startFakeOpenAI(), await startFakeOpenAI()];
    try {
      const metrics = new CitaMetrics();
      const env = readEnv({
        LLM_API_KEY: 'test-key',
        LLM_BASE_URL: primary.baseURL,
        LLM_FALLBACK_BASE_URL: fallback.baseURL,
        LLM_TIMEOUT_MS: '400',
      });
      const interpreter = meteredInterpreterFromEnv(env, metrics)!;
      primary.script(reply.hang());
      fallback.script(reply.events({ type: 'HELP' }));
      expect(await interpreter.interpret('zzkx qwv', choosingSlot())).toEqual([{ type: 'HELP' }]);

      const text = await metrics.registry.metrics();
      const timeout = { provider: 'primary', outcome: 'timeout' };
      expect(sample(text, 'cita_llm_call_duration_seconds_count', timeout)).toBe(1);
      // The primary was given up on after its timeout; that attempt's time is its own.
      expect(sample(text, 'cita_llm_call_duration_seconds_sum', timeout)).toBeGreaterThanOrEqual(0.4);
      expect(sample(text, 'cita_llm_call_duration_seconds_count', { provider: 'fallback', outcome: 'ok' })).toBe(1);
      expect(interpreter.llm.metrics.snapshot().calls).toEqual({ primary: { timeout: 1 }, fallback: { ok: 1 } });
    } finally {
      await Promise.all([primary.close(), fallback.close()]);
    }
  });
});

describe('health endpoints', () => {
  it('answers /healthz while alive and /readyz 503 naming the part that fails', async () => {
    const cita = start();
    const app = createApp(cita, {
      readiness: [
        { name: 'redis', check: async () => {} },
        {
          name: 'calendar',
          check: async () => {
            throw new Error('calendar not shared');
          },
        },
      ],
    });
    expect(await (await app.request('/healthz')).json()).toEqual({ status: 'ok' });
    const ready = await app.request('/readyz');
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({
      status: 'not ready',
      failing: ['calendar'],
      checks: { redis: { ok: true }, calendar: { ok: false, error: 'Error: calendar not shared' } },
    });
    expect((await createApp(cita).request('/readyz')).status).toBe(200);
  });

  it('checks again only after the cache time, so frequent probes cost nothing', async () => {
    let now = 0;
    let checks = 0;
    const readiness = cachedReadiness([{ name: 'redis', check: async () => void checks++ }], {
      cacheMs: 5_000,
      now: () => now,
    });
    await Promise.all([readiness(), readiness(), readiness()]);
    now = 4_999;
    await readiness();
    expect(checks).toBe(1);
    now = 5_000;
    expect(await readiness()).toMatchObject({ ready: true, failing: [] });
    expect(checks).toBe(2);
  });

  it('refuses new messages with 503 and Retry-After during a shutdown, and says it is not ready', async () => {
    const cita = start();
    let draining = false;
    const app = createApp(cita, { isDraining: () => draining });
    draining = true;
    const refused = await app.request('/simulator/messages', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ phone: '34600000001', text: 'hola' }),
    });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect((await app.request('/webhook/whatsapp', signedPost('{}'))).status).toBe(503);
    expect((await app.request('/readyz')).status).toBe(503);
    expect((await app.request('/healthz')).status).toBe(200);
    expect(await cita.inbox.depth?.()).toBe(0);
  });
});
