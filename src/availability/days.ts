import { type ShopConfig, shopToday } from '../../config/schema.ts';
import { daysAfter } from './instants.ts';
import { type BookingRules, lastBookableDay, openingSpans } from './slots.ts';

/**
 * The next days a customer could book (open, within the booking window, and for today only if
 * the shortest service still fits after the minimum notice), at most `count` of them. The
 * calendar is not asked: a full day is found out when the customer picks it.
 */
export function bookableDays(shop: ShopConfig, now: Date, count: number): string[] {
  const shortest = Math.min(...shop.services.map((service) => service.durationMinutes));
  const earliest = now.getTime() + shop.booking.minimumNoticeMinutes * 60_000;
  const last = lastBookableDay(shop, now);
  const days: string[] = [];
  for (let date = shopToday(shop, now); days.length < count; date = daysAfter(date, 1)) {
    if (date > last) break;
    if (opensLongEnough(shop, date, earliest, shortest)) days.push(date);
  }
  return days;
}

function opensLongEnough(rules: BookingRules, date: string, earliest: number, minutes: number): boolean {
  return openingSpans(rules, date).some((span) => span.end - Math.max(span.start, earliest) >= minutes * 60_000);
}
