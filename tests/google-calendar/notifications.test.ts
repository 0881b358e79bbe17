import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { GOOGLE_CALENDAR_WEBHOOK_PATH, RENEW_BEFORE_MS } from '../../src/calendar-sync/channels.ts';
import { createApp } from '../../src/server/app.ts';
import { customer, fakeClock, tempDataDir, testCita } from '../support/cita.ts';
import { startFakeGoogleCalendar } from '../support/fake-google-calendar.ts';
import { startFakeGraphApi } from '../support/fake-graph-api.ts';
import { googleCalendarFor } from './google.ts';

/**
 * Push notifications: cita opens an events.watch channel on the fake Google Calendar, which POSTs
 * its notifications (X-Goog-* headers, no body) to cita's own server; polling is off, so only a
 * notification makes cita look.
 */
const running: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of running.splice(0).reverse()) await stop();
});

/** One or more cita processes (same database file) behind one HTTP server each, watching one fake Google. */
async function watchedShop({ processes = 1 } = {}) {
  const clock = fakeClock();
  const google = await startFakeGoogleCalendar({ now: () => clock().getTime() });
  const graph = await startFakeGraphApi({ accessToken: 'token', phoneNumberId: '1234' });
  running.push(google.close, graph.close);
  const dataDir = tempDataDir();
  const started = [];
  for (let i = 0; i < processes; i++) {
    let port = 0;
    const lateCita: { app?: ReturnType<typeof createApp> } = {};
    const server = serve({ fetch: (request) => lateCita.app!.fetch(request), port: 0, hostname: '127.0.0.1' });
    await new Promise<void>((resolve) => server.once('listening', resolve));
    port = (server.address() as AddressInfo).port;
    const cita = testCita({
      clock,
      dataDir,
      adapters: { calendar: googleCalendarFor(google, { clock }), messenger: graph.messenger() },
      // Only the first process opens a channel; Google posts to one address.
      calendarWatch: { pollSeconds: 0, ...(i === 0 && { webhookUrl: `http://127.0.0.1:${port}` }) },
    });
    lateCita.app = createApp(cita);
    running.push(
      () => cita.stop(),
      () => new Promise<void>((resolve) => server.close(() => resolve())),
    );
    started.push({ cita, app: lateCita.app, port });
  }
  await started[0]!.cita.renewCalendarChannels();
  await google.notificationsDelivered();
  return { clock, google, graph, processes: started };
}

