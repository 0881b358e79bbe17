import { describe, expect, it } from 'vitest';
import { SqliteCalendar } from '../adapters/sqlite/calendar.ts';
import { SqliteSlotHolds } from '../adapters/sqlite/holds.ts';
import type { Appointment, Calendar } from '../src/engine/ports.ts';
import { citaPerTest, customer, fakeClock, stateOf } from './support/cita.ts';
import { memoryDatabase } from './support/sqlite.ts';

const start = citaPerTest();
const EVER = new Date(0);

/** The embedded calendar, with a write that lands but whose answer is lost once (a timeout after the insert). */
function calendarLosingOneAnswer(): Calendar {
  const calendar = new SqliteCalendar(memoryDatabase());
  let lost = false;
  return {
    busy: (window) => calendar.busy(window),
    async create(appointment: Appointment) {
      const written = await calendar.create(appointment);
      if (lost) return written;
      lost = true;
      throw new Error('socket hang up after the insert');
    },
    get: (id) => calendar.get(id),
    cancel: (id) => calendar.cancel(id),
    reschedule: (a) => calendar.reschedule(a),
    upcomingFor: (phone, from) => calendar.upcomingFor(phone, from),
    between: (window) => calendar.between(window),
    block: (block) => calendar.block(block),
  };
}

/** The embedded calendar answering busy time as Google's free/busy does: clipped to the window asked about. */
function calendarClippingBusyTime(): Calendar {
  const calendar = new SqliteCalendar(memoryDatabase());
  return {
    busy: async (window) =>
      (await calendar.busy(window)).map(({ start, end }) => ({
        start: new Date(Math.max(Date.parse(start), Date.parse(window.start))).toISOString(),
        end: new Date(Math.min(Date.parse(end), Date.parse(window.end))).toISOString(),
      })),
    create: (a) => calendar.create(a),
    get: (id) => calendar.get(id),
    cancel: (id) => calendar.cancel(id),
    reschedule: (a) => calendar.reschedule(a),
    upcomingFor: (phone, from) => calendar.upcomingFor(phone, from),
    between: (window) => calendar.between(window),
    block: (block) => calendar.block(block),
  };
}

describe('faults around booking', () => {
  it('tells the customer they are booked when the write landed but its answer was lost, and books once', async () => {
    const cita = start({ adapters: { calendar: calendarLosingOneAnswer() } });
    const carlos = customer(cita);
    await carlos.say('corte mañana a las 5');
    await carlos.say('sí');
    expect(carlos.lastText).toContain('¡Cita reservada!');
    expect(await cita.calendar.upcomingFor(carlos.phone, EVER)).toHaveLength(1);
    expect(await cita.history.list(carlos.phone)).toMatchObject([{ status: 'booked' }]);
  });

  it('does not let a neighbour take a time inside the buffer of a slot someone holds', async () => {
    const cita = start();
    const carlos = customer(cita);
    const ana = customer(cita, '34600000002', 'Ana');
    await ana.say('corte mañana por la tarde');
    await ana.say('a las 4');
    // Ana sees the afternoon list; Carlos then holds 17:00–17:30 (buffer to 17:40).
    await ana.say('atrás');
    await ana.say('mañana');
    await carlos.say('corte mañana a las 5');
    expect(await stateOf(cita, carlos.phone)).toBe('confirming');
    // Ana picks 17:30 from what she saw: it would start inside Carlos's buffer.
    await ana.send('PICK_TIME:17:30');
    expect(ana.lastText).toContain('alguien acaba de reservar esa hora');
    await carlos.say('sí');
    expect(carlos.lastText).toContain('¡Cita reservada!');
  });

  it('moves an appointment to a time next to its old one when the calendar clips busy time to the window', async () => {
    const cita = start({ adapters: { calendar: calendarClippingBusyTime() } });
    const carlos = customer(cita);
    await carlos.say('corte mañana a las 5');
    await carlos.say('sí');
    await carlos.say('cambiar mi cita');
    await carlos.say('mañana a las 17:30');
    await carlos.say('sí');
    expect(carlos.lastText).toContain('¡Cita cambiada!');
    expect(await cita.calendar.upcomingFor(carlos.phone, EVER)).toMatchObject([{ start: '2026-11-25T16:30:00.000Z' }]);
  });

  it('carries on when letting go of a hold fails: the hold expires by itself', async () => {
    const clock = fakeClock();
    const holds = new SqliteSlotHolds(memoryDatabase());
    holds.release = async () => {
      throw new Error('redis down');
    };
    const cita = start({ clock, adapters: { holds } });
    const carlos = customer(cita);
    await carlos.say('corte mañana a las 5');
    await carlos.say('mejor el jueves');
    expect(await stateOf(cita, carlos.phone)).toBe('confirming');
    expect(carlos.lastText).toContain('jueves 26 de noviembre a las 17:00');
  });
});
