import * as chrono from 'chrono-node';
import { DateTime } from 'luxon';
import { type Language, type OpeningInterval, openingHoursOn, type ShopConfig, WEEKDAYS } from '../../../config/schema.ts';

/** The day and time a message names, in the shop's wall-clock. */
export interface When {
  date?: string;
  time?: string;
}

/** Reads the day and time in a message: the rules' own `whenIn`, or (in the eval) the peer's. */
export type WhenReader = (text: string, shop: ShopConfig, now: Date, language: Language, knownDate?: string) => When;

// Spanish first (day/month order, as the shop's customers write), then British and American English.
const PARSERS = [chrono.es, chrono.en.GB, chrono.en];

const NUMBER_WORDS: Record<string, number> = {
  una: 1,
  uno: 1,
  dos: 2,
  tres: 3,
  cuatro: 4,
  cinco: 5,
  seis: 6,
  siete: 7,
  ocho: 8,
  nueve: 9,
  diez: 10,
  once: 11,
  doce: 12,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
};

/**
 * Finds a day and a time in a customer's text, read against `now` in the shop's timezone.
 * chrono-node does the parsing; the Spanish idioms it does not know ("5 y media", "pasado
 * mañana", "el 5", "a las cinco de la tarde") are first rewritten into forms it does.
 * A time said without am/pm ("a las 5") is read as the hour the shop is open: 17:00.
 *
 * @example
 * whenIn('mañana a las 5', shop, new Date('2026-11-24T09:00:00Z')) // { date: '2026-11-25', time: '17:00' }
 */
export function whenIn(text: string, shop: ShopConfig, now: Date, _language?: Language, knownDate?: string): When {
  const local = DateTime.fromJSDate(now, { zone: shop.timezone });
  const rewritten = rewriteIdioms(text.toLowerCase(), local);
  // chrono reads the reference's wall-clock in the timezone given: hand it the shop's, as UTC.
  // (Not `new Date(local ISO)`: that would read the wall-clock in the server's own timezone.)
  const reference = { instant: local.setZone('UTC', { keepLocalTime: true }).toJSDate(), timezone: 0 };
  const results = PARSERS.flatMap((parser) => parser.parse(rewritten, reference, { forwardDate: true }));

  const dated = results.find((r) => r.start.isCertain('day') || r.start.isCertain('weekday'));
  const date = dated ? dateOf(dated.start, local, text.toLowerCase()) : undefined;
  const timed = results.find((r) => r.start.isCertain('hour'));
  const time = timed ? timeOf(timed.start, shop, date ?? knownDate ?? local.toISODate()!) : undefined;
  return { date, time };
}

