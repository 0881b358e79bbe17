import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { RedisCalendar } from '../../adapters/redis/calendar.ts';
import { RedisBookingHistory } from '../../adapters/redis/history.ts';
import { RedisSlotHolds } from '../../adapters/redis/holds.ts';
import { RedisReminderSchedule } from '../../adapters/redis/reminders.ts';
import { SqliteCalendar } from '../../adapters/sqlite/calendar.ts';
import { SqliteBookingHistory } from '../../adapters/sqlite/history.ts';
import { SqliteSlotHolds } from '../../adapters/sqlite/holds.ts';
import { SqliteReminderSchedule } from '../../adapters/sqlite/reminders.ts';
import { barbersFor } from '../../config/schema.ts';
import { failureReason, type Slot } from '../../machines/booking.context.ts';
import { chairsAvailability, chairsFor } from '../../src/availability/chairs.ts';
import { type BookingDependencies, bookingStepsFor } from '../../src/engine/booking-actors.ts';
import type { Appointment } from '../../src/engine/ports.ts';
import { fakeClock, teamShop } from '../support/cita.ts';
import { sharedDatabase } from '../support/sqlite.ts';
import { redisRuns } from './implementations.ts';

const runs = await redisRuns();
const shop = teamShop;
const EVER = new Date(0);

/**
 * Customers racing for the chairs of the three-barber shop through the engine's own booking
 * actors (hold, final check under the hold, calendar write). Each "process" has its own Redis
 * connection, or its own connection to one SQLite file, and its own adapters.
 */
const stores: { name: string; processes: (count: number) => BookingDependencies[] }[] = [
  {
    // Each "process" its own connection to one SQLite file: SQLite's locking keeps them apart.
    name: 'SQLite',
    processes: (count) => {
      const clock = fakeClock();
      return sharedDatabase(count).map((database) => ({
        shop,
        clock,
        calendar: new SqliteCalendar(database),
        holds: new SqliteSlotHolds(database, { now: () => clock().getTime() }),
        history: new SqliteBookingHistory(database),
        reminders: new SqliteReminderSchedule(database),
      }));
    },
  },
  ...runs.map((run) => ({
    name: run.name,
    processes: (count: number) => {
      const prefix = run.prefix();
      const clock = fakeClock();
      return Array.from({ length: count }, () => {
        const redis = run.redis.connect();
        return {
          shop,
          clock,
          calendar: new RedisCalendar(redis, { prefix }),
          holds: new RedisSlotHolds(redis, { prefix }),
          history: new RedisBookingHistory(redis, { prefix }),
          reminders: new RedisReminderSchedule(redis, { prefix, shards: run.shards }),
        };
      });
    },
  })),
];

/** One customer's attempt, as the machine runs it: hold (one barber, or anyone), then book. */
async function attempt(
  deps: BookingDependencies,
  phone: string,
  serviceId: string,
  slot: Slot,
  barberId: string,
  companions?: string[],
) {
  const steps = bookingStepsFor({ phone }, deps);
  try {
    const hold = await steps.holdSlot({ serviceId, slot, barberId, companions });
    await steps.bookAppointment({ serviceId, hold });
    return 'booked';
  } catch (error) {
    return failureReason(error);
  }
}

/** Every appointment written, by phone (the calendar's own index). */
async function allAppointments(deps: BookingDependencies, phones: string[]): Promise<Appointment[]> {
  return (await Promise.all(phones.map((phone) => deps.calendar.upcomingFor(phone, EVER)))).flat();
}

/** Pairs of one barber's appointments closer than the buffer (or overlapping). */
function tooClose(appointments: Appointment[], bufferMinutes: number): string[] {
  const clashes: string[] = [];
  for (const barber of shop.barbers) {
    const theirs = appointments.filter((a) => a.barberId === barber.id).sort((a, b) => a.start.localeCompare(b.start));
    for (let i = 1; i < theirs.length; i++) {
      if (Date.parse(theirs[i].start) < Date.parse(theirs[i - 1].end) + bufferMinutes * 60_000) {
        clashes.push(`${barber.id}: ${theirs[i - 1].start} and ${theirs[i].start}`);
      }
    }
  }
  return clashes;
}

