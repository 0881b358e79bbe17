import { type OpeningInterval, openingHoursOn, type ShopConfig } from '../../../config/schema.ts';

/**
 * The shop's opening hours on a day, worked out once per shop file and day: reading "a las 5" or
 * "por la tarde" asks for them again and again, and each answer asked the timezone database for
 * the day's weekday.
 */
export function openingHoursOnce(shop: ShopConfig, date: string): OpeningInterval[] {
  let days = OPENING_HOURS.get(shop);
  if (!days) {
    days = new Map();
    OPENING_HOURS.set(shop, days);
  }
  let hours = days.get(date);
  if (!hours) {
    hours = openingHoursOn(shop, date);
    // Days asked about are the next few weeks' and those customers name: a long-running process starts afresh.
    if (days.size >= DAYS_KEPT) days.clear();
    days.set(date, hours);
  }
  return hours;
}

const OPENING_HOURS = new WeakMap<ShopConfig, Map<string, OpeningInterval[]>>();
const DAYS_KEPT = 1_000;