function rewriteIdioms(text: string, now: DateTime): string {
  const dayMonthYear = (day: DateTime) => day.toFormat('d/M/yyyy');
  return (
    text
      .replace(/pasado ma[ñn]ana|day after tomorrow/g, dayMonthYear(now.plus({ days: 2 })))
      // "next Friday" / "el próximo viernes" is the coming one, as customers mean it (chrono reads the one after).
      .replace(/\bnext (monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b/g, '$1')
      .replace(/\b(?:el )?pr[oó]xim[oa] (lunes|martes|mi[eé]rcoles|jueves|viernes|s[aá]bado|domingo)\b/g, 'el $1')
      // "el jueves 3": the number names the day; the weekday only confirms it.
      .replace(
        /\b(?:el )?(?:lunes|martes|mi[eé]rcoles|jueves|viernes|s[aá]bado|domingo) (\d{1,2})\b(?!\s*(?:h\b|:|y |de la|pm|am))/g,
        'el $1',
      )
      // Ages are not times: "mi hija de 6 años", "my 8 year old".
      .replace(/\b\d{1,2}\s*(?:años|anos|years?(?:[ -]old)?|year-old)/g, '')
      .replace(/\bhalf past (\d{1,2})\b/g, '$1:30')
      .replace(/\bquarter past (\d{1,2})\b/g, '$1:15')
      .replace(/\bquarter to (\d{1,2})\b/g, (_, hour: string) => `${Number(hour) - 1}:45`)
      .replace(/\b(?:around|about) (\d{1,2})\b/g, 'at $1')
      .replace(/\b(\d{1,2})\s?ish\b/g, 'at $1')
      .replace(
        /\b(a las?|at|sobre las|hacia las|about|around)\s+(una|uno|dos|tres|cuatro|cinco|seis|siete|ocho|nueve|diez|once|doce|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\b/g,
        (_, lead: string, word: string) => `${lead} ${NUMBER_WORDS[word]}`,
      )
      .replace(/\bmediod[ií]a\b|\bnoon\b/g, '12:00')
      .replace(/\b(\d{1,2}) y media\b/g, '$1:30')
      .replace(/\b(\d{1,2}) y cuarto\b/g, '$1:15')
      .replace(/\b(\d{1,2}) menos cuarto\b/g, (_, hour: string) => `${Number(hour) - 1}:45`)
      .replace(/\b(\d{1,2})\.(\d{2})\b/g, '$1:$2')
      .replace(/\b(\d{1,2})\s?h\b/g, '$1:00')
      .replace(/\b(\d{1,2}(?::\d{2})?)\s*(?:de la|por la|in the)\s+(tarde|noche|afternoon|evening)\b/g, '$1pm')
      .replace(/\b(\d{1,2}(?::\d{2})?)\s*(?:de la|por la|in the)\s+(ma[ñn]ana|madrugada|morning)\b/g, '$1am')
      // "el 5" / "the 5th": the next 5th of a month, this month's if it has not passed.
      .replace(
        /\b(?:el (?:d[ií]a )?|the )(\d{1,2})(?:st|nd|rd|th)?\b(?!\s*(?:de |of |\/|:|am|pm|h\b))/g,
        (match, day: string) => {
          const wanted = Number(day);
          if (wanted < 1 || wanted > 31) return match;
          let candidate = now.set({ day: wanted });
          if (candidate.day !== wanted || candidate.startOf('day') < now.startOf('day')) {
            candidate = now.plus({ months: 1 }).set({ day: wanted });
          }
          return candidate.day === wanted ? dayMonthYear(candidate) : match;
        },
      )
  );
}

function dateOf(components: chrono.ParsedComponents, now: DateTime, text: string): string {
  const date = DateTime.fromObject(
    { year: components.get('year')!, month: components.get('month')!, day: components.get('day')! },
    { zone: now.zone },
  );
  // "el martes que viene" / "next Tuesday" said on a Tuesday means next week's, not today.
  const saysNext = /\b(pr[oó]xim[oa]|que viene|next)\b/.test(text);
  if (!components.isCertain('day') && saysNext && date.hasSame(now, 'day')) {
    return date.plus({ weeks: 1 }).toISODate()!;
  }
  return date.toISODate()!;
}

function timeOf(components: chrono.ParsedComponents, shop: ShopConfig, date: string): string {
  let hour = components.get('hour')!;
  const minute = components.get('minute') ?? 0;
  if (!components.isCertain('meridiem') && hour >= 1 && hour <= 12) hour = likelyHour(hour, minute, shop, date);
  return `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
}

/** "A las 5" at a barbershop is five in the afternoon: take whichever reading the shop is open at. */
export function likelyHour(hour: number, minute: number, shop: ShopConfig, date: string): number {
  if (hour === 12) return 12;
  const afternoon = hour + 12;
  const clock = (h: number) => `${String(h).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
  const openAt = (intervals: OpeningInterval[], h: number) =>
    intervals.some(({ from, to }) => from <= clock(h) && clock(h) < to);
  // The chosen day's hours decide; when they cannot (closed, or open at both), any day's do.
  for (const intervals of [openingHoursOn(shop, date), WEEKDAYS.flatMap((day) => shop.openingHours[day])]) {
    const inMorning = openAt(intervals, hour);
    if (inMorning !== openAt(intervals, afternoon)) return inMorning ? hour : afternoon;
  }
  return hour < 8 ? afternoon : hour;
}
