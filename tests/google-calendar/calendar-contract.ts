import { afterEach, describe, expect, it } from 'vitest';
import type { Appointment, Calendar } from '../../src/engine/ports.ts';

/** A calendar to run the contract against, and how to tidy up after it (stop a server, flush a database). */
export interface CalendarUnderTest {
  calendar: Calendar;
  cleanup?: () => Promise<void>;
}

/** An appointment on Wednesday 25 November 2026; ids are base32hex as the port requires. */
export function appointment(overrides: Partial<Appointment> & { n: number }): Appointment {
  const { n, ...rest } = overrides;
  return {
    id: `booking${String(n).padStart(4, '0')}`,
    serviceId: 'corte',
    serviceName: 'Corte de pelo',
    phone: '34600000001',
    customerName: 'Carlos',
    start: '2026-11-25T09:00:00.000Z',
    end: '2026-11-25T09:30:00.000Z',
    ...rest,
  };
}

const day = { start: '2026-11-25T00:00:00.000Z', end: '2026-11-26T00:00:00.000Z' };

/**
 * The behaviour every Calendar implementation shares, so the engine can swap one for another
 * without noticing. Call it once per implementation with a factory that returns a fresh, empty
 * calendar for each test.
 *
 * @example
 * calendarContract('SqliteCalendar', async () => ({ calendar: new SqliteCalendar(memoryDatabase()) }));
 */
