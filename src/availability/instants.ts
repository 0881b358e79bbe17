import { LRUCache } from 'lru-cache';

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;
/** From here on `toISOString` writes six-digit years. */
const YEAR_10000 = Date.UTC(10_000, 0, 1);

/** Every wall-clock time of a day, "00:00" to "23:59", by minute of the day. */
export const CLOCK_TIMES: readonly string[] = Array.from(
  { length: 24 * 60 },
  (_, minute) => `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`,
);

/** "YYYY-MM-DD" of recent UTC days, by day number: slots of a day all share a few. */
const DAY_PREFIXES = new LRUCache<number, string>({
  max: 1_000,
  memoMethod: (day) => new Date(day * DAY_MS).toISOString().slice(0, 10),
});

/**
 * `new Date(millis).toISOString()`, written from its day and minute when the instant is on a whole
 * minute: a day's few hundred slots each need two or three, and `toISOString` was the largest
 * single cost of working them out (benchmarked).
 *
 * @example
 * isoInstant(Date.UTC(2026, 11, 9, 9, 0)) // '2026-12-09T09:00:00.000Z'
 */
export function isoInstant(millis: number): string {
  if (millis % MINUTE_MS !== 0 || millis < 0 || millis >= YEAR_10000) return new Date(millis).toISOString();
  const day = Math.floor(millis / DAY_MS);
  return `${DAY_PREFIXES.memo(day)}T${CLOCK_TIMES[(millis - day * DAY_MS) / MINUTE_MS]}:00.000Z`;
}
