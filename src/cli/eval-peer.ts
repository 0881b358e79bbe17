import { Culture, DateTimeRecognizer } from '@microsoft/recognizers-text-date-time';
import { DateTime } from 'luxon';
import type { Language, ShopConfig } from '../../config/schema.ts';
import { likelyHour, type When } from '../interpreter/rules/when.ts';

/**
 * The peer the eval measures the rules against: Microsoft's Recognizers-Text (the Bot Framework's
 * date and time recognizer), given the same text and the same "now", its answer read the way the
 * rules read theirs: a future day before a past one, and an hour said without am/pm at the hour
 * the shop is open. Only the eval uses it.
 */
const models = {
  es: new DateTimeRecognizer(Culture.Spanish).getDateTimeModel(),
  en: new DateTimeRecognizer(Culture.English).getDateTimeModel(),
};

interface Value {
  type: string;
  value?: string;
  start?: string;
  end?: string;
}

/** The day and time Recognizers-Text finds in `text`, in the conversation's language first. */
export function peerWhen(text: string, shop: ShopConfig, now: Date, language: Language, knownDate?: string): When {
  const local = DateTime.fromJSDate(now, { zone: shop.timezone });
  // The recognizer reads its reference in the process's own timezone: give it the shop's wall clock there.
  const reference = new Date(local.year, local.month - 1, local.day, local.hour, local.minute);
  const today = local.toISODate()!;
  const order: Language[] = language === 'es' ? ['es', 'en'] : ['en', 'es'];
  for (const lang of order) {
    const results = models[lang].parse(text, reference);
    const when: When = {};
    for (const result of results) {
      const values = (result.resolution?.values ?? []) as Value[];
      const future = values.filter((v) => (v.value ?? v.start ?? '') >= today);
      const chosen = (future.length > 0 ? future : values).filter((v) => ['date', 'datetime', 'time'].includes(v.type));
      const [first] = chosen;
      if (!first?.value) continue;
      if (first.type !== 'time' && when.date === undefined) when.date = first.value.slice(0, 10);
      if (first.type !== 'date' && when.time === undefined)
        when.time = timeAmong(chosen, shop, when.date ?? knownDate ?? today);
    }
    if (when.date || when.time) return when;
  }
  return {};
}

/** "a las 5" comes back as 05:00 and 17:00: keep the one the shop is open at. */
function timeAmong(values: Value[], shop: ShopConfig, date: string): string {
  const times = values.map((v) => v.value!.slice(-8, -3));
  if (times.length === 1) return times[0];
  const [hour, minute] = times[0].split(':').map(Number);
  const hour12 = hour % 12 === 0 ? 12 : hour % 12;
  const likely = likelyHour(hour12, minute, shop, date);
  return `${String(likely).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
}
