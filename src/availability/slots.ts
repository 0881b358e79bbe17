import { LRUCache } from 'lru-cache';
import { DateTime } from 'luxon';
import { addDays, openingHoursOn, type ShopConfig, shopToday, startOfDay } from '../../config/schema.ts';
import type { DayAvailability, Slot } from '../../machines/booking.context.ts';
import { daysAfter, isoDateAndTime, isoInstant, localIso, utcOffsetMinutes } from './instants.ts';

/** A span of time as ISO-8601 instants, end exclusive. */
export interface Interval {
  start: string;
  end: string;
}

/** Another customer's reservation; the customer who holds it still sees the slot as free. */
export interface HeldInterval extends Interval {
  phone: string;
}

/** The parts of the shop's configuration that decide when one may book. */
export type BookingRules = Pick<ShopConfig, 'timezone' | 'openingHours' | 'dateOverrides' | 'booking'>;

export interface DaySearch {
  rules: BookingRules;
  /** The shop-local day, "YYYY-MM-DD". */
  date: string;
  durationMinutes: number;
  /** Appointments and other blocks in the calendar. */
  busy: Interval[];
  /** Slots other customers are holding while they confirm. */
  holds: HeldInterval[];
  /** The customer asking: their own hold does not hide the slot from them. */
  phone: string;
  now: Date;
}

type Span = { start: number; end: number };

const MINUTE_MS = 60_000;

/**
 * The free start times of one day for one service: opening hours (after date overrides), minus
 * busy time and other customers' holds widened by the buffer, on the slot step, only where the
 * whole service fits before closing or a break, and no sooner than the minimum notice.
 * When there is none, `reason` says why, so the customer can be told what is possible instead.
 *
 * Every input is explicit (no clock, no config read), and all wall-clock arithmetic happens in
 * the shop's timezone through Luxon, so DST days come out right.
 *
 * @example
 * dayAvailability({ rules: shop, date: '2026-11-25', durationMinutes: 30, busy, holds, phone, now })
 * // { slots: [{ date: '2026-11-25', time: '10:00', start: '2026-11-25T09:00:00.000Z', ... }, ...] }
 */
export function dayAvailability(search: DaySearch): DayAvailability {
  const { rules, date, durationMinutes, now } = search;
  const shut = dayShutReason(rules, date, now);
  if (shut) return { slots: [], reason: shut };
  const opening = openingSpans(rules, date);

  const buffer = rules.booking.bufferMinutes * MINUTE_MS;
  const blocked = [...search.busy, ...search.holds.filter((hold) => hold.phone !== search.phone)].map((interval) => ({
    start: Date.parse(interval.start) - buffer,
    end: Date.parse(interval.end) + buffer,
  }));
  const earliest = now.getTime() + rules.booking.minimumNoticeMinutes * MINUTE_MS;
  const step = rules.booking.slotStepMinutes * MINUTE_MS;
  const duration = durationMinutes * MINUTE_MS;

  const slots: Slot[] = [];
  const seenTimes = new Set<string>();
  for (const span of opening) {
    const slotAt = slotMaker(span, duration, rules.timezone);
    for (const free of subtract([span], blocked)) {
      for (const start of startsWithin(free, span.start, step, duration)) {
        if (start < earliest) continue;
        const slot = slotAt(start);
        // When clocks go back an hour, a wall-clock time happens twice: offer it once.
        if (seenTimes.has(slot.time)) continue;
        seenTimes.add(slot.time);
        slots.push(slot);
      }
    }
  }
  return slots.length > 0 ? { slots } : { slots, reason: 'full' };
}

/** Why nothing at all can be booked on the day, whatever the calendar holds: past, too far ahead, or closed. */
export function dayShutReason(
  rules: BookingRules,
  date: string,
  now: Date,
): 'past' | 'beyondWindow' | 'closed' | undefined {
  if (date < shopToday(rules, now)) return 'past';
  if (date > lastBookableDay(rules, now)) return 'beyondWindow';
  if (openingSpans(rules, date).length === 0) return 'closed';
  return undefined;
}

/**
 * Whether an appointment starting at `start` may still be booked at `now`: far enough ahead for
 * the minimum notice and not beyond the booking window. Checked again at confirmation, because
 * the customer may have taken a while.
 */
