import { DateTime } from 'luxon';
import type { Language, ShopConfig } from '../../config/schema.ts';
import { localIso } from '../availability/instants.ts';

/** "miércoles 25 de noviembre" / "Wednesday 25 November" */
export function longDate(date: string, language: Language): string {
  return formattedOnce(`long${language}${date}`, () =>
    DateTime.fromISO(date, { locale: language }).toFormat(language === 'es' ? "cccc d 'de' LLLL" : 'cccc d LLLL'),
  );
}

/** "mié 25 nov" / "Wed 25 Nov", short enough for a list row. */
export function shortDate(date: string, language: Language): string {
  return formattedOnce(`short${language}${date}`, () =>
    DateTime.fromISO(date, { locale: language }).toFormat('ccc d LLL').replaceAll('.', ''),
  );
}

/**
 * Dates as words and instants as local times, by format, language or zone: the same few are
 * written on most messages. A plain map, emptied when full: an LRU's bookkeeping on every hit
 * cost more than the look-up.
 */
const FORMATTED_DATES = new Map<string, string>();
const FORMATTED_KEPT = 5_000;

function formattedOnce(key: string, format: () => string): string {
  let formatted = FORMATTED_DATES.get(key);
  if (formatted === undefined) {
    formatted = format();
    if (FORMATTED_DATES.size >= FORMATTED_KEPT) FORMATTED_DATES.clear();
    FORMATTED_DATES.set(key, formatted);
  }
  return formatted;
}

/**
 * "15 €" / "€15" in the shop's currency. Formatters are built once per language and currency (they
 * are costly), and each price is formatted once: a shop has a few, written on most messages.
 */
export function price(amount: number, shop: ShopConfig, language: Language): string {
  const digits = Number.isInteger(amount) ? 0 : 2;
  const key = `${language}|${shop.currency}|${digits}`;
  let format = PRICE_FORMATS.get(key);
  if (!format) {
    const formatter = new Intl.NumberFormat(language === 'es' ? 'es-ES' : 'en-GB', {
      style: 'currency',
      currency: shop.currency,
      maximumFractionDigits: digits,
    });
    const prices = new Map<number, string>();
    format = (amount) => {
      let written = prices.get(amount);
      if (written === undefined) {
        written = formatter.format(amount);
        if (prices.size >= PRICES_KEPT) prices.clear();
        prices.set(amount, written);
      }
      return written;
    };
    PRICE_FORMATS.set(key, format);
  }
  return format(amount);
}

const PRICE_FORMATS = new Map<string, (amount: number) => string>();
const PRICES_KEPT = 1_000;

/** Shop-local "HH:mm" of an ISO instant. */
export function localTime(instant: string, timezone: string): string {
  // From the zone's offset (each booking's instant is new: a memo of the text would miss).
  return (
    localIso(instant, timezone)?.slice(11, 16) ??
    formattedOnce(`time${timezone}|${instant}`, () => DateTime.fromISO(instant, { zone: timezone }).toFormat('HH:mm'))
  );
}

/** Shop-local "YYYY-MM-DD" of an ISO instant. */
export function localDate(instant: string, timezone: string): string {
  return (
    localIso(instant, timezone)?.slice(0, 10) ??
    formattedOnce(
      `date${timezone}|${instant}`,
      () => DateTime.fromISO(instant, { zone: timezone }).toISODate() as string,
    )
  );
}

/** One per language: building an `Intl.ListFormat` costs far more than formatting with it. */
const listFormats = new Map<Language, Intl.ListFormat>();

/** "Javi, Lucía y Marcos" / "Javi, Lucía and Marcos". */
export function namesList(names: string[], language: Language): string {
  let format = listFormats.get(language);
  if (!format) {
    format = new Intl.ListFormat(language, { type: 'conjunction' });
    listFormats.set(language, format);
  }
  return format.format(names);
}

/**
 * One per language, as the list formats: the rule choosing "1 cita" or "2 citas", and whether
 * each count asked about is "one" (the same few counts are written on most messages, and each
 * choice asked Intl again).
 */
const pluralRules = new Map<Language, (n: number) => boolean>();
const COUNTS_KEPT = 1_000;

/**
 * A count with its noun in the right number for the language.
 *
 * @example
 * counted(2, 'es', { one: 'cita anulada', other: 'citas anuladas' }) // "2 citas anuladas"
 */
export function counted(n: number, language: Language, forms: { one: string; other: string }): string {
  let isOne = pluralRules.get(language);
  if (!isOne) {
    const rules = new Intl.PluralRules(language);
    const ones = new Map<number, boolean>();
    isOne = (count) => {
      let one = ones.get(count);
      if (one === undefined) {
        one = rules.select(count) === 'one';
        if (ones.size >= COUNTS_KEPT) ones.clear();
        ones.set(count, one);
      }
      return one;
    };
    pluralRules.set(language, isOne);
  }
  return `${n} ${isOne(n) ? forms.one : forms.other}`;
}
