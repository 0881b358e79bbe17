import { z } from 'zod';
import { type ShopConfig, serviceById, shopToday, WEEKDAYS } from '../../../config/schema.ts';
import { CustomerEvent } from '../../../machines/events.ts';
import type { Situation } from '../rules/index.ts';
import { allowedEventTypes } from './schema.ts';

/** More events than one message can sensibly carry (service, day, time, and a question) means a confused model. */
export const MAX_EVENTS = 5;

/** The model's answer was not the JSON object we asked for: the next provider is tried. */
export class MalformedAnswer extends Error {}

const Envelope = z.object({ events: z.array(z.unknown()) });

export interface CheckedAnswer {
  events: CustomerEvent[];
  /** How many of the model's events were thrown away (logged, never shown). */
  dropped: number;
}

/**
 * Turns the model's raw answer into events the machine may receive. The envelope must parse, or
 * the answer is malformed; each event is then checked on its own, and any event that is not
 * allowed in this state, names a service the shop does not offer, a day that does not exist or
 * is past, or a time the shop is never open, is dropped. What is left is no more than a customer
 * could do by tapping buttons; the machine's guards check the rest.
 */
export function checkAnswer(content: string, situation: Situation): CheckedAnswer {
  let json: unknown;
  try {
    json = JSON.parse(content);
  } catch {
    throw new MalformedAnswer('the answer is not JSON');
  }
  const envelope = Envelope.safeParse(json);
  if (!envelope.success) throw new MalformedAnswer('the answer is not an object with an events array');

  const allowed = new Set(allowedEventTypes(situation));
  const events: CustomerEvent[] = [];
  const seen = new Set<string>();
  for (const candidate of envelope.data.events) {
    const parsed = CustomerEvent.safeParse(candidate);
    if (!parsed.success || !allowed.has(parsed.data.type)) continue;
    const event = parsed.data;
    const key = JSON.stringify(event);
    if (seen.has(key) || !isPossible(event, situation)) continue;
    seen.add(key);
    events.push(event);
  }
  const kept = events.slice(0, MAX_EVENTS);
  return { events: kept, dropped: envelope.data.events.length - kept.length };
}

function isPossible(event: CustomerEvent, situation: Situation): boolean {
  const { shop } = situation;
  switch (event.type) {
    case 'SELECT_SERVICE':
      return serviceById(shop, event.serviceId) !== undefined;
    case 'PICK_DATE':
      // CalendarDate has already rejected days that do not exist (2026-02-30).
      return event.date >= shopToday(shop, situation.now);
    case 'PICK_TIME':
      return isEverOpenAt(shop, event.time);
    case 'PICK_PART_OF_DAY':
      return event.from < event.to;
    case 'SET_LANGUAGE':
      return shop.languages.supported.includes(event.language);
    default:
      return true;
  }
}

/**
 * Whether the shop opens at this time on at least one day. A time it never opens at ("3 am") is a
 * misreading or a trick; a time it is merely closed at on the chosen day is left to the machine,
 * which tells the customer which times are free.
 */
function isEverOpenAt(shop: ShopConfig, time: string): boolean {
  const intervals = [
    ...WEEKDAYS.map((day) => shop.openingHours[day]),
    ...shop.dateOverrides.map((o) => o.hours),
  ].flat();
  return intervals.some(({ from, to }) => from <= time && time < to);
}
