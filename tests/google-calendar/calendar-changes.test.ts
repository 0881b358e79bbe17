import { afterEach, describe, expect, it } from 'vitest';
import { RedisCalendar } from '../../adapters/redis/calendar.ts';
import { SqliteCalendar } from '../../adapters/sqlite/calendar.ts';
import type { Calendar, CalendarChanges } from '../../src/engine/ports.ts';
import { redisRun } from '../redis/implementations.ts';
import { startFakeGoogleCalendar } from '../support/fake-google-calendar.ts';
import { memoryDatabase } from '../support/sqlite.ts';
import { appointment } from './calendar-contract.ts';
import { googleCalendarFor } from './google.ts';

/**
 * The CalendarChanges contract: Google's sync tokens (through the real client, against the fake)
 * and the embedded stores' change logs answer alike. "The owner" changes an appointment as the
 * shop would: by hand in Google Calendar, or straight in the store (an admin, the staff).
 */
interface ChangesUnderTest {
  calendar: Calendar & CalendarChanges;
  /** Another process's view of the same calendar. */
  another: () => Calendar & CalendarChanges;
  ownerMoves(id: string, start: string, end: string): Promise<void>;
  ownerDeletes(id: string): Promise<void>;
  cleanup?: () => Promise<void>;
}

const run = await redisRun();

const implementations: [string, () => Promise<ChangesUnderTest>][] = [
  [
    'Google Calendar (sync tokens)',
    async () => {
      const google = await startFakeGoogleCalendar({ pageSize: 7 });
      const calendar = googleCalendarFor(google);
      return {
        calendar,
        another: () => googleCalendarFor(google),
        ownerMoves: async (id, start, end) => google.barber.move(id, start, end),
        ownerDeletes: async (id) => google.barber.delete(id),
        cleanup: google.close,
      };
    },
  ],
  [
    'SQLite (change log)',
    async () => {
      const db = memoryDatabase();
      const calendar = new SqliteCalendar(db);
      return {
        calendar,
        another: () => new SqliteCalendar(db),
        ownerMoves: async (id, start, end) =>
          void (await calendar.reschedule({ ...(await calendar.get(id))!, start, end })),
        ownerDeletes: (id) => calendar.cancel(id),
      };
    },
  ],
  ...(run
    ? [
        [
          'Redis (change log)',
          async () => {
            const prefix = run.prefix();
            const calendar = new RedisCalendar(run.connection(), { prefix });
            return {
              calendar,
              another: () => new RedisCalendar(run.connection(), { prefix }),
              ownerMoves: async (id: string, start: string, end: string) =>
                void (await calendar.reschedule({ ...(await calendar.get(id))!, start, end })),
              ownerDeletes: (id: string) => calendar.cancel(id),
            };
          },
        ] as [string, () => Promise<ChangesUnderTest>],
      ]
    : []),
];

