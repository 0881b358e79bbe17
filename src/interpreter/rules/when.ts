import { DateTime } from 'luxon';
import { type Language, type OpeningInterval, type ShopConfig, shopToday, WEEKDAYS } from '../../../config/schema.ts';
import type { PartOfDay } from '../../../machines/booking.context.ts';
import { partOfDayIn, timeIn } from './clock.ts';
import { dayIn } from './days.ts';
import { closestWord } from './fuzzy.ts';
import { openingHoursOnce } from './hours.ts';

/** The day, time or part of the day a message names, in the shop's wall-clock. */
export interface When {
  date?: string;
  time?: string;
  /** "por la tarde", "after 6": a stretch of the day, when no exact time was said. */
  partOfDay?: PartOfDay;
  /** A day said that could be either of two dates ("el martes" on a Tuesday): the customer is asked which. */
  either?: [string, string];
}

/** Reads the day and time in a message: the rules' own `whenIn`, or (in the eval) the peer's. */
export type WhenReader = (text: string, shop: ShopConfig, now: Date, language: Language, knownDate?: string) => When;

/**
 * Finds a day, and a time or a part of the day, in a customer's text, read against `now` in the
 * shop's timezone, in Spanish or English: "mañana a las 5", "el miércoles de la semana que viene",
 * "friday after next", "las doce menos cuarto", "half 4", "15h30", "por la tarde", "después de las
 * 6". A word one typo away from a word of days and times is read as that word ("mañna", "alas 6").
 * What it is not sure of it leaves out: two different days or times in one message give none; a
 * day that could be either of two dates gives both, as `either`, for the customer to choose.
 * An hour said without am/pm ("a las 5") is read as the hour the shop is open: 17:00.
 *
 * @example
 * whenIn('mañana a las 5', shop, new Date('2026-11-24T09:00:00Z')) // { date: '2026-11-25', time: '17:00' }
 */
export function whenIn(text: string, shop: ShopConfig, now: Date, language?: Language, knownDate?: string): When {
  const today = calendarDay(shopToday(shop, now));
  const words = wordsOf(text);
  const soon = fromNowIn(words, now, shop);
  if (soon) return soon;
  const { date, either } = dayIn(words, today, shop, language);
  const day = date ?? either?.[0] ?? knownDate ?? today.toISODate()!;
  const time = timeIn(words, shop, day);
  const partOfDay = time ? undefined : partOfDayIn(words, shop, day);
  return { date, time, partOfDay, ...(either && { either }) };
}

/**
 * The shop's today as a calendar day (midnight in UTC): what a message names is a day of the
 * calendar, worked out from today by days, months and weekdays. In the shop's own zone each step
 * of that arithmetic asked the timezone database for an offset; the days are the same.
 */
function calendarDay(date: string): DateTime {
  let day = CALENDAR_DAYS.get(date);
  if (!day) {
    day = DateTime.fromISO(date, { zone: 'utc' });
    // Today's, and yesterday's for a while after midnight.
    if (CALENDAR_DAYS.size >= 8) CALENDAR_DAYS.clear();
    CALENDAR_DAYS.set(date, day);
  }
  return day;
}

const CALENDAR_DAYS = new Map<string, DateTime>();

/**
 * "in an hour", "in 1h", "en media hora", "in 20 minutes": that long from now, on the clock rounded
 * up to five minutes. Undefined when the message says no such thing.
 */
function fromNowIn(words: string[], now: Date, shop: ShopConfig): When | undefined {
  const text = ` ${words.join(' ')} `;
  const match =
    / (?:in|en|dentro de) (?:(an|a|one|half an|half|media|una|un|\d{1,3})\s?(h|hr|hrs|hours?|horas?|mins?|minutes|minutos)|(\d{1,2})(h|min))\b(?! (?:para|to|past|pasadas|antes|before|y|and)\b)/.exec(
      text,
    );
  if (!match) return undefined;
  const [amount, unit] = match[1] !== undefined ? [match[1], match[2]] : [match[3], match[4]];
  const value = /^\d/.test(amount) ? Number(amount) : /half|media/.test(amount) ? 0.5 : 1;
  const minutes = /^h|^hora|^hour/.test(unit) ? value * 60 : value;
  if (minutes <= 0 || minutes > 12 * 60) return undefined;
  const at = DateTime.fromJSDate(now, { zone: shop.timezone }).plus({ minutes }).startOf('minute');
  const rounded = at.plus({ minutes: (5 - (at.minute % 5)) % 5 });
  return { date: rounded.toISODate()!, time: rounded.toFormat('HH:mm') };
}

