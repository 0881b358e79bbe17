import type { DateTime } from 'luxon';
import type { Language, ShopConfig } from '../../../config/schema.ts';
import { openingHoursOnce } from './hours.ts';
import { numberAt, ordinalAt } from './numbers.ts';

// biome-ignore format: a table
export const WEEKDAY_NAMES: Record<string, number> = {
  lunes: 1, lun: 1, martes: 2, miercoles: 3, mie: 3, mier: 3, jueves: 4, jue: 4, viernes: 5, vie: 5, sabado: 6,
  sab: 6, domingo: 7, dom: 7, monday: 1, mon: 1, tuesday: 2, tue: 2, tues: 2, wednesday: 3, wed: 3, weds: 3,
  thursday: 4, thu: 4, thur: 4, thurs: 4, friday: 5, fri: 5, saturday: 6, sat: 6, sunday: 7, sun: 7,
};

// biome-ignore format: a table
const MONTH_NAMES: Record<string, number> = {
  enero: 1, ene: 1, febrero: 2, feb: 2, marzo: 3, mar: 3, abril: 4, abr: 4, mayo: 5, may: 5, junio: 6, jun: 6,
  julio: 7, jul: 7, agosto: 8, ago: 8, septiembre: 9, setiembre: 9, sep: 9, sept: 9, set: 9, octubre: 10, oct: 10,
  noviembre: 11, nov: 11, diciembre: 12, dic: 12, january: 1, jan: 1, february: 2, march: 3, april: 4, apr: 4,
  june: 6, july: 7, august: 8, aug: 8, september: 9, october: 10, november: 11, december: 12, dec: 12,
};
/** Month abbreviations that are also everyday words: a month only right beside a day number. */
const AMBIGUOUS_MONTHS = new Set(['mar', 'may', 'set', 'jun', 'sep', 'dec']);

/** Words that put a weekday in last week. */
const LAST_WEEK = /^(?:(?:de|of) )?(?:la )?(?:semana pasada|ultima semana|last week)/;

// biome-ignore format: a table
const NTH: Record<string, number> = {
  primer: 1, primero: 1, first: 1, segundo: 2, second: 2, tercer: 3, tercero: 3, third: 3, cuarto: 4, fourth: 4,
  ultimo: -1, last: -1,
};

/** The nth weekday of a month (-1: the last), in this month when `thisMonth`, else its next one. */
function nthWeekday(
  today: DateTime,
  month: number,
  weekday: number,
  nth: number,
  thisMonth: boolean,
): DateTime | undefined {
  const find = (year: number) => {
    const first = today.set({ year, month, day: 1 });
    if (nth === -1) {
      const last = first.endOf('month').startOf('day');
      return last.minus({ days: (last.weekday - weekday + 7) % 7 });
    }
    const date = first.plus({ days: ((weekday - first.weekday + 7) % 7) + (nth - 1) * 7 });
    return date.month === month ? date : undefined;
  };
  const date = find(today.year);
  if (thisMonth || (date && date >= today)) return date;
  return find(today.year + 1);
}

/** Words that put a weekday in next week rather than the coming one. */
const NEXT_WEEK = /^(?:(?:de|of) )?(?:la )?(?:semana que viene|proxima semana|siguiente semana|next week)/;

/** The day a message names: one date, or the two it could mean when it names one day ambiguously. */
export interface DaySaid {
  date?: string;
  /** "el martes" said on a Tuesday: today or next week's, both as "YYYY-MM-DD", the sooner first. */
  either?: [string, string];
}

/**
 * The one day a message names, as "YYYY-MM-DD", or the two it could mean ("el martes" said on a
 * Tuesday, "next Wednesday" said on a Tuesday, "el 24" said on the 24th, "el viernes 6" when the
 * 6th is a Sunday, "4/12" in English, "el finde" at a shop open both days): the customer settles
 * those. Nothing when it names none, or several days.
 * Weekdays are the coming one ("el viernes", "next friday" on a Tuesday is this Friday; said on
 * that weekday, "el martes que viene" is next week's); a day of the month alone is its next one.
 */