describe.each(implementations)('%s keeps the CalendarChanges contract', (_name, make) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
  });
  async function start() {
    const made = await make();
    if (made.cleanup) cleanups.push(made.cleanup);
    return made;
  }
  const source = (c: CalendarChanges) => c.sources()[0]!;

  it('reports nothing from before the first read, then each change after it', async () => {
    const { calendar } = await start();
    await calendar.create(appointment({ n: 1 }));
    const first = await calendar.changesSince(source(calendar), undefined);
    expect(first.changes).toEqual([]);
    await calendar.create(appointment({ n: 2, start: '2026-11-25T11:00:00.000Z', end: '2026-11-25T11:30:00.000Z' }));
    const next = await calendar.changesSince(source(calendar), first.position);
    expect(next.changes).toEqual([
      { eventId: 'booking0002', status: 'confirmed', appointment: expect.objectContaining({ id: 'booking0002' }) },
    ]);
    expect((await calendar.changesSince(source(calendar), next.position)).changes).toEqual([]);
  });

  it("reports the owner's move with the new times, and a deletion as cancelled", async () => {
    const { calendar, ownerMoves, ownerDeletes } = await start();
    await calendar.create(appointment({ n: 1 }));
    await calendar.create(appointment({ n: 2, start: '2026-11-25T11:00:00.000Z', end: '2026-11-25T11:30:00.000Z' }));
    const { position } = await calendar.changesSince(source(calendar), undefined);
    await ownerMoves('booking0001', '2026-11-26T17:00:00.000Z', '2026-11-26T17:30:00.000Z');
    await ownerDeletes('booking0002');
    const { changes } = await calendar.changesSince(source(calendar), position);
    expect(changes).toEqual([
      {
        eventId: 'booking0001',
        status: 'confirmed',
        appointment: { ...appointment({ n: 1 }), start: '2026-11-26T17:00:00.000Z', end: '2026-11-26T17:30:00.000Z' },
      },
      { eventId: 'booking0002', status: 'cancelled' },
    ]);
  });

  it('reports each of 50 changes once, over several pages, and a second process reads on from the same position', async () => {
    const { calendar, another } = await start();
    const { position } = await calendar.changesSince(source(calendar), undefined);
    for (let n = 1; n <= 50; n++) {
      const start = new Date(Date.parse('2026-11-25T08:00:00.000Z') + n * 15 * 60_000).toISOString();
      await calendar.create(appointment({ n, start, end: new Date(Date.parse(start) + 15 * 60_000).toISOString() }));
    }
    const read = await calendar.changesSince(source(calendar), position);
    expect(read.changes.map((c) => c.eventId)).toEqual(
      Array.from({ length: 50 }, (_, i) => `booking${String(i + 1).padStart(4, '0')}`),
    );
    const elsewhere = another();
    expect(await elsewhere.changesSince(source(elsewhere), position)).toEqual(read);
    await calendar.cancel('booking0001');
    expect((await elsewhere.changesSince(source(elsewhere), read.position)).changes).toEqual([
      { eventId: 'booking0001', status: 'cancelled' },
    ]);
  });
});

describe('Google sync tokens', () => {
  it('reads every event again when Google answers 410 Gone to an expired token', async () => {
    const google = await startFakeGoogleCalendar({ pageSize: 3 });
    try {
      const calendar = googleCalendarFor(google, { clock: () => new Date('2026-11-24T09:00:00Z') });
      const { position } = await calendar.changesSince(google.calendarId, undefined);
      for (let n = 1; n <= 4; n++)
        await calendar.create(
          appointment({ n, start: `2026-11-25T1${n}:00:00.000Z`, end: `2026-11-25T1${n}:30:00.000Z` }),
        );
      await calendar.cancel('booking0004');
      google.expireSyncTokens();
      const read = await calendar.changesSince(google.calendarId, position);
      expect(read.resynced).toBe(true);
      expect(read.changes.map((c) => [c.eventId, c.status])).toEqual([
        ['booking0001', 'confirmed'],
        ['booking0002', 'confirmed'],
        ['booking0003', 'confirmed'],
        ['booking0004', 'cancelled'],
      ]);
      // The new token is good: nothing since.
      expect((await calendar.changesSince(google.calendarId, read.position)).changes).toEqual([]);
      const lists = google.requests.filter((r) => r.route === 'list');
      expect(lists.some((r) => r.query.syncToken?.[0] === position)).toBe(true);
    } finally {
      await google.close();
    }
  });

  it('says whose chair an event dragged into a barber calendar takes, and the origin reports it cancelled', async () => {
    const LUCIA = 'lucia@group.calendar.google.com';
    const google = await startFakeGoogleCalendar({ calendars: [LUCIA] });
    try {
      const calendar = googleCalendarFor(google, { barbers: [{ id: 'javi' }, { id: 'lucia', calendarId: LUCIA }] });
      const [shopSource, luciaSource] = calendar.sources();
      expect(calendar.sources()).toEqual([google.calendarId, LUCIA]);
      await calendar.create(appointment({ n: 1, barberId: 'javi' }));
      const shopAt = await calendar.changesSince(shopSource!, undefined);
      const luciaAt = await calendar.changesSince(luciaSource!, undefined);
      google.barber.moveTo('booking0001', LUCIA);
      expect((await calendar.changesSince(shopSource!, shopAt.position)).changes).toEqual([
        { eventId: 'booking0001', status: 'cancelled' },
      ]);
      expect((await calendar.changesSince(luciaSource!, luciaAt.position)).changes).toEqual([
        { eventId: 'booking0001', status: 'confirmed', appointment: { ...appointment({ n: 1 }), barberId: 'lucia' } },
      ]);
      // Where it stands now, whichever calendar is asked first.
      expect(await calendar.get('booking0001')).toMatchObject({ id: 'booking0001' });
    } finally {
      await google.close();
    }
  });
});