const phoneOf = (n: number) => `346${String(n).padStart(8, '0')}`;

describe.each(stores)('barber races ($name)', ({ processes }) => {
  it('gives 30 customers asking anyone for the same hour exactly 3 bookings, one per barber', async () => {
    const deps = processes(4);
    const { slots } = chairsAvailability({
      chairs: chairsFor(shop, 'corte', 'any'),
      date: '2026-11-26',
      durationMinutes: 30,
      busy: [],
      holds: [],
      phone: 'nobody',
      now: deps[0].clock(),
    });
    const five = slots.find((slot) => slot.time === '17:00')!;
    const phones = Array.from({ length: 30 }, (_, n) => phoneOf(n));
    const outcomes = await Promise.all(phones.map((phone, n) => attempt(deps[n % 4], phone, 'corte', five, 'any')));
    expect(outcomes.filter((o) => o === 'booked')).toHaveLength(3);
    expect(outcomes.filter((o) => o !== 'booked').every((o) => o === 'slotTaken')).toBe(true);
    const booked = await allAppointments(deps[0], phones);
    expect(booked.map((a) => a.barberId).sort()).toEqual(['javi', 'lucia', 'marcos']);
    expect(booked.every((a) => a.start === five.start)).toBe(true);
  });

  it('books 20 groups of two racing for one time whole or not at all, and no chair twice', async () => {
    const deps = processes(4);
    const { slots } = chairsAvailability({
      chairs: chairsFor(shop, 'corte', 'any'),
      date: '2026-11-26',
      durationMinutes: 30,
      busy: [],
      holds: [],
      phone: 'nobody',
      now: deps[0].clock(),
    });
    const five = slots.find((slot) => slot.time === '17:00')!;
    const phones = Array.from({ length: 20 }, (_, n) => phoneOf(n));
    const outcomes = await Promise.all(
      phones.map((phone, n) => attempt(deps[n % 4], phone, 'corte', five, 'any', ['corte'])),
    );
    const booked = await allAppointments(deps[0], phones);
    const groups = outcomes.filter((o) => o === 'booked').length;
    // Three chairs seat at most three groups of two at 17:00 (each barber taking one after the other).
    expect(groups).toBeGreaterThanOrEqual(1);
    expect(groups).toBeLessThanOrEqual(3);
    expect(booked).toHaveLength(groups * 2);
    for (const phone of phones) expect([0, 2]).toContain(booked.filter((a) => a.phone === phone).length);
    expect(tooClose(booked, shop.booking.bufferMinutes)).toEqual([]);
  });

  it('leaves no barber double-booked and every buffer kept after 1,000 random concurrent bookings over a week', async () => {
    const deps = processes(4);
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)];
    const week = Array.from(
      { length: 7 },
      (_, i) => DateTime.fromISO('2026-11-25').plus({ days: i }).toISODate() as string,
    );
    const phones: string[] = [];
    const attempts = [];
    for (let n = 0; n < 1000; n++) {
      const service = pick(shop.services);
      const barberId = random() < 0.3 ? 'any' : pick(barbersFor(shop, service.id)).id;
      const { slots } = chairsAvailability({
        chairs: chairsFor(shop, service.id, barberId),
        date: pick(week),
        durationMinutes: service.durationMinutes,
        busy: [],
        holds: [],
        phone: 'nobody',
        now: deps[0].clock(),
      });
      if (slots.length === 0) continue;
      phones.push(phoneOf(n));
      attempts.push(attempt(deps[n % 4], phoneOf(n), service.id, pick(slots), barberId));
    }
    const outcomes = await Promise.all(attempts);
    const booked = await allAppointments(deps[0], phones);
    expect(outcomes.filter((o) => o === 'booked')).toHaveLength(booked.length);
    expect(booked.length).toBeGreaterThan(50);
    expect(new Set(booked.map((a) => a.barberId))).toEqual(new Set(['javi', 'lucia', 'marcos']));
    expect(tooClose(booked, shop.booking.bufferMinutes)).toEqual([]);
    // Nobody was booked for a service they do not do.
    expect(booked.filter((a) => !barbersFor(shop, a.serviceId).some((b) => b.id === a.barberId))).toEqual([]);
  }, 60_000);
});
