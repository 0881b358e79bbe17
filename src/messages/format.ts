import { DateTime } from 'luxon';
import type { Language, ShopConfig } from '../../config/schema.ts';

/** "miércoles 25 de noviembre" / "Wednesday 25 November" */
export function longDate(date: string, language: Language): string {
  return DateTime.fromISO(date, { locale: language }).toFormat(language === 'es' ? "cccc d 'de' LLLL" : 'cccc d LLLL');
}

/** "mié 25 nov" / "Wed 25 Nov", short enough for a list row. */
export function shortDate(date: string, language: Language): string {
  return DateTime.fromISO(date, { locale: language }).toFormat('ccc d LLL').replaceAll('.', '');
}

/** "15 €" / "€15" in the shop's currency. */
export function price(amount: number, shop: ShopConfig, language: Language): string {
  return new Intl.NumberFormat(language === 'es' ? 'es-ES' : 'en-GB', {
    style: 'currency',
    currency: shop.currency,
    maximumFractionDigits: Number.isInteger(amount) ? 0 : 2,
  }).format(amount);
}

/** Shop-local "HH:mm" of an ISO instant. */
export function localTime(instant: string, timezone: string): string {
  return DateTime.fromISO(instant, { zone: timezone }).toFormat('HH:mm');
}

/** Shop-local "YYYY-MM-DD" of an ISO instant. */
export function localDate(instant: string, timezone: string): string {
  return DateTime.fromISO(instant, { zone: timezone }).toISODate() as string;
}