describe('Google Calendar push notifications', () => {
  it('opens a channel to /webhook/google-calendar, and a move in the calendar reaches the customer by it alone', async () => {
    const { google, graph, processes } = await watchedShop();
    const [{ cita, port }] = processes as [(typeof processes)[0]];
    const [channel] = google.channels();
    expect(channel).toMatchObject({
      address: `http://127.0.0.1:${port}${GOOGLE_CALENDAR_WEBHOOK_PATH}`,
      stopped: false,
    });
    expect(google.notifications.map((n) => [n.headers['X-Goog-Resource-State'], n.status])).toEqual([['sync', 200]]);

    const carlos = customer(cita);
    await carlos.say('corte el jueves a las 5');
    await carlos.say('sí');
    const [appointment] = await cita.calendar.upcomingFor(carlos.phone, cita.clock());
    await google.notificationsDelivered();
    await vi.waitFor(async () => expect(await cita.calendarSync.syncAll()).not.toHaveProperty('busy'));

    google.barber.move(appointment!.id, '2026-11-26T18:00:00.000Z', '2026-11-26T18:30:00.000Z');
    await google.notificationsDelivered();
    await vi.waitFor(() =>
      expect(graph.messages.filter((m) => m.to === carlos.phone && m.type !== 'document')).toHaveLength(1),
    );
    expect(JSON.stringify(graph.messages.find((m) => m.type === 'interactive'))).toContain('a las 19:00');
    expect(google.notifications.at(-1)).toMatchObject({
      status: 200,
      headers: { 'X-Goog-Resource-State': 'exists', 'X-Goog-Channel-ID': channel!.id },
    });
  });

  it('refuses a notification for an unknown channel, or with a wrong token, with 401 and the reason', async () => {
    const { google, processes } = await watchedShop();
    const [{ app }] = processes as [(typeof processes)[0]];
    const [sent] = google.notifications;
    const post = (headers: Record<string, string>) =>
      app.request(GOOGLE_CALENDAR_WEBHOOK_PATH, { method: 'POST', headers });
    const unknown = await post({ ...sent!.headers, 'X-Goog-Channel-ID': 'not-a-channel-of-ours' });
    expect(unknown.status).toBe(401);
    expect(await unknown.json()).toEqual({ error: 'unknown channel' });
    const forged = await post({ ...sent!.headers, 'X-Goog-Channel-Token': 'guessed-token-guessed-token' });
    expect(forged.status).toBe(401);
    expect(await forged.json()).toEqual({ error: 'wrong channel token' });
    const bare = await post({});
    expect(bare.status).toBe(400);
    expect((await post(sent!.headers)).status).toBe(200);
  });

  it('handles a notification delivered to two processes once: the customer is told once', async () => {
    const { google, graph, processes } = await watchedShop({ processes: 2 });
    const [one, two] = processes as [(typeof processes)[0], (typeof processes)[0]];
    const carlos = customer(one.cita);
    await carlos.say('corte el jueves a las 5');
    await carlos.say('sí');
    const [appointment] = await one.cita.calendar.upcomingFor(carlos.phone, one.cita.clock());
    await google.notificationsDelivered();
    await vi.waitFor(async () => expect(await one.cita.calendarSync.syncAll()).not.toHaveProperty('busy'));

    google.barber.move(appointment!.id, '2026-11-26T18:00:00.000Z', '2026-11-26T18:30:00.000Z');
    await google.notificationsDelivered();
    // The same notification again, to both processes at once (a retry, a load balancer).
    const headers = google.notifications.at(-1)!.headers;
    const answers = await Promise.all(
      [one, two, one, two].map((p) => p.app.request(GOOGLE_CALENDAR_WEBHOOK_PATH, { method: 'POST', headers })),
    );
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    // Both done: a read of each, one after the other, finds the calendar free and nothing new.
    await vi.waitFor(async () => {
      for (const p of [one, two]) expect(await p.cita.calendarSync.syncAll()).toMatchObject({ moved: 0 });
      for (const p of [one, two]) expect(await p.cita.calendarSync.syncAll()).not.toHaveProperty('busy');
    });
    expect(graph.messages.filter((m) => m.to === carlos.phone && m.type !== 'document')).toHaveLength(1);
    expect((await one.cita.history.list(carlos.phone)).filter((e) => e.status === 'movedByShop')).toHaveLength(1);
  });

  it('renews a channel a day before it ends and stops the one it replaces', async () => {
    const { clock, google, processes } = await watchedShop();
    const [{ cita }] = processes as [(typeof processes)[0]];
    const [first] = google.channels();
    await cita.renewCalendarChannels();
    expect(google.channels()).toHaveLength(1);
    clock.set(new Date(first!.expiration - RENEW_BEFORE_MS + 60_000).toISOString());
    await cita.renewCalendarChannels();
    const [old, renewed] = google.channels();
    expect(old).toMatchObject({ id: first!.id, stopped: true });
    expect(renewed).toMatchObject({ stopped: false });
    expect(renewed!.expiration).toBeGreaterThan(first!.expiration);
    expect((await cita.calendarSyncStore.channels()).map((c) => c.id)).toEqual([renewed!.id]);
    expect(google.requests.filter((r) => r.route === 'stop')).toHaveLength(1);
  });
});

describe('the webhook address', () => {
  it('refuses a plain-http address other than 127.0.0.1', async () => {
    const google = await startFakeGoogleCalendar();
    running.push(google.close);
    expect(() =>
      testCita({
        adapters: { calendar: googleCalendarFor(google) },
        calendarWatch: { pollSeconds: 0, webhookUrl: 'http://cita.example.com' },
      }),
    ).toThrow(/must be https/);
  });
});