// biome-ignore format: a word list
const VOCABULARY = [
  // days, months and words around them
  'lunes', 'martes', 'miercoles', 'jueves', 'viernes', 'sabado', 'domingo', 'monday', 'tuesday', 'wednesday',
  'thursday', 'friday', 'saturday', 'sunday', 'enero', 'febrero', 'marzo', 'abril', 'mayo', 'junio', 'julio',
  'agosto', 'septiembre', 'octubre', 'noviembre', 'diciembre', 'january', 'february', 'march', 'april', 'june',
  'july', 'august', 'september', 'october', 'november', 'december', 'manana', 'pasado', 'semana', 'finde',
  'viene', 'proximo', 'proxima', 'siguiente', 'today', 'tomorrow', 'tonight', 'yesterday', 'weekend', 'after',
  'before', 'next', 'week', 'this',
  // times and parts of the day
  'tarde', 'noche', 'mediodia', 'medianoche', 'morning', 'afternoon', 'evening', 'night', 'noon', 'midnight',
  'lunch', 'lunchtime', 'media', 'cuarto', 'menos', 'quarter', 'half', 'past', 'primera', 'ultima', 'first',
  'last', 'despues', 'antes', 'partir', 'entre', 'between', 'comer', 'minutos', 'minutes', 'punto', 'pasadas',
  // common words near those, kept as they are: "toda la tarde" is not "today", "tardes" not "tarde"
  'toda', 'todo', 'todas', 'todos', 'tardes', 'noches', 'hora', 'horas', 'para', 'pero', 'pues', 'tiene', 'tienes',
  'tarda', 'entro', 'late', 'later', 'least', 'part', 'mejor', 'medio', 'mismo', 'misma', 'nights', 'mornings',
  'abris', 'abrir', 'abre', 'abren', 'meses', 'mother', 'tomar', 'mientras', 'mayor', 'ante', 'nada', 'quarters', 'ultimo', 'primer', 'primero', 'cosas', 'mesas',
  // numbers said in words: "cuatro" is not "cuarto"
  'cuatro', 'cinco', 'seis', 'siete', 'ocho', 'nueve', 'diez', 'once', 'doce', 'trece', 'catorce', 'quince', 'veinte',
  'treinta', 'cuarenta', 'cincuenta', 'three', 'four', 'five', 'seven', 'eight', 'nine', 'eleven', 'twelve',
  'fifteen', 'twenty', 'thirty', 'forty', 'fifty',
];

/** Short forms WhatsApp writers use for whole words. */
// biome-ignore format: a table
const SHORT_FORMS: Record<string, string> = {
  x: 'por', xa: 'para', pa: 'para', mnn: 'manana', mna: 'manana', tmrw: 'tomorrow', tmr: 'tomorrow', '2morrow': 'tomorrow',
  '2moro': 'tomorrow', '2day': 'today', '2nite': 'tonight', tonite: 'tonight',
};

/**
 * The message as words: lower case, no accents, punctuation gone but for what times and dates are
 * written with (17:30, 4/12, 17-2, 4.22), "a.m." as "am", short forms spelled out, and words one
 * typo from a word of days and times corrected.
 */
export function wordsOf(text: string): string[] {
  const folded = text
    .toLowerCase()
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .replace(/(^|[\s\d])([ap])\s?\.?\s?m\b\.?/g, '$1$2m')
    .replace(/[^\p{L}\p{N}:./'\s-]/gu, ' ');
  const words: string[] = [];
  for (const raw of folded.split(/\s+/)) {
    const word = raw.replace(/^[.'/-]+|[.'/-]+$/g, '');
    if (word === '') continue;
    // "alas 6" is "a las 6" squeezed together.
    if (word === 'alas') {
      words.push('a', 'las');
      continue;
    }
    words.push(SHORT_FORMS[word] ?? corrected(word));
  }
  return words;
}

function corrected(word: string): string {
  if (!/^\p{L}+$/u.test(word)) return word;
  const squeezed = word.replace(/(\p{L})\1+/gu, '$1');
  if (squeezed !== word && VOCABULARY.includes(squeezed)) return squeezed;
  return closestWord(word, VOCABULARY) ?? word;
}

/** "A las 5" at a barbershop is five in the afternoon: take whichever reading the shop is open at. */
export function likelyHour(hour: number, minute: number, shop: ShopConfig, date: string): number {
  if (hour === 12) return 12;
  const afternoon = hour + 12;
  const clock = (h: number) => `${String(h).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
  const openAt = (intervals: OpeningInterval[], h: number) =>
    intervals.some(({ from, to }) => from <= clock(h) && clock(h) < to);
  // The chosen day's hours decide; when they cannot (closed, or open at both), any day's do.
  for (const intervals of [openingHoursOnce(shop, date), WEEKDAYS.flatMap((day) => shop.openingHours[day])]) {
    const inMorning = openAt(intervals, hour);
    if (inMorning !== openAt(intervals, afternoon)) return inMorning ? hour : afternoon;
  }
  return hour < 8 ? afternoon : hour;
}
