import { DateTime } from 'luxon';
import { addDays } from '../../config/schema.ts';

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;
/** From here on `toISOString` writes six-digit years. */
const YEAR_10000 = Date.UTC(10_000, 0, 1);

/** Every wall-clock time of a day, "00:00" to "23:59", by minute of the day. */
export const CLOCK_TIMES: readonly string[] = Array.from(
  { length: 24 * 60 },
  (_, minute) => `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`,
);

/**
 * "YYYY-MM-DD" of recent UTC days, by day number: slots of a day all share a few. A plain map,
 * emptied when full: an LRU's bookkeeping on every instant cost more than the look-up.
 */
const DAY_PREFIXES = new Map<number, string>();
const DAYS_KEPT = 1_000;

function dayPrefix(day: number): string {
  let prefix = DAY_PREFIXES.get(day);
  if (prefix === undefined) {
    prefix = new Date(day * DAY_MS).toISOString().slice(0, 10);
    if (DAY_PREFIXES.size >= DAYS_KEPT) DAY_PREFIXES.clear();
    DAY_PREFIXES.set(day, prefix);
  }
  return prefix;
}

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
  return `${dayPrefix(day)}T${CLOCK_TIMES[(millis - day * DAY_MS) / MINUTE_MS]}:00.000Z`;
}

/**
 * The "YYYY-MM-DD" and "HH:mm" of `isoInstant(millis)`, shared strings on whole minutes (a day's
 * slots each need a local date and time) instead of slices of a string written for each.
 */
export function isoDateAndTime(millis: number): { date: string; time: string } {
  if (millis % MINUTE_MS !== 0 || millis < 0 || millis >= YEAR_10000) {
    const iso = new Date(millis).toISOString();
    return { date: iso.slice(0, 10), time: iso.slice(11, 16) };
  }
  const day = Math.floor(millis / DAY_MS);
  return { date: dayPrefix(day), time: CLOCK_TIMES[(millis - day * DAY_MS) / MINUTE_MS] as string };
}

/**
 * Whether `text` is `isoInstant(millis)`, compared in place: packing a day's slots checks two
 * instants a slot, and writing each out to compare it was most of the garbage a look-up left.
 */
export function isIsoInstant(text: string, millis: number): boolean {
  if (millis % MINUTE_MS !== 0 || millis < 0 || millis >= YEAR_10000) return text === isoInstant(millis);
  const day = Math.floor(millis / DAY_MS);
  return (
    text.length === 24 &&
    text.startsWith(dayPrefix(day)) &&
    text[10] === 'T' &&
    text.startsWith(CLOCK_TIMES[(millis - day * DAY_MS) / MINUTE_MS] as string, 11) &&
    text.endsWith(':00.000Z')
  );
}

const HOUR_MS = 60 * MINUTE_MS;

/**
 * The UTC offset of `timezone` at `millis`, in minutes, as Luxon's `DateTime.offset` gives it.
 * Asking the timezone database costs tens of microseconds, and the same few hours are asked about
 * on most messages: each UTC hour of a zone is asked about once, at both ends, and an hour whose
 * two ends agree has that offset throughout (no zone changes its offset and back within an hour).
 * An hour with a change in it is asked about instant by instant.
 *
 * @example
 * utcOffsetMinutes('Europe/Madrid', Date.parse('2026-11-25T09:00:00Z')) // 60
 */
export function utcOffsetMinutes(timezone: string, millis: number): number {
  let hours = HOUR_OFFSETS.get(timezone);
  if (!hours) {
    hours = new Map();
    HOUR_OFFSETS.set(timezone, hours);
  }
  const hour = Math.floor(millis / HOUR_MS);
  let offset = hours.get(hour);
  if (offset === undefined) {
    const first = zoneOffset(timezone, hour * HOUR_MS);
    offset = first === zoneOffset(timezone, (hour + 1) * HOUR_MS - 1) ? first : Number.NaN;
    // A zone's hours asked about are a few days' worth; a long-running process starts afresh.
    if (hours.size >= HOURS_KEPT) hours.clear();
    hours.set(hour, offset);
  }
  return Number.isNaN(offset) ? zoneOffset(timezone, millis) : offset;
}

const HOUR_OFFSETS = new Map<string, Map<number, number>>();
const HOURS_KEPT = 10_000;

function zoneOffset(timezone: string, millis: number): number {
  return DateTime.fromMillis(millis, { zone: timezone }).offset;
}

/** An instant as ISO 8601 writes it in UTC or with an offset, from year 1000 to 9999 (Date.parse and Luxon agree on these). */
const ISO_INSTANT =
  /^[1-9]\d{3}-\d{2}-\d{2}T(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,3})?)?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;

/**
 * The shop-local "YYYY-MM-DDTHH:mm:ss.sssZ"-shaped text of an ISO instant (the Z meaning nothing),
 * to slice its local date or time from; undefined for text that is not such an instant.
 */
export function localIso(instant: string, timezone: string): string | undefined {
  if (!ISO_INSTANT.test(instant) || !isCalendarDate(instant)) return undefined;
  const millis = Date.parse(instant);
  const offset = utcOffsetMinutes(timezone, millis);
  return Number.isNaN(millis) || Number.isNaN(offset) ? undefined : isoInstant(millis + offset * MINUTE_MS);
}

/** Whether the text's "YYYY-MM-DD" is a day of the calendar: Date.parse rolls 30 February over, Luxon refuses it. */
function isCalendarDate(text: string): boolean {
  const day = Number(text.slice(8, 10));
  if (day >= 1 && day <= 28) return Number(text.slice(5, 7)) >= 1;
  const year = Number(text.slice(0, 4));
  const month = Number(text.slice(5, 7));
  return day >= 1 && month >= 1 && day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * `addDays`, remembered: the booking window's last day and the days offered are worked out from
 * today on most messages, and each was a Date and an ISO string.
 */
export function daysAfter(date: string, days: number): string {
  const key = `${date}${days}`;
  let later = LATER_DAYS.get(key);
  if (later === undefined) {
    later = addDays(date, days);
    if (LATER_DAYS.size >= DAYS_KEPT) LATER_DAYS.clear();
    LATER_DAYS.set(key, later);
  }
  return later;
}

const LATER_DAYS = new Map<string, string>();