export function isWithinBookingWindow(rules: BookingRules, start: string, now: Date): boolean {
  const startsAt = Date.parse(start);
  if (startsAt < now.getTime() + rules.booking.minimumNoticeMinutes * MINUTE_MS) return false;
  const day =
    localIso(start, rules.timezone)?.slice(0, 10) ??
    (DateTime.fromMillis(startsAt, { zone: rules.timezone }).toISODate() as string);
  return day <= lastBookableDay(rules, now);
}

/** The instants covering whole shop-local days, for one calendar query over all of them. */
export function searchWindow(timezone: string, dates: string[]): Interval {
  const sorted = [...dates].sort();
  const start = (date: string) => toUtcIso(startOfDay(timezone, date).toMillis());
  return { start: start(sorted[0]), end: start(addDays(sorted[sorted.length - 1], 1)) };
}

/** The last shop-local day a customer may book at `now`. */
export function lastBookableDay(rules: BookingRules, now: Date): string {
  return daysAfter(shopToday(rules, now), rules.booking.daysAhead);
}

/**
 * The day's opening intervals as instants, in order. Worked out once per day and hours (the
 * timezone database is slow to ask, and nearly every message asks); the answer is shared, frozen.
 */
export function openingSpans(rules: BookingRules, date: string): readonly Span[] {
  let ofRules = OPENING_SPANS.get(rules);
  if (!ofRules) {
    // Any date a customer names is looked at: the days kept are bounded.
    ofRules = new LRUCache<string, readonly Span[]>({ max: 1_000, memoMethod: (day) => spansOn(rules, day) });
    OPENING_SPANS.set(rules, ofRules);
  }
  return ofRules.memo(date);
}

const OPENING_SPANS = new WeakMap<BookingRules, LRUCache<string, readonly Span[]>>();

function spansOn(rules: BookingRules, date: string): readonly Span[] {
  return Object.freeze(
    openingHoursOn(rules, date).map(({ from, to }) =>
      Object.freeze({
        start: DateTime.fromISO(`${date}T${from}`, { zone: rules.timezone }).toMillis(),
        end: DateTime.fromISO(`${date}T${to}`, { zone: rules.timezone }).toMillis(),
      }),
    ),
  );
}

/**
 * Start times in a free stretch: the shop's grid (every step from opening), plus the very start of
 * the stretch when it is off the grid. After a 10:00–10:30 booking with a 10-minute buffer that
 * is 10:40, 10:45, 11:00…: the earliest time is offered and the round times stay.
 */
function startsWithin(free: Span, gridStart: number, step: number, duration: number): number[] {
  const starts: number[] = [];
  const firstOnGrid = gridStart + Math.ceil((free.start - gridStart) / step) * step;
  if (firstOnGrid !== free.start && free.start + duration <= free.end) starts.push(free.start);
  for (let start = firstOnGrid; start + duration <= free.end; start += step) starts.push(start);
  return starts;
}

/** `spans` with every part covered by `blocks` cut out. */
function subtract(spans: Span[], blocks: Span[]): Span[] {
  const sorted = [...blocks].sort((a, b) => a.start - b.start);
  const free: Span[] = [];
  for (const span of spans) {
    let cursor = span.start;
    for (const block of sorted) {
      if (block.end <= cursor || block.start >= span.end) continue;
      if (block.start > cursor) free.push({ start: cursor, end: block.start });
      cursor = Math.max(cursor, block.end);
      if (cursor >= span.end) break;
    }
    if (cursor < span.end) free.push({ start: cursor, end: span.end });
  }
  return free;
}

/**
 * Builds the slots of one opening span. Asking the timezone database for every slot was a fifth of
 * the server's CPU per message (benchmarked), so when the UTC offset is the same at both ends of
 * the span (every day but the two DST days) wall-clock times come from plain arithmetic.
 */
function slotMaker(span: Span, duration: number, timezone: string): (start: number) => Slot {
  const offset = utcOffsetMinutes(timezone, span.start);
  const steady = offset === utcOffsetMinutes(timezone, span.end);
  return function slotAt(start) {
    if (steady) {
      const { date, time } = isoDateAndTime(start + offset * MINUTE_MS);
      return { date, time, start: toUtcIso(start), end: toUtcIso(start + duration) };
    }
    const local = DateTime.fromMillis(start, { zone: timezone }).toISO({ includeOffset: false }) as string;
    return {
      date: local.slice(0, 10),
      time: local.slice(11, 16),
      start: toUtcIso(start),
      end: toUtcIso(start + duration),
    };
  };
}

function toUtcIso(millis: number): string {
  return isoInstant(millis);
}
