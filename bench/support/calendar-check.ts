import type { Calendar, Interval } from '../../src/engine/ports.ts';

export interface CalendarCheck {
  appointments: number;
  /** Pairs of appointments that overlap in time: each is a slot given to two customers. */
  doubleBookings: number;
  examples: Interval[][];
}

/**
 * Reads every appointment the run wrote (in Redis or SQLite when no Google Calendar is set) and
 * counts overlaps: with one chair, any two appointments sharing a minute are a double booking.
 */
export async function checkCalendar(calendar: Calendar): Promise<CalendarCheck> {
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
