import { describe, expect, it } from 'vitest';
import { RedisCalendar } from '../../adapters/redis/calendar.ts';
import { RedisBookingHistory } from '../../adapters/redis/history.ts';
import { RedisSlotHolds } from '../../adapters/redis/holds.ts';
import { RedisReminderSchedule } from '../../adapters/redis/reminders.ts';
import { SqliteCalendar } from '../../adapters/sqlite/calendar.ts';
import { SqliteBookingHistory } from '../../adapters/sqlite/history.ts';
import { SqliteSlotHolds } from '../../adapters/sqlite/holds.ts';
import { SqliteReminderSchedule } from '../../adapters/sqlite/reminders.ts';
import { failureReason, type Slot } from '../../machines/booking.context.ts';
import { dayAvailability } from '../../src/availability/slots.ts';
import { type BookingDependencies, bookingStepsFor } from '../../src/engine/booking-actors.ts';
import { fakeClock, shop } from '../support/cita.ts';
import { sharedDatabase } from '../support/sqlite.ts';
import { implementations, type RedisRun, redisRuns } from './implementations.ts';

const runs = await redisRuns();

const DAY = '2026-11-25';
const WINDOW = { start: '2026-11-25T00:00:00.000Z', end: '2026-11-26T00:00:00.000Z' };

/**
 * Several "processes" (each its own SQLite connection to one file, or Redis connection, and
 * adapters) booking through the engine's own booking actors — hold, final check under the hold,
 * calendar write — as the machine runs them, without the chat around them, so a thousand
 * attempts fit in a test.
 */
type Processes = (count: number) => BookingDependencies[];

const onSqlite: Processes = (count) => {
  const clock = fakeClock();
  return sharedDatabase(count).map((database) => ({
    shop,
    clock,
    calendar: new SqliteCalendar(database),
    holds: new SqliteSlotHolds(database),
    history: new SqliteBookingHistory(database),
    reminders: new SqliteReminderSchedule(database),
  }));
};

const onRedis =
  (run: RedisRun): Processes =>
  (count) => {
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
  };

/** One customer's attempt: hold the slot, then book it; the outcome the machine would see. */
async function attempt(deps: BookingDependencies, phone: string, serviceId: string, slot: Slot) {
  const steps = bookingStepsFor({ phone }, deps);
  try {
    const hold = await steps.holdSlot({ serviceId, slot });
    await steps.bookAppointment({ serviceId, hold });
    return 'booked';
  } catch (error) {
    return failureReason(error);
  }
}

function overlaps(appointments: { start: string; end: string }[]): number {
  const sorted = [...appointments].sort((a, b) => a.start.localeCompare(b.start));
  let found = 0;
  for (let i = 1; i < sorted.length; i++) if (Date.parse(sorted[i]!.start) < Date.parse(sorted[i - 1]!.end)) found++;
  return found;
}

describe.each(implementations<Processes>(() => onSqlite, onRedis, runs))('booking races ($name)', ({ make }) => {
  const processes: Processes = (count) => make()(count);
  it('lets exactly one of 100 customers on four processes book the same slot; the others hear it was taken', async () => {
    const deps = processes(4);
    const [slot] = dayAvailability({
      rules: shop,
      date: DAY,
      durationMinutes: 30,
      busy: [],
      holds: [],
      phone: 'nobody',
      now: deps[0]!.clock(),
    }).slots;
    const outcomes = await Promise.all(
      Array.from({ length: 100 }, (_, n) =>
        attempt(deps[n % 4]!, `3460000${String(n).padStart(4, '0')}`, 'corte', slot!),
      ),
    );
    expect(outcomes.filter((o) => o === 'booked')).toHaveLength(1);
    expect(outcomes.filter((o) => o !== 'booked').every((o) => o === 'slotTaken')).toBe(true);
    expect(await deps[0]!.calendar.busy(WINDOW)).toHaveLength(1);
  });

  it('leaves no two appointments overlapping after 1,000 randomised concurrent bookings over a day', async () => {
    const deps = processes(4);
    let seed = 42;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const attempts = Array.from({ length: 1000 }, (_, n) => {
      const service = shop.services[Math.floor(random() * shop.services.length)]!;
      const { slots } = dayAvailability({
        rules: shop,
        date: DAY,
        durationMinutes: service.durationMinutes,
        busy: [],
        holds: [],
        phone: 'nobody',
        now: deps[0]!.clock(),
      });
      const slot = slots[Math.floor(random() * slots.length)]!;
      return attempt(deps[n % 4]!, `346${String(n).padStart(8, '0')}`, service.id, slot);
    });
    const outcomes = await Promise.all(attempts);
    const booked = await deps[0]!.calendar.busy(WINDOW);
    expect(outcomes.filter((o) => o === 'booked')).toHaveLength(booked.length);
    expect(booked.length).toBeGreaterThan(5);
    expect(overlaps(booked)).toBe(0);
  });
});
