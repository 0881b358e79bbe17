import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SqliteCalendar } from '../../adapters/sqlite/calendar.ts';
import { memoryDatabase } from '../support/sqlite.ts';

const HOUR = 3_600_000;
const FROM = Date.UTC(2026, 10, 24);
const iso = (millis: number) => new Date(millis).toISOString();

describe('the SQLite calendar', () => {
  it("finds every appointment overlapping a window, however long, and no other (another shop's neither)", async () => {
    await fc.assert(
      fc.asyncProperty(
        // Appointments over two weeks lasting from a few minutes to three days, and windows of any length.
        fc.array(fc.tuple(fc.integer({ min: 0, max: 14 * 24 * 4 }), fc.integer({ min: 1, max: 3 * 24 * 4 })), {
          maxLength: 25,
        }),
        fc.tuple(fc.integer({ min: 0, max: 16 * 24 * 4 }), fc.integer({ min: 1, max: 3 * 24 * 4 })),
        async (appointments, [windowStart, windowLength]) => {
          const database = memoryDatabase();
          const calendar = new SqliteCalendar(database);
          const other = new SqliteCalendar(database, { shop: 'other-shop' });
          const quarters = (n: number) => FROM + (n * HOUR) / 4;
          for (const [index, [start, length]] of appointments.entries()) {
            const appointment = {
              id: `appt${index}`,
              serviceId: 'corte',
              serviceName: 'Corte',
              phone: '34600000001',
              start: iso(quarters(start)),
              end: iso(quarters(start + length)),
              barberId: 'javi',
            };
            await calendar.create(appointment);
            await other.create({ ...appointment, start: iso(quarters(start - 400)), end: iso(quarters(start + 400)) });
          }
          const window = { start: quarters(windowStart), end: quarters(windowStart + windowLength) };
          const expected = appointments
            .map(([start, length]) => ({ start: quarters(start), end: quarters(start + length) }))
            .filter(({ start, end }) => end > window.start && start < window.end)
            .map(({ start, end }) => ({ start: iso(start), end: iso(end), barberId: 'javi' }));
          const busy = await calendar.busy({ start: iso(window.start), end: iso(window.end) });
          expect(busy).toHaveLength(expected.length);
          expect(busy).toEqual(expect.arrayContaining(expected));
          database.close();
        },
      ),
      { numRuns: 150 },
    );
  });
});
