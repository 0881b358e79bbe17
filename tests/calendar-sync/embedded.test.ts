import { afterEach, describe, expect, it } from 'vitest';
import { createRedisAdapters } from '../../adapters/redis/index.ts';
import { createSqliteAdapters } from '../../adapters/sqlite/index.ts';
import type { Calendar } from '../../src/engine/ports.ts';
import type { OutboundMessage } from '../../src/messages/whatsapp.ts';
import { redisRun } from '../redis/implementations.ts';
import { customer, fakeClock, tempDataDir, testCita } from '../support/cita.ts';
import { startFakeGraphApi } from '../support/fake-graph-api.ts';

/**
 * The embedded calendars (SQLite, and Redis without Google) keep the same promise as Google's: a
 * change made in the store behind the chat's back (an admin, a script) reaches the customer the
 * same way, through WhatsApp (the fake Graph API), and "mis citas" shows it.
 */
const running: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of running.splice(0).reverse()) await stop();
});

const run = await redisRun();

const stores: [string, () => { calendar: Calendar; adapters: Record<string, unknown>; close: () => Promise<void> }][] =
  [
    [
      'SQLite',
      () => {
        const sqlite = createSqliteAdapters({ dataDir: tempDataDir() });
        return { calendar: sqlite.adapters.calendar, adapters: sqlite.adapters, close: sqlite.close };
      },
    ],
    ...(run
      ? [
          [
            'Redis',
            () => {
              const redis = createRedisAdapters({ url: run.redis.url, prefix: run.prefix() });
              return {
                calendar: redis.calendar,
                adapters: { ...redis.adapters, calendar: redis.calendar },
                close: redis.close,
              };
            },
          ] as [string, () => { calendar: Calendar; adapters: Record<string, unknown>; close: () => Promise<void> }],
        ]
      : []),
  ];

const listed = (replies: OutboundMessage[]) => replies.map((r) => r.body).join('\n');

describe.each(stores)('the embedded calendar on %s', (_name, open) => {
  async function shopOnStore() {
    const store = open();
    const graph = await startFakeGraphApi({ accessToken: 'token', phoneNumberId: '1234' });
    const cita = testCita({ clock: fakeClock(), adapters: { ...store.adapters, messenger: graph.messenger() } });
    running.push(graph.close, store.close, () => cita.stop());
    return { store, graph, cita };
  }

  it('tells the customer of a move an admin made in the store, and "mis citas" shows it', async () => {
    const { store, graph, cita } = await shopOnStore();
    await cita.calendarSync.syncAll();
    const carlos = customer(cita);
    await carlos.say('corte el jueves a las 5');
    await carlos.say('sí');
    const [appointment] = await cita.calendar.upcomingFor(carlos.phone, cita.clock());
    expect(await cita.calendarSync.syncAll()).toMatchObject({ moved: 0, unchanged: 1 });
    expect(graph.messages).toEqual([]);

    // Straight into the store, as an admin tool would: not through the chat.
    await store.calendar.reschedule({
      ...appointment!,
      start: '2026-11-26T18:00:00.000Z',
      end: '2026-11-26T18:30:00.000Z',
    });
    expect(await cita.calendarSync.syncAll()).toMatchObject({ moved: 1 });
    const [told] = graph.messages;
    expect(JSON.stringify(told)).toContain(
      'ha cambiado tu cita de Corte de pelo al jueves 26 de noviembre a las 19:00',
    );
    expect(JSON.stringify(told)).toContain('Me va bien');
    expect(listed(await carlos.say('mis citas'))).toContain('19:00');

    await store.calendar.cancel(appointment!.id);
    expect(await cita.calendarSync.syncAll()).toMatchObject({ cancelled: 1 });
    expect(JSON.stringify(graph.messages.at(-1))).toContain('Reservar otra');
    // The notice of the move, its calendar file, the notice of the cancellation (no file for that).
    expect(graph.messages.map((message) => message.type)).toEqual(['interactive', 'document', 'interactive']);
  });

  it("tells nobody of the chat's own booking, move and cancellation", async () => {
    const { graph, cita } = await shopOnStore();
    await cita.calendarSync.syncAll();
    const carlos = customer(cita);
    await carlos.say('corte el jueves a las 5');
    await carlos.say('sí');
    await carlos.say('cambiar mi cita');
    await carlos.say('el viernes a las 10');
    await carlos.say('sí');
    await carlos.say('cancelar mi cita');
    await carlos.say('sí');
    // The store logged three writes of one appointment; only where it stands now is compared.
    expect(await cita.calendarSync.syncAll()).toMatchObject({ moved: 0, cancelled: 0, unchanged: 1 });
    expect(graph.messages).toEqual([]);
  });

  it('tells nobody of a booking and its move in the chat read in one go (the older write is not replayed)', async () => {
    const { graph, cita } = await shopOnStore();
    await cita.calendarSync.syncAll();
    const carlos = customer(cita);
    await carlos.say('corte el jueves a las 5');
    await carlos.say('sí');
    await carlos.say('cambiar mi cita');
    await carlos.say('el viernes a las 10');
    await carlos.say('sí');
    expect(await cita.calendarSync.syncAll()).toMatchObject({ moved: 0, unchanged: 1 });
    expect(graph.messages).toEqual([]);
    expect(listed(await carlos.say('mis citas'))).toContain('viernes');
  });
});