export function dayIn(said: string[], today: DateTime, shop: ShopConfig, language?: Language): DaySaid {
  const words = withoutRefusedDays(said);
  if (words.includes('?')) return {};
  const text = ` ${words.join(' ')} `;
  const found: DateTime[] = [];
  const eithers: string[] = [];
  const add: Add = (date, or) => {
    if (or !== undefined) {
      if (date?.isValid && or.isValid)
        eithers.push(
          [date, or]
            .map((d) => d.toISODate())
            .sort()
            .join(' '),
        );
      else if (or.isValid) found.push(or);
      else if (date?.isValid) found.push(date);
    } else if (date?.isValid) found.push(date);
  };

  for (const match of text.matchAll(RELATIVE)) {
    // "hasta mañana" says goodbye; it does not ask for that day.
    if (/ hasta$/.test(text.slice(0, match.index))) continue;
    add(today.plus({ days: RELATIVE_DAYS(match[0].trim()) }));
  }
  for (const match of text.matchAll(/ (?:dentro de|en|in) (\S+(?: y \S+)?) (dias|days|semanas?|weeks?)\b/g)) {
    const n = /^(?:a|an|one)$/.test(match[1]) ? { value: 1 } : numberAt(match[1].split(' '), 0);
    const week = /^(?:semana|week)/.test(match[2]);
    if (n && n.value > 0) add(today.plus({ days: n.value * (week ? 7 : 1) }));
  }
  // "3 fridays from now": the coming Friday is the first of them.
  const counted = / (\S+) (\p{L}+?)s? from now\b/u.exec(text);
  const countedWeekday = counted ? WEEKDAY_NAMES[counted[2]] : undefined;
  if (counted && countedWeekday !== undefined) {
    const n = /^(?:a|an|one)$/.test(counted[1]) ? { value: 1 } : numberAt([counted[1]], 0);
    if (n && n.value > 0)
      add(today.plus({ days: ((countedWeekday - today.weekday + 7) % 7 || 7) + 7 * (n.value - 1) }));
    return found.length === 1 && eithers.length === 0 ? { date: found[0].toISODate()! } : {};
  }
  if (/ (?:finde|fin de semana|weekend)\b/.test(text)) weekendDay(today, shop, add);
  explicitDates(words, today, language, add);
  weekdays(words, today, add);

  // A weekday beside an explicit date ("el jueves 3", "Monday January 12th") is that date.
  const dates = new Set(found.map((date) => date.toISODate()!));
  const doubts = new Set(eithers);
  if (doubts.size === 0) return dates.size === 1 ? { date: [...dates][0] } : {};
  // One doubt, and nothing said beside it but one of its own two days.
  const [doubt] = [...doubts];
  const either = doubt.split(' ') as [string, string];
  if (doubts.size > 1 || [...dates].some((date) => !either.includes(date))) return {};
  return dates.size === 1 ? { date: [...dates][0] } : { either };
}

/**
 * Day words the customer turns down ("mañana no", "el jueves no puedo", "not friday") are left
 * out; a day offered as one of two ("mañana o pasado") leaves the message without a day.
 */
