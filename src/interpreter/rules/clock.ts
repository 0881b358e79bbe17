import type { ShopConfig } from '../../../config/schema.ts';
import type { PartOfDay } from '../../../machines/booking.context.ts';
import { WEEKDAY_NAMES } from './days.ts';
import { openingHoursOnce } from './hours.ts';
import { numberAt } from './numbers.ts';
import { likelyHour } from './when.ts';

type Meridiem = 'am' | 'pm';

/** A clock time as said: the hour and minute, whether am/pm was said, and how many words it took. */
interface Said {
  hour: number;
  minute: number;
  meridiem?: Meridiem;
  length: number;
}

/** Words after a number that make it a count, not an hour: "6 años", "2 personas", "15 euros". */
const COUNTED =
  /^(?:anos|años|years?|year-old|euros?|eur|personas|people|minutos|minutes|mins?|horas|hours|dias|days|semanas|weeks|meses|months|veces|times|cortes|cuts|cosas|things)$/;

/** Words before a bare number that make it an hour: "a las 5", "at 5", "sobre las 5", "around 6". */
const LEADS = new Set([
  'las',
  'at',
  'around',
  'about',
  'tipo',
  'sobre',
  'hacia',
  'morning',
  'afternoon',
  'evening',
  'night',
]);

/**
 * The one clock time a message names, as "HH:MM", or undefined when it names none or several
 * ("a las 5 o a las 6" is for the customer to settle). Stretches of the day ("entre las 4 y las 6",
 * "after 6") are not times: `partOfDayIn` reads them.
 */
export function timeIn(words: string[], shop: ShopConfig, day: string): string | undefined {
  const taken = stretchIn(words, shop, day)?.words ?? new Set<number>();
  const period = periodOf(words);
  const times = new Set<string>();
  for (let at = 0; at < words.length; at++) {
    if (taken.has(at)) continue;
    const said = clockAt(words, at, true);
    if (!said) continue;
    const time = resolved(said, said.meridiem ?? period, shop, day);
    if (time === undefined) return undefined;
    times.add(time);
    at += said.length - 1;
  }
  return times.size === 1 ? [...times][0] : undefined;
}

/**
 * The part of the day a message names, as a stretch of wall-clock time: "por la tarde", "in the
 * evening", "a primera hora" (the first hour the shop is open that day), "después de las 6",
 * "entre las 4 y las 6". Undefined when it names none, or two that differ.
 */
export function partOfDayIn(words: string[], shop: ShopConfig, day: string): PartOfDay | undefined {
  const stretch = stretchIn(words, shop, day);
  if (stretch) return stretch.part;
  const text = ` ${words.join(' ')} `;
  // "A primera hora de la tarde" is one stretch, not "a primera hora" and "la tarde" at odds.
  const afternoon = AFTERNOON_EDGE.exec(text);
  if (afternoon) return afternoonEdge(shop, day, afternoon[1] === 'primera' ? 'first' : 'last');
  const parts = new Set<string>();
  for (const [pattern, part] of PARTS) {
    if (!pattern.test(text)) continue;
    const window = typeof part === 'function' ? part(shop, day) : part;
    if (window === undefined) return undefined;
    parts.add(`${window.from}-${window.to}`);
  }
  if (parts.size !== 1) return undefined;
  const [from, to] = [...parts][0].split('-');
  return { from, to };
}

const AFTERNOON_EDGE = / a (primera|ultima) hora de (?:la|esta) tarde /;

/** The first or last hour the shop opens in the afternoon (from 14:00, as "por la tarde") that day; none when it does not. */
function afternoonEdge(shop: ShopConfig, day: string, edge: 'first' | 'last'): PartOfDay | undefined {
  const spans = opening(shop, day).filter(({ to }) => to > '14:00');
  if (spans.length === 0) return undefined;
  if (edge === 'last') {
    const to = spans.at(-1)!.to;
    return { from: clock(Math.max(minutesOf(to) - 60, 14 * 60)), to };
  }
  const from = spans[0].from > '14:00' ? spans[0].from : '14:00';
  return { from, to: clock(Math.min(minutesOf(from) + 60, 23 * 60 + 59)) };
}

