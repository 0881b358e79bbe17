import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chat, inProcessCita } from '../bench/support/in-process.ts';
import { BENCH_SHOP_CONFIG } from '../bench/support/server.ts';
import { loadShopConfig } from '../config/load.ts';
import { nearestFirst } from '../machines/nearest-slots.ts';
import { dayAvailability } from '../src/availability/slots.ts';
import { PackedSlots, packSlots, SavedSlots, unpackSlots } from '../src/engine/saved-slots.ts';
import { shop } from './support/cita.ts';

/** The shop open all day, every day: the DST days (Sundays) and their missing or doubled hour included. */
const allDay = {
  ...shop,
  openingHours: Object.fromEntries(
    Object.keys(shop.openingHours).map((day) => [day, [{ from: '00:00', to: '23:59' }]]),
  ) as typeof shop.openingHours,
};

/** A day of the shop with some appointments in it, the way the machine gets it, asked the day before. */
function dayWith(date: string, appointments: { hour: number; minute: number; length: number }[], duration: number) {
  const busy = appointments.map(({ hour, minute, length }) => {
    const start = new Date(`${date}T${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}:00Z`);
    return { start: start.toISOString(), end: new Date(start.getTime() + length * 60_000).toISOString() };
  });
  return dayAvailability({
    rules: allDay,
    date,
    durationMinutes: duration,
    busy,
    holds: [],
    phone: '34600000001',
    now: new Date(Date.parse(`${date}T09:00:00Z`) - 24 * 3_600_000),
  }).slots;
}

const appointment = fc.record({
  hour: fc.integer({ min: 7, max: 20 }),
  minute: fc.integer({ min: 0, max: 59 }),
  length: fc.integer({ min: 5, max: 120 }),
});

describe('the day’s slots as saved', () => {
  it('come back exactly, in the same order, whatever the bookings, the day (DST ones too) and the order', () => {
    fc.assert(
      fc.property(
        // Madrid's clocks go forward on 28 March 2027 and back on 31 October 2027.
        fc.constantFrom('2026-11-25', '2026-11-26', '2027-03-28', '2027-03-29', '2027-10-31', '2027-11-02'),
        fc.array(appointment, { maxLength: 12 }),
        fc.constantFrom(10, 30, 45, 50),
        fc.option(fc.integer({ min: 9 * 60, max: 19 * 60 })),
        (date, appointments, duration, wanted) => {
          const free = dayWith(date, appointments, duration);
          const time =
            wanted === null
              ? undefined
              : `${String(Math.floor(wanted / 60)).padStart(2, '0')}:${String(wanted % 60).padStart(2, '0')}`;
          const slots = time ? nearestFirst(free, { from: time, to: time }, 9) : free;
          const packed = packSlots(slots);
          // Every day offers times, and they all follow the grid: every one packs.
          expect(slots.length).toBeGreaterThan(0);
          expect(Array.isArray(packed)).toBe(false);
          // Unpacked from what was saved, not from the list the process still remembers.
          const saved = JSON.parse(JSON.stringify(packed));
          expect(Array.isArray(saved) ? saved : unpackSlots(PackedSlots.parse(saved))).toEqual(slots);
        },
      ),
    );
  });

  it('keeps a day of free slots every few minutes to a few bytes, not one object per slot', () => {
    const slots = Array.from({ length: 288 }, (_, i) => {
      const start = Date.parse('2026-12-09T00:00:00Z') - 3_600_000 + i * 5 * 60_000;
      const minute = i * 5;
      return {
        date: '2026-12-09',
        time: `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`,
        start: new Date(start).toISOString(),
        end: new Date(start + 10 * 60_000).toISOString(),
      };
    });
    const packed = PackedSlots.parse(packSlots(slots));
    expect(packed.runs).toEqual([[0, Date.parse(slots[0]!.start) / 60_000, 5, 288, 10]]);
    expect(unpackSlots(packed)).toEqual(slots);
    expect(JSON.stringify(packed).length).toBeLessThan(60);
  });

  it('keeps slots as they are when they do not follow the pattern, so none is ever lost', () => {
    const slots = dayWith('2026-11-25', [], 30).slice(0, 3);
    const twoDays = [...slots, { ...slots[0]!, date: '2026-11-26' }];
    expect(packSlots(twoDays)).toBe(twoDays);
    const odd = [{ ...slots[0]!, start: '2026-11-25T09:00:30.000Z' }];
    expect(packSlots(odd)).toBe(odd);
    const unreadable = [{ ...slots[0]!, end: 'later' }];
    expect(packSlots(unreadable)).toBe(unreadable);
    const offset = [{ ...slots[0]!, start: slots[0]!.start.replace('.000Z', '+00:00') }];
    expect(packSlots(offset)).toBe(offset);
    expect(packSlots([])).toEqual([]);
  });

  it('unpacks a list saved once per process, shared and frozen, and does not pack it again unchanged', () => {
    const saved = { date: '2026-11-25', runs: [[600, Date.parse('2026-11-25T09:00:00Z') / 60_000, 15, 4, 30]] };
    const first = SavedSlots.parse(saved);
    expect(first.map((slot) => slot.time)).toEqual(['10:00', '10:15', '10:30', '10:45']);
    expect(SavedSlots.parse(structuredClone(saved))).toBe(first);
    expect(Object.isFrozen(first) && Object.isFrozen(first[0])).toBe(true);
    expect(packSlots(first)).toEqual(saved);
  });

  it('refuses a packed list that is not one', () => {
    expect(SavedSlots.safeParse({ date: '2026-11-25', runs: [[600, 1, 0, 3, 30]] }).success).toBe(false);
    expect(SavedSlots.safeParse({ date: 'tomorrow', runs: [] }).success).toBe(false);
  });
});

describe('the saved snapshot', () => {
  it('stays under 1 KB in every state of a booking, even on a shop open 24 hours at 5-minute steps', async () => {
    const cita = inProcessCita(loadShopConfig(BENCH_SHOP_CONFIG));
    const customer = chat(cita, '34600000001');
    const sizes: Record<string, number> = {};
    const keep = async () => {
      const { conversation } = await cita.conversations.load('34600000001');
      if (!conversation) throw new Error('no conversation was saved');
      const snapshot = conversation.snapshot as { value: unknown };
      sizes[String(snapshot.value)] = JSON.stringify(snapshot).length;
    };
    try {
      await customer.say('hola');
      await keep();
      await customer.tap('SELECT_SERVICE:corte');
      await keep();
      await customer.tap(customer.offered.find((id) => id.startsWith('PICK_DATE:'))!);
      await keep();
      await customer.tap('MORE_TIMES');
      await keep();
      await customer.say('a las 17:30');
      await keep();
      await customer.say('sí');
      await keep();
    } finally {
      await cita.stop();
    }
    expect(Object.keys(sizes)).toEqual(
      expect.arrayContaining(['choosingService', 'choosingSlot', 'confirming', 'booked']),
    );
    for (const [state, bytes] of Object.entries(sizes))
      expect({ state, bytes: Math.min(bytes, 1024) }).toEqual({ state, bytes });
  });
});
