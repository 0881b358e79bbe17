import { DateTime } from 'luxon';
import { loadShopConfig } from '../config/load.ts';
import type { ShopConfig } from '../config/schema.ts';
import { dayAvailability, type HeldInterval, type Interval, openingSpans } from '../src/availability/slots.ts';
import { seededRandom } from './support/customers.ts';
import type { BenchResult } from './support/record.ts';
import { BENCH_SHOP_CONFIG } from './support/server.ts';
import { summary } from './support/stats.ts';

export interface AvailabilityOptions {
  /** 14-day computations timed (after a warm-up of a tenth of them). */
  iterations: number;
  days?: number;
  busy?: number;
  holds?: number;
}

/** Tuesday 24 November 2026, 10:00 in Madrid, as in the tests and the evaluation corpus. */
const NOW = new Date('2026-11-24T09:00:00Z');

/**
 * `dayAvailability` (a pure function) for each of 14 days with 500 appointments and 100 other
 * customers' holds in those days. The shop is bench/shop.json (open 24 hours, 5-minute grid:
 * 287 candidate starts a day), because 500 appointments do not fit in 14 days of the real shop's
 * hours: there every day would simply be full. Timed two ways: every
 * interval handed to each day (the worst a caller could do) and each day's own intervals (what
 * the booking actor passes, having asked the calendar for that day).
 */
export function availabilityBenchmark(options: AvailabilityOptions, command: string): BenchResult {
  const shop = loadShopConfig(BENCH_SHOP_CONFIG);
  const days = options.days ?? 14;
  const busyCount = options.busy ?? 500;
  const holdCount = options.holds ?? 100;
  const dates = Array.from(
    { length: days },
    (_, i) => DateTime.fromJSDate(NOW, { zone: shop.timezone }).plus({ days: i }).toISODate()!,
  );
  const random = seededRandom(42);
  const busy = intervalsDuring(shop, dates, busyCount, random);
  const holds: HeldInterval[] = intervalsDuring(shop, dates, holdCount, random).map((hold, i) => ({
    ...hold,
    phone: `3460${i}`,
  }));
  // Grouped once, outside the timing: the calendar query does this work in the product.
  const ownBusy = new Map(
    dates.map((date) => [date, busy.filter((interval) => localDate(shop, interval.start) === date)]),
  );
  const ownHolds = new Map(dates.map((date) => [date, holds.filter((hold) => localDate(shop, hold.start) === date)]));

  const computeAll = () =>
    dates.reduce((slots, date) => slots + dayAvailability(search(shop, date, busy, holds)).slots.length, 0);
  const computePerDay = () =>
    dates.reduce(
      (slots, date) =>
        slots + dayAvailability(search(shop, date, ownBusy.get(date)!, ownHolds.get(date)!)).slots.length,
      0,
    );
  const all = time(computeAll, options.iterations);
  const perDay = time(computePerDay, options.iterations);
  const openDays = dates.filter((date) => openingSpans(shop, date).length > 0).length;
  return {
    name: 'availability',
    title: 'Availability: free slots of 14 days with 500 appointments and 100 holds',
    command,
    method:
      `dayAvailability (src/availability/slots.ts) for ${days} consecutive days (${openDays} open) of bench/shop.json ` +
      `(open 00:00–23:55, 5-minute grid), 10-minute service, ${busyCount} appointments and ${holdCount} holds of 5–20 minutes ` +
      'at random inside opening hours; ' +
      `${options.iterations} timed 14-day computations after a warm-up, performance.now() around each.`,
    parameters: { iterations: options.iterations, days, openDays, busy: busyCount, holds: holdCount },
    figures: [
      { label: '14 days, every interval to each day: mean / p99', value: `${all.ms.mean} / ${all.ms.p99}`, unit: 'ms' },
      {
        label: "14 days, each day's own intervals: mean / p99",
        value: `${perDay.ms.mean} / ${perDay.ms.p99}`,
        unit: 'ms',
      },
      { label: 'free slots found in the 14 days', value: perDay.slots },
    ],
    details: { everyIntervalToEachDay: all, ownIntervalsPerDay: perDay },
  };
}

function search(shop: ShopConfig, date: string, busy: Interval[], holds: HeldInterval[]) {
  return { rules: shop, date, durationMinutes: 10, busy, holds, phone: '34600000001', now: NOW };
}

function time(compute: () => number, iterations: number) {
  for (let i = 0; i < Math.max(1, Math.round(iterations / 10)); i++) compute();
  const samples: number[] = [];
  let slots = 0;
  for (let i = 0; i < iterations; i++) {
    const started = performance.now();
    slots = compute();
    samples.push(performance.now() - started);
  }
  return { ms: summary(samples), slots };
}

/** `count` intervals of 5 to 20 minutes starting at random inside the days' opening hours. */
function intervalsDuring(shop: ShopConfig, dates: string[], count: number, random: () => number): Interval[] {
  const spans = dates.flatMap((date) => openingSpans(shop, date));
  return Array.from({ length: count }, () => {
    const span = spans[Math.floor(random() * spans.length)];
    const minutes = 5 + 5 * Math.floor(random() * 4);
    const start = span.start + Math.floor((random() * (span.end - span.start)) / 300_000) * 300_000;
    return { start: new Date(start).toISOString(), end: new Date(start + minutes * 60_000).toISOString() };
  });
}

function localDate(shop: ShopConfig, instant: string): string {
  return DateTime.fromISO(instant, { zone: shop.timezone }).toISODate()!;
}