const GREETING_PARTS = / (?:buenas|good) (?:tardes|noches|afternoon|evening|night|morning) /;

const opening = (shop: ShopConfig, day: string) => openingHoursOnce(shop, day);
const clock = (minutes: number) =>
  `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
const minutesOf = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3));

/** Parts of the day, as the words for them and their stretch (or how to find it in the shop's hours). */
const PARTS: [RegExp, PartOfDay | ((shop: ShopConfig, day: string) => PartOfDay | undefined)][] = [
  [
    / (?:a primera hora|first thing|lo (?:antes|mas temprano) posible|as (?:early|soon) as possible) /,
    (shop, day) => {
      const from = opening(shop, day)[0]?.from;
      return from ? { from, to: clock(Math.min(minutesOf(from) + 60, 23 * 60 + 59)) } : undefined;
    },
  ],
  [
    / (?:a ultima hora|last thing|lo mas tarde posible|as late as possible) /,
    (shop, day) => {
      const to = opening(shop, day).at(-1)?.to;
      return to ? { from: clock(Math.max(minutesOf(to) - 60, 0)), to } : undefined;
    },
  ],
  [
    / (?:(?:a )?la hora de comer|hora del almuerzo|lunch ?time|at lunch|over lunch|for lunch) /,
    { from: '12:00', to: '15:00' },
  ],
  [/ late afternoon /, { from: '16:00', to: '18:00' }],
  [/ early afternoon /, { from: '13:00', to: '15:00' }],
  [/ (?:(?:por|en|a|de)? ?la tarde|esta tarde|tardecita|despues de comer) /, { from: '14:00', to: '21:00' }],
  [/ (?<!good |late |early )(?:this |in the )?afternoon | after lunch /, { from: '13:00', to: '18:00' }],
  [
    / (?:(?:por|en|a|de) la noche|esta noche|tonight|at night|(?<!good )(?:this |in the )?evening) /,
    { from: '18:00', to: '23:59' },
  ],
  [
    / (?:(?:por|en|a|de) la manana|esta manana|mananita|(?<!good )(?:this |in the )?morning) /,
    { from: '07:00', to: '14:00' },
  ],
];

/** am or pm when the message names a part of the day: "por la tarde a las 7", "evening 6". */
function periodOf(words: string[]): Meridiem | undefined {
  const text = ` ${words.join(' ')} `.replace(GREETING_PARTS, ' ');
  const pm = / (?:(?:por|en|a|de) la (?:tarde|noche)|esta (?:tarde|noche)|afternoon|evening|tonight|night) /.test(text);
  const am = / (?:(?:por|en|a|de) la (?:manana|madrugada)|esta manana|morning) /.test(text);
  return pm === am ? undefined : pm ? 'pm' : 'am';
}

/** "entre las 4 y las 6", "de 5 a 7", "between 4 and 6", "después de las 6", "after 6", "before noon". */
function stretchIn(
  words: string[],
  shop: ShopConfig,
  day: string,
): { part: PartOfDay; words: Set<number> } | undefined {
  const span = (from: number, to: number) => new Set(Array.from({ length: to - from }, (_, i) => from + i));
  for (let at = 0; at < words.length; at++) {
    const word = words[at];
    const next = words[at + 1];
    // between two hours
    const opener =
      (word === 'entre' || word === 'between' || word === 'from' || word === 'de' || word === 'desde') && at + 1;
    if (opener) {
      let i = opener;
      if (words[i] === 'las' || words[i] === 'la') i++;
      const first = hourAt(words, i);
      if (first) {
        let j = i + first.length;
        const joiner = words[j];
        if (['y', 'and', 'a', 'to', 'till', 'until', 'hasta'].includes(joiner ?? '')) {
          j++;
          if (words[j] === 'las' || words[j] === 'la') j++;
          const second = hourAt(words, j);
          if (second && !COUNTED.test(words[j + second.length] ?? '')) {
            const meridiem = second.meridiem ?? first.meridiem ?? periodOf(words);
            const to = resolved(second, meridiem, shop, day);
            const from = resolved(first, first.meridiem ?? meridiem, shop, day);
            if (from && to && from < to) return { part: { from, to }, words: span(at, j + second.length) };
            return undefined;
          }
        }
      }
    }
    // after an hour
    let after: number | undefined;
    if (word === 'despues' && (next === 'de' || next === 'del')) after = at + 2;
    if (word === 'a' && next === 'partir' && words[at + 2] === 'de') after = at + 3;
    if (word === 'after' || word === 'desde' || word === 'from') after = at + 1;
    if (word === 'later' && next === 'than') after = at + 2;
    let before: number | undefined;
    if (word === 'antes' && (next === 'de' || next === 'del')) before = at + 2;
    if (word === 'before') before = at + 1;
    for (const [start, isAfter] of [
      [after, true],
      [before, false],
    ] as const) {
      if (start === undefined) continue;
      let i = start;
      if (words[i] === 'las' || words[i] === 'la' || words[i] === 'el') i++;
      const hour = hourAt(words, i);
      if (!hour || COUNTED.test(words[i + hour.length] ?? '')) continue;
      const time = resolved(hour, hour.meridiem ?? periodOf(words), shop, day);
      if (!time) return undefined;
      const part = isAfter ? { from: time, to: '23:59' } : { from: '00:00', to: time };
      return { part, words: span(at, i + hour.length) };
    }
  }
  return undefined;
}

/** An hour where one is expected (after "entre", "after"): digits, words, "12:30", "6pm", "noon". */
function hourAt(words: string[], at: number): Said | undefined {
  const word = words[at];
  if (word === 'noon' || word === 'mediodia') return { hour: 12, minute: 0, meridiem: 'pm', length: 1 };
  return clockAt(words, at, false);
}

/**
 * A clock time starting at `words[at]`. With `needsContext`, a bare number is an hour only after
 * "a las", "at", "around"... or before "y media", "pm", "de la tarde", "o'clock"...
 */
function clockAt(words: string[], at: number, needsContext: boolean): Said | undefined {
  const word = words[at];
  const prev = words[at - 1] ?? '';
  if (word === undefined) return undefined;
  if (word === 'mediodia' || word === 'noon' || word === 'noonish')
    return { hour: 12, minute: 0, meridiem: 'pm', length: 1 };
  if (word === 'medianoche' || word === 'midnight' || word === 'mid-night')
    return { hour: 0, minute: 0, meridiem: 'am', length: 1 };
  if (word === 'mid' && words[at + 1] === 'night') return { hour: 0, minute: 0, meridiem: 'am', length: 2 };

  const fraction = fractionAt(words, at);
  if (fraction) return fraction;

  let m = /^(\d{1,2}):(\d{2})(?::\d{2})?(am|pm|h|hs|hrs)?$/.exec(word) ?? /^(\d{1,2})h(\d{2})$/.exec(word);
  if (m) return withMeridiem(words, at, { hour: Number(m[1]), minute: Number(m[2]), length: 1 }, m[3]);
  m = /^(\d{1,2})\.(\d{2})(am|pm)?$/.exec(word);
  // "17.30" is a time; "4.22" may be a date too, unless "a las" or "pm" says which.
  const saysTime = m?.[3] !== undefined || LEADS.has(prev) || Number(m?.[2]) % 5 === 0;
  if (m && Number(m[2]) < 60 && saysTime) {
    return withMeridiem(words, at, { hour: Number(m[1]), minute: Number(m[2]), length: 1 }, m[3]);
  }
  if (m) return undefined;
  m = /^(\d{1,2})(am|pm|a|p|h|hs|hrs|-?ish)$/.exec(word);
  if (m) {
    const meridiem = m[2].startsWith('a') ? 'am' : m[2].startsWith('p') ? 'pm' : undefined;
    return withMinutes(words, at, { hour: Number(m[1]), minute: 0, meridiem, length: 1 });
  }
  m = /^(\d{1,2})(\d{2})(am|pm)?$/.exec(word);
  if (m && (m[3] || /^(?:am|pm)$/.test(words[at + 1] ?? '')) && Number(m[2]) < 60) {
    return withMeridiem(words, at, { hour: Number(m[1]), minute: Number(m[2]), length: 1 }, m[3]);
  }

  const number = numberAt(words, at);
  if (!number || number.value > 23 || COUNTED.test(words[at + number.length] ?? '')) return undefined;
  // "la una" (one o'clock); "la 2" is an option of a list.
  const dayNext = /^\d/.test(word) && /^(?:tomorrow|today|tonight|manana|hoy)$/.test(words[at + number.length] ?? '');
  // "mañana a 11": "a" without "las", but not "a 5 de diciembre".
  const bareA = prev === 'a' && !/^(?:de|del|y)$/.test(words[at + number.length] ?? '') && /^\d/.test(word);
  const led = LEADS.has(prev) || dayNext || bareA || (prev === 'la' && number.value === 1 && words[at - 2] === 'a');
  // "el viernes 6 por la tarde" is Friday the 6th in the afternoon: the number is the day's.
  const afterWeekday = WEEKDAY_NAMES[prev] !== undefined && /^\d/.test(word);
  if (afterWeekday && !led && /^(?:por|en|in)$/.test(words[at + number.length] ?? '')) return undefined;
  const said = withMinutes(words, at, { hour: number.value, minute: 0, length: number.length });
  if (!said) return undefined;
  const markedAfter = said.length > number.length || said.meridiem !== undefined;
  if (needsContext && !led && !markedAfter) return undefined;
  return said;
}

/** Minutes said after the hour ("y media", "menos cuarto", "y 20", "thirty", "en punto"), then am/pm. */
function withMinutes(words: string[], at: number, said: Said): Said | undefined {
  const next = at + said.length;
  const word = words[next];
  const following = words[next + 1];
  if (word === 'y' && (following === 'media' || following === 'cuarto')) {
    said = { ...said, minute: following === 'media' ? 30 : 15, length: said.length + 2 };
  } else if (word === 'menos' && following === 'cuarto') {
    said = { ...said, hour: said.hour - 1 || 12, minute: 45, length: said.length + 2 };
  } else if ((word === 'y' || word === 'menos') && following !== undefined) {
    const minutes = numberAt(words, next + 1);
    if (minutes && minutes.value > 0 && minutes.value < 60) {
      const unit = /^(?:minutos|mins?)$/.test(words[next + 1 + minutes.length] ?? '') ? 1 : 0;
      said =
        word === 'y'
          ? { ...said, minute: minutes.value, length: said.length + 1 + minutes.length + unit }
          : {
              ...said,
              hour: said.hour - 1 || 12,
              minute: 60 - minutes.value,
              length: said.length + 1 + minutes.length + unit,
            };
    }
  } else if (/^\d{2}$/.test(word ?? '') && /^\d{1,2}$/.test(words[at]) && LEADS.has(words[at - 1] ?? '')) {
    // "at 3 15": the minutes as a second number.
    if (Number(word) < 60) said = { ...said, minute: Number(word), length: said.length + 1 };
  } else if (word === 'en' && following === 'punto') {
    return withMeridiem(words, at, { ...said, length: said.length + 2 });
  } else if (word === "o'clock" || word === 'oclock') {
    return withMeridiem(words, at, { ...said, length: said.length + 1 });
  } else if (word === 'ish' || word === 'noon') {
    return { ...said, length: said.length + 1, meridiem: word === 'noon' ? 'pm' : said.meridiem };
  } else if (!/^\d/.test(words[at]) && word !== undefined) {
    // "eight forty", "siete treinta", "ten oh five": an hour in words, then minutes in words.
    const oh = word === 'oh' ? 1 : 0;
    const minutes = numberAt(words, next + oh);
    if (minutes && !/^\d/.test(words[next + oh]) && minutes.value >= (oh ? 1 : 10) && minutes.value < 60) {
      said = { ...said, minute: minutes.value, length: said.length + oh + minutes.length };
    }
  }
  return withMeridiem(words, at, said);
}

/** am/pm after a time: "pm", "de la tarde", "in the morning", "at night", "afternoon". */
function withMeridiem(words: string[], at: number, said: Said, attached?: string): Said {
  if (attached === 'am' || attached === 'pm') return { ...said, meridiem: attached };
  const next = at + said.length;
  const rest = words.slice(next, next + 3).join(' ');
  const found: [RegExp, Meridiem][] = [
    [/^(?:am)\b/, 'am'],
    [/^(?:pm)\b/, 'pm'],
    [/^(?:de la|por la|en la) (?:manana|madrugada)\b/, 'am'],
    [/^(?:de la|por la|en la) (?:tarde|noche)\b/, 'pm'],
    [/^in the morning\b/, 'am'],
    [/^(?:in the )?(?:afternoon|evening|night)\b/, 'pm'],
    [/^at night\b/, 'pm'],
  ];
  for (const [pattern, meridiem] of found) {
    const match = pattern.exec(rest);
    if (match) return { ...said, meridiem, length: said.length + match[0].split(' ').length };
  }
  return said;
}

/**
 * Times said as a part of an hour: "half past 8", "half 4", "a quarter to 6", "three quarters past
 * 9", "ten to six", "20 min past eight", "cuarto pasadas las ocho", "faltan 3 minutos para las ocho".
 */
function fractionAt(words: string[], at: number): Said | undefined {
  let i = at;
  if (words[i] === 'faltan') i++;
  if (words[i] === 'a' && words[i + 1] === 'quarter') i++;
  let minutes: number | undefined;
  if (words[i] === 'half') minutes = 30;
  else if (words[i] === 'quarter' || words[i] === 'cuarto') minutes = 15;
  else if (words[i] === 'three' && words[i + 1] === 'quarters') {
    minutes = 45;
    i++;
  } else {
    const number = numberAt(words, i);
    if (!number || number.value < 1 || number.value > 59) return undefined;
    const unit = /^(?:minutos|minutes|mins?)$/.test(words[i + number.length] ?? '');
    // "15 to noon" is a time; "5 to 6" may be a stretch of the day.
    const toNoon = /^(?:noon|mediodia|midnight)$/.test(words[i + number.length + 1] ?? '');
    if (/^\d/.test(words[i]) && !unit && !toNoon) return undefined;
    minutes = number.value;
    i += number.length - 1 + (unit ? 1 : 0);
  }
  i++;
  let sign: 1 | -1;
  if (words[i] === 'past' || words[i] === 'after' || words[i] === 'pasadas') sign = 1;
  else if (words[i] === 'to' || words[i] === 'para') sign = -1;
  else if (words[at] === 'half' && numberAt(words, i)) {
    // British "half 4" is half past four.
    sign = 1;
    i--;
  } else return undefined;
  i++;
  if (words[i] === 'de') i++;
  if (words[i] === 'las' || words[i] === 'la') i++;
  const noon = words[i] === 'noon' || words[i] === 'mediodia' ? { value: 12, length: 1 } : undefined;
  const hour =
    noon ??
    numberAt(words, i) ??
    (/^(\d{1,2})(am|pm)$/.exec(words[i] ?? '') ? { value: Number(words[i].slice(0, -2)), length: 1 } : undefined);
  if (!hour || hour.value > 23) return undefined;
  const attached = /^(\d{1,2})(am|pm)$/.exec(words[i] ?? '')?.[2];
  // "3 min para las cinco treinta": the hour may have its own minutes.
  const own = !/^\d/.test(words[i]) ? numberAt(words, i + hour.length) : undefined;
  const ownMinutes = own && own.value >= 10 && own.value < 60 && !/^\d/.test(words[i + hour.length]) ? own : undefined;
  const total = (hour.value * 60 + (ownMinutes?.value ?? 0) + sign * minutes + 24 * 60) % (24 * 60);
  // "a quarter to one" is 12:45, not 00:45.
  const length = i + hour.length + (ownMinutes?.length ?? 0) - at;
  const said: Said = { hour: Math.floor(total / 60) || 12, minute: total % 60, length };
  return withMeridiem(words, at, said, attached);
}

/** The time as "HH:MM" once am/pm is known or guessed from the shop's hours; undefined when impossible. */
function resolved(said: Said, meridiem: Meridiem | undefined, shop: ShopConfig, day: string): string | undefined {
  let { hour } = said;
  const { minute } = said;
  if (hour < 0) hour += 12;
  if (hour > 23 || minute > 59) return undefined;
  if (meridiem === 'pm' && hour < 12) hour += 12;
  else if (meridiem === 'am' && hour === 12) hour = 0;
  else if (meridiem === undefined && hour >= 1 && hour <= 12) hour = likelyHour(hour, minute, shop, day);
  return `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
}
