import type { Redis } from 'ioredis';
import { RedisCalendar } from '../../adapters/redis/calendar.ts';
import type { Interval } from '../../src/engine/ports.ts';

export interface CalendarCheck {
  appointments: number;
  /** Pairs of appointments that overlap in time: each is a slot given to two customers. */
  doubleBookings: number;
  examples: Interval[][];
}

/**
 * Reads every appointment the run wrote (bookings are in Redis when no Google Calendar is set)
 * and counts overlaps: with one chair, any two appointments sharing a minute are a double booking.
 */
export async function checkCalendar(redis: Redis, prefix: string): Promise<CalendarCheck> {
  const calendar = new RedisCalendar(redis, { prefix });
  const year = 366 * 24 * 60 * 60_000;
  const window = { start: new Date(Date.now() - year).toISOString(), end: new Date(Date.now() + year).toISOString() };
  const busy = (await calendar.busy(window))
    .map(({ start, end }) => ({ start, end, from: Date.parse(start), to: Date.parse(end) }))
    .sort((a, b) => a.from - b.from);
  let doubleBookings = 0;
  const examples: Interval[][] = [];
  for (let i = 0; i < busy.length; i++) {
    for (let j = i + 1; j < busy.length && busy[j].from < busy[i].to; j++) {
      doubleBookings += 1;
      if (examples.length < 5) examples.push([busy[i], busy[j]].map(({ start, end }) => ({ start, end })));
    }
  }
  return { appointments: busy.length, doubleBookings, examples };
}