export function calendarContract(name: string, makeCalendar: () => Promise<CalendarUnderTest>) {
  describe(`${name} keeps the Calendar contract`, () => {
    const cleanups: (() => Promise<void>)[] = [];
    afterEach(async () => {
      await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
    });
    async function fresh(): Promise<Calendar> {
      const { calendar, cleanup } = await makeCalendar();
      if (cleanup) cleanups.push(cleanup);
      return calendar;
    }

    it("keeps an appointment's barber through create, get, upcoming and a move", async () => {
      const calendar = await fresh();
      const javi = appointment({ n: 7, barberId: 'javi' });
      expect(await calendar.create(javi)).toMatchObject({ barberId: 'javi' });
      expect(await calendar.get(javi.id)).toMatchObject({ barberId: 'javi' });
      const moved = { ...javi, start: '2026-11-25T11:00:00.000Z', end: '2026-11-25T11:30:00.000Z' };
      expect(await calendar.reschedule(moved)).toMatchObject({ barberId: 'javi', start: moved.start });
      expect(await calendar.upcomingFor(javi.phone, new Date(0))).toMatchObject([{ id: javi.id, barberId: 'javi' }]);
      // Busy time of a barber's appointment blocks that barber (or, where the calendar cannot tell, every chair).
      const [busy] = await calendar.busy(day);
      expect(busy.barberId === 'javi' || busy.barberId === undefined).toBe(true);
    });

    it('reports no busy time on an empty calendar', async () => {
      const calendar = await fresh();
      expect(await calendar.busy(day)).toEqual([]);
    });

    it('reports an appointment as busy for exactly its own interval', async () => {
      const calendar = await fresh();
      await calendar.create(appointment({ n: 1 }));
      expect(await calendar.busy(day)).toEqual([
        { start: '2026-11-25T09:00:00.000Z', end: '2026-11-25T09:30:00.000Z' },
      ]);
    });

    it('counts a window overlapping an appointment by one minute as busy, and one that only touches it as free', async () => {
      const calendar = await fresh();
      await calendar.create(appointment({ n: 1 }));
      const before = { start: '2026-11-25T08:00:00.000Z', end: '2026-11-25T09:00:00.000Z' };
      const after = { start: '2026-11-25T09:30:00.000Z', end: '2026-11-25T10:00:00.000Z' };
      const lastMinute = { start: '2026-11-25T09:29:00.000Z', end: '2026-11-25T10:00:00.000Z' };
      expect(await calendar.busy(before)).toEqual([]);
      expect(await calendar.busy(after)).toEqual([]);
      expect(await calendar.busy(lastMinute)).toHaveLength(1);
    });

    it('returns the created appointment and finds it again by id, field for field', async () => {
      const calendar = await fresh();
      const written = appointment({ n: 1 });
      expect(await calendar.create(written)).toEqual(written);
      expect(await calendar.get(written.id)).toEqual(written);
    });

    it('keeps an appointment without a customer name', async () => {
      const calendar = await fresh();
      const { customerName: _, ...nameless } = appointment({ n: 1 });
      await calendar.create(nameless);
      expect(await calendar.get(nameless.id)).toEqual(nameless);
    });

    it('answers undefined for an id it never wrote', async () => {
      const calendar = await fresh();
      expect(await calendar.get('neverwritten1')).toBeUndefined();
    });

    it('writes one appointment when the same id is created twice, and answers the first both times', async () => {
      const calendar = await fresh();
      const first = appointment({ n: 1 });
      await calendar.create(first);
      expect(await calendar.create({ ...first, customerName: 'Someone else' })).toEqual(first);
      expect(await calendar.busy(day)).toHaveLength(1);
      expect(await calendar.upcomingFor(first.phone, new Date(day.start))).toEqual([first]);
    });

    it('writes one appointment when the same id is created 20 times at once', async () => {
      const calendar = await fresh();
      const booking = appointment({ n: 1 });
      const answers = await Promise.all(Array.from({ length: 20 }, () => calendar.create(booking)));
      expect(answers).toEqual(Array(20).fill(booking));
      expect(await calendar.busy(day)).toHaveLength(1);
    });

    it('frees the time of a cancelled appointment and forgets it', async () => {
      const calendar = await fresh();
      const kept = appointment({ n: 1 });
      const cancelled = appointment({ n: 2, start: '2026-11-25T10:00:00.000Z', end: '2026-11-25T10:30:00.000Z' });
      await calendar.create(kept);
      await calendar.create(cancelled);
      await calendar.cancel(cancelled.id);
      expect(await calendar.get(cancelled.id)).toBeUndefined();
      expect(await calendar.busy(day)).toEqual([{ start: kept.start, end: kept.end }]);
      expect(await calendar.upcomingFor(kept.phone, new Date(day.start))).toEqual([kept]);
    });

    it('moves an appointment in place: same id, new service and time, the old time free again', async () => {
      const calendar = await fresh();
      const booked = appointment({ n: 1 });
      await calendar.create(booked);
      const moved = {
        ...booked,
        serviceId: 'barba',
        serviceName: 'Arreglo de barba',
        start: '2026-11-25T15:00:00.000Z',
        end: '2026-11-25T15:20:00.000Z',
      };
      expect(await calendar.reschedule(moved)).toEqual(moved);
      expect(await calendar.get(booked.id)).toEqual(moved);
      expect(await calendar.busy(day)).toEqual([{ start: moved.start, end: moved.end }]);
      expect(await calendar.upcomingFor(booked.phone, new Date(day.start))).toEqual([moved]);
    });

    it('refuses to move an appointment that is not there', async () => {
      const calendar = await fresh();
      await expect(calendar.reschedule(appointment({ n: 7 }))).rejects.toThrow();
    });

    it('accepts cancelling an appointment twice, or one that never existed', async () => {
      const calendar = await fresh();
      await calendar.create(appointment({ n: 1 }));
      await calendar.cancel(appointment({ n: 1 }).id);
      await expect(calendar.cancel(appointment({ n: 1 }).id)).resolves.toBeUndefined();
      await expect(calendar.cancel('neverwritten1')).resolves.toBeUndefined();
    });

    it("lists a phone's appointments from a moment on, in order of start, and nobody else's", async () => {
      const calendar = await fresh();
      const carlos = '34600000001';
      const past = appointment({ n: 1, start: '2026-11-24T09:00:00.000Z', end: '2026-11-24T09:30:00.000Z' });
      const later = appointment({ n: 2, start: '2026-11-27T16:00:00.000Z', end: '2026-11-27T16:30:00.000Z' });
      const atFrom = appointment({ n: 3, start: '2026-11-25T09:00:00.000Z', end: '2026-11-25T09:30:00.000Z' });
      // Started before `from` and still running at it: not upcoming.
      const running = appointment({ n: 5, start: '2026-11-25T08:50:00.000Z', end: '2026-11-25T09:10:00.000Z' });
      const ana = appointment({
        n: 4,
        phone: '34600000002',
        customerName: 'Ana',
        start: '2026-11-26T10:00:00.000Z',
        end: '2026-11-26T10:20:00.000Z',
      });
      for (const a of [later, past, ana, running, atFrom]) await calendar.create(a);
      expect(await calendar.upcomingFor(carlos, new Date(atFrom.start))).toEqual([atFrom, later]);
      expect(await calendar.upcomingFor('34600000002', new Date(day.start))).toEqual([ana]);
      expect(await calendar.upcomingFor('34699999999', new Date(0))).toEqual([]);
    });

    it("lists everyone's appointments overlapping a window, in order of start (a day's agenda)", async () => {
      const calendar = await fresh();
      const early = appointment({ n: 1, start: '2026-11-25T09:00:00.000Z', end: '2026-11-25T09:30:00.000Z' });
      const ana = appointment({
        n: 2,
        phone: '34600000002',
        customerName: 'Ana',
        start: '2026-11-25T08:00:00.000Z',
        end: '2026-11-25T08:30:00.000Z',
      });
      const nextDay = appointment({ n: 3, start: '2026-11-26T09:00:00.000Z', end: '2026-11-26T09:30:00.000Z' });
      for (const a of [early, nextDay, ana]) await calendar.create(a);
      expect(await calendar.between(day)).toEqual([ana, early]);
      expect(await calendar.between({ start: '2026-11-27T00:00:00.000Z', end: '2026-11-28T00:00:00.000Z' })).toEqual(
        [],
      );
    });

    it('counts blocked time as busy, once however often it is written, and never as an appointment', async () => {
      const calendar = await fresh();
      const block = {
        id: 'block00001',
        start: '2026-11-25T14:00:00.000Z',
        end: '2026-11-25T15:00:00.000Z',
        by: 'Luis',
      };
      await calendar.block(block);
      await calendar.block(block);
      expect(await calendar.busy(day)).toEqual([{ start: block.start, end: block.end }]);
      expect(await calendar.busy({ start: '2026-11-25T15:00:00.000Z', end: '2026-11-25T16:00:00.000Z' })).toEqual([]);
      expect(await calendar.between(day)).toEqual([]);
      expect(await calendar.upcomingFor('34600000001', new Date(0))).toEqual([]);
    });
  });
}