function withoutRefusedDays(words: string[]): string[] {
  return words.map((word, at) => {
    const isDay = WEEKDAY_NAMES[word] !== undefined || ['manana', 'hoy', 'tomorrow', 'today'].includes(word);
    if (!isDay || words[at - 1] === 'la' || words[at - 1] === 'esta') return word;
    const before = words.slice(Math.max(0, at - 3), at).join(' ');
    // ("no, el jueves" is a correction: it asks for Thursday.)
    // "mañana o pasado", "friday or saturday": a choice the customer has not made yet ("o así" is "or so").
    const orSo = /^(?:asi|so)$/.test(words[at + 2] ?? '');
    const either = (['o', 'or'].includes(words[at + 1] ?? '') && !orSo) || ['o', 'or'].includes(words[at - 1] ?? '');
    const refused =
      words[at + 1] === 'no' || /(?:^| )(?:not|no puedo|can't|cant|cannot)(?: do| el| on| the)?$/.test(before);
    if (either) return '?';
    return refused ? '-' : word;
  });
}

const RELATIVE =
  / (?:el dia despues de manana|the day after tomorrow|day after tomorrow|pasado manana|el dia antes de ayer|the day before yesterday|day before yesterday|antes de ayer|anteayer|el (?:proximo|siguiente) dia|el dia siguiente|the next day|(?<!la |esta )manana|tomorrow|hoy|today|tonight|ayer|yesterday|esta (?:tarde|noche|manana)|this (?:morning|afternoon|evening))\b/g;

function RELATIVE_DAYS(phrase: string): number {
  if (/despues de manana|after tomorrow|pasado/.test(phrase)) return 2;
  if (/antes de ayer|before yesterday|anteayer/.test(phrase)) return -2;
  if (/manana|tomorrow|siguiente|proximo|next/.test(phrase)) return 1;
  if (/ayer|yesterday/.test(phrase)) return -1;
  return 0;
}

/** The weekend day the shop opens; either of the two when it opens both (none when neither). */
function weekendDay(today: DateTime, shop: ShopConfig, add: Add): void {
  const saturday = today.plus({ days: (6 - today.weekday + 7) % 7 });
  const sunday = today.weekday === 7 ? today : saturday.plus({ days: 1 });
  const open = [saturday, sunday].filter((day) => day >= today && openingHoursOnce(shop, day.toISODate()!).length > 0);
  if (open.length === 1) add(open[0]);
  if (open.length === 2) add(open[0], open[1]);
}

/** Adds the day named; with `or`, a day that is either of two (the customer is asked which). */
type Add = (date: DateTime | undefined, or?: DateTime) => void;

function weekdays(words: string[], today: DateTime, add: Add): void {
  words.forEach((word, at) => {
    const weekday = WEEKDAY_NAMES[word];
    if (weekday === undefined) return;
    // "sat", "sun", "mar" are other words too when nothing around them is about days.
    const before = words.slice(Math.max(0, at - 4), at).join(' ');
    const after = words.slice(at + 1, at + 7).join(' ');
    // "el primer viernes de julio", "the last friday of this month"
    const nth = NTH[words[at - 1] ?? ''];
    const month = /^(?:de|of) (?:(?:este|this) mes|this month|(\p{L}+))/u.exec(after);
    if (nth !== undefined && month) {
      const named = month[1] === undefined ? today.month : MONTH_NAMES[month[1]];
      if (named !== undefined) add(nthWeekday(today, named, weekday, nth, month[1] === undefined));
      return;
    }
    // "Monday January 12th", "el lunes 12 de enero": the explicit date says it.
    if (monthNear(words, at + 1)) return;
    // "el jueves 3": the number names the day; the weekday only confirms it.
    const dayNumber = /^(\d{1,2})(?:st|nd|rd|th)?(?:$| (?!am\b|pm\b|h\b|y |de la|menos))/.exec(after);
    if (dayNumber && !/[:.]/.test(words[at + 1] ?? '')) {
      const day = Number(dayNumber[1]);
      let candidate = today.set({ day });
      if (candidate.day !== day || candidate < today) candidate = today.plus({ months: 1 }).set({ day });
      const coming = today.plus({ days: (weekday - today.weekday + 7) % 7 });
      // "el viernes 6" when the 6th is a Sunday: one of the two is wrong, and we cannot tell which.
      if (candidate.day !== day) add(coming);
      else if (candidate.weekday !== weekday) add(candidate, coming);
      else add(candidate);
      return;
    }
    if (/(?:^| )hasta(?: el)?$/.test(before)) return;
    let days = (weekday - today.weekday + 7) % 7;
    const saysNext = /(?:proximo|proxima|next)$/.test(before) || /^(?:que viene)/.test(after);
    if (/(?:ultimo|last)$/.test(before) || /^pasado\b/.test(after)) days = days === 0 ? -7 : days - 7;
    else if (LAST_WEEK.test(after) || /last week$/.test(before)) days = weekday - today.weekday - 7;
    else if (NEXT_WEEK.test(after) || /(?:next week|semana que viene|proxima semana)(?: el| on)?$/.test(before)) {
      days = weekday - today.weekday + 7;
    } else if (/^(?:de )?esta semana|^this week/.test(after) || /this week$/.test(before))
      days = weekday - today.weekday;
    else if (/^after next/.test(after)) days += 7;
    else if (saysNext && days === 0) days = 7;
    // "next Wednesday" said on a Tuesday: tomorrow, or the Wednesday of next week; the customer settles it.
    else if (saysNext && days === 1 && !/^(?:que viene)/.test(after)) {
      add(today.plus({ days: 1 }), today.plus({ days: 8 }));
      return;
    }
    // "el martes" said on a Tuesday: today ("hoy" would say so) or next week's; the customer settles it.
    else if (days === 0 && !/(?:^| )(?:hoy|today|este|esta|this)(?: el)?$/.test(before)) {
      add(today, today.plus({ days: 7 }));
      return;
    }
    let date = today.plus({ days });
    if (/(?:dia antes del?|day before)$/.test(before)) date = date.minus({ days: 1 });
    if (/(?:dia despues del?|day after)$/.test(before)) date = date.plus({ days: 1 });
    add(date);
  });
}

function monthNear(words: string[], from: number): boolean {
  return words.slice(from, from + 4).some((word) => MONTH_NAMES[word] !== undefined);
}

/** A day number with or without a month and year: "3 de diciembre", "dec 2", "4/12", "17-2", "el 15", "the 28th of this month". */
function explicitDates(words: string[], today: DateTime, language: Language | undefined, add: Add): void {
  const text = words.join(' ');
  const yearOf = (raw: string | undefined) =>
    raw === undefined ? undefined : raw.length === 2 ? 2000 + Number(raw) : Number(raw);
  const next = (day: number, month: number, year?: number) => {
    if (year !== undefined) return today.set({ year, month, day });
    const candidate = today.set({ month, day });
    if (candidate.day !== day || candidate.month !== month) return undefined;
    return candidate < today ? candidate.plus({ years: 1 }) : candidate;
  };

  // 2015/08/12, 2015.5.13
  for (const m of text.matchAll(/\b(\d{4})[/.-](\d{1,2})[/.-](\d{1,2})\b/g)) {
    add(checked(today, Number(m[1]), Number(m[2]), Number(m[3])));
  }
  // 21/04/2016, 21-04-16, 13.5.2015, 3-7-2017 (day first, as Spanish and British writers do)
  for (const m of text.matchAll(/\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})\b/g)) {
    const order = dayMonthOrder(Number(m[1]), Number(m[2]), language);
    if (order) add(checked(today, yearOf(m[3])!, order.month, order.day));
  }
  // 4/12, 17-2, 4-22, 22/04 (not 17.30 or 10:30, which are times)
  for (const m of text.matchAll(/(?<![\d/.:-])(\d{1,2})([/-])(\d{1,2})(?![\d/.:-]|\s?(?:am|pm|h)\b)/g)) {
    const [first, second] = [Number(m[1]), Number(m[3])];
    const order = dayMonthOrder(first, second, language);
    if (order) add(next(order.day, order.month));
    // "4/12" from an English writer: 4 December, or 12 April as Americans write it.
    else if (dayMonthOrder(first, second)) add(next(first, second), next(second, first));
  }
  // 3 de diciembre [de 2026], 2 oct, 1st jan, veintiuno de mayo, 2-oct, 1-ene
  words.forEach((_word, at) => {
    const month = monthAt(words, at);
    if (month === undefined) return;
    const ofBefore = words[at - 1] === 'de' || words[at - 1] === 'of' ? 1 : 0;
    const before = dayNumberEndingAt(words, at - 1 - ofBefore);
    const yearWord = words[at + 1] === 'de' || words[at + 1] === 'del' ? words[at + 2] : words[at + 1];
    const year = /^\d{4}$/.test(yearWord ?? '') ? Number(yearWord) : undefined;
    if (before !== undefined) {
      add(year ? checked(today, year, month, before) : next(before, month));
      return;
    }
    // dec 2, mayo veintiuno, october 2, 2016
    const after = dayNumberAt(words, at + 1);
    if (after !== undefined) {
      const afterYear = /^\d{4}$/.test(words[at + 1 + after.length] ?? '')
        ? Number(words[at + 1 + after.length])
        : undefined;
      add(afterYear ? checked(today, afterYear, month, after.value) : next(after.value, month));
    }
  });
  for (const m of text.matchAll(/\b(\d{1,2})-(\p{L}+)\b|\b(\p{L}+)[-/](\d{1,2})\b|\b(\d{1,2})\/(\p{L}+)\b/gu)) {
    const month = MONTH_NAMES[m[2] ?? m[3] ?? m[6]];
    const day = Number(m[1] ?? m[4] ?? m[5]);
    if (month) add(next(day, month));
  }
  // "el 15", "el dia 2", "the 28th", "on the 1st", "on 15", "the 12th of this month"
  for (const m of text.matchAll(
    /\b(?:el dia|el|dia|the|on the|on|for the)\s(\d{1,2})(st|nd|rd|th|ro)?\b(?!\s?(?:de (?!este mes|la semana)|of (?!this|next)|:|\.\d|\/|-|am\b|pm\b|h\b|y |menos|horas?|hours?|euros?|anos|years?|personas|people|mins?|minutos|minutes|o'clock))/g,
  )) {
    // "the 2" without an ordinal is a choice more often than a day.
    if (m[2] === undefined && m[0].startsWith('the ')) continue;
    const day = Number(m[1]);
    const rest = text.slice(m.index + m[0].length);
    // "el 2 oct", "el 15 junio 2016": the month reader has it.
    if (MONTH_NAMES[rest.trim().split(' ')[0] ?? ''] !== undefined) continue;
    if (/^ (?:de|of) (?:next month|el mes que viene|el proximo mes)/.test(rest)) {
      add(today.plus({ months: 1 }).set({ day }));
      continue;
    }
    if (/^ (?:de|of) (?:este mes|this month)/.test(rest)) {
      const date = today.set({ day });
      if (date.day === day) add(date);
      continue;
    }
    if (day < 1 || day > 31) continue;
    const nextMonth = today.plus({ months: 1 }).set({ day });
    // "el 24" said on the 24th: today ("hoy" would say so) or next month's; the customer settles it.
    if (day === today.day) add(today, nextMonth.day === day ? nextMonth : undefined);
    else if (today.set({ day }) > today && today.set({ day }).day === day) add(today.set({ day }));
    else if (nextMonth.day === day) add(nextMonth);
  }
}

function monthAt(words: string[], at: number): number | undefined {
  const month = MONTH_NAMES[words[at]];
  if (month === undefined) return undefined;
  if (!AMBIGUOUS_MONTHS.has(words[at])) return month;
  const besideNumber =
    dayNumberAt(words, at + 1) !== undefined ||
    /^\d{1,2}(?:st|nd|rd|th)?$/.test(words[at - 1] ?? '') ||
    (words[at - 1] === 'de' && /^\d{1,2}$/.test(words[at - 2] ?? ''));
  return besideNumber ? month : undefined;
}

/** A day number ending at `words[end]`: "3", "1st", "1ro", "primero", "veintiuno", "twenty second". */
function dayNumberEndingAt(words: string[], end: number): number | undefined {
  for (const length of [2, 1]) {
    const start = end - length + 1;
    if (start < 0) continue;
    const read = dayNumberAt(words, start);
    if (read && read.length === length) return read.value;
  }
  return undefined;
}

function dayNumberAt(words: string[], at: number): { value: number; length: number } | undefined {
  const read = ordinalAt(words, at) ?? numberAt(words, at);
  if (read && read.value >= 1 && read.value <= 31) return read;
  return undefined;
}

/** Day and month of "4/12": day first, unless only the other order is a date; unsure in English when both are. */
function dayMonthOrder(first: number, second: number, language?: Language) {
  const dayFirst = first >= 1 && first <= 31 && second >= 1 && second <= 12;
  const monthFirst = second >= 1 && second <= 31 && first >= 1 && first <= 12;
  if (dayFirst && monthFirst && first !== second && language === 'en') return undefined;
  if (dayFirst) return { day: first, month: second };
  if (monthFirst) return { day: second, month: first };
  return undefined;
}

function checked(today: DateTime, year: number, month: number, day: number): DateTime | undefined {
  const date = today.set({ year, month, day });
  return date.year === year && date.month === month && date.day === day ? date : undefined;
}
