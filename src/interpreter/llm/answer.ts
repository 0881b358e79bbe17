import { z } from 'zod';
import { ANY_BARBER, barberById, type ShopConfig, serviceById, shopToday, WEEKDAYS } from '../../../config/schema.ts';
import { CustomerEvent } from '../../../machines/events.ts';
import { lastBookableDay } from '../../availability/slots.ts';
import type { Situation } from '../rules/index.ts';
import { allowedEventTypes } from './schema.ts';

/** The most events kept from one answer: a service, a day, a time and a question is what one message sensibly says. */
export const MAX_EVENTS = 4;

/**
 * The most events of one answer that are read at all (some may be dropped as invalid); the rest
 * are dropped unread and counted, so an answer of 100,000 events costs no more than one of eight.
 */
export const MAX_EVENTS_READ = 2 * MAX_EVENTS;

/** The model's answer was not the JSON object we asked for: the next provider is tried. */
export class MalformedAnswer extends Error {}

const Envelope = z.object({ events: z.array(z.unknown()) });

/** Why an event of the model's answer was thrown away. */
export type DropReason =
  /** Past MAX_EVENTS. */
  | 'tooMany'
  /** Not an event, or not one this step accepts. */
  | 'notAllowed'
  /** A service the shop does not offer, a past day or one past the booking horizon, a time the shop never opens at. */
  | 'impossible'
  /** A repeat of an event already kept. */
  | 'repeated';

export interface CheckedAnswer<E = CustomerEvent> {
  events: E[];
  /** How many of the model's events were thrown away (logged, never shown). */
  dropped: number;
  /** The same, by reason. */
  droppedBy: Partial<Record<DropReason, number>>;
}

/**
 * Turns the model's raw answer into events the machine may receive. The envelope must parse, or
 * the answer is malformed; only the first MAX_EVENTS_READ events are read, and each is checked on its
 * own: an event that is not allowed in this state, names a service the shop does not offer, a
 * day that does not exist, is past or is beyond the booking horizon, or a time the shop is never
 * open, is dropped. A yes (CONFIRM) is never allowed: the customer taps it or writes one the rules
 * read. What is left is less than a customer could do by tapping buttons; the engine checks each
 * event again against the live conversation.
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

  const droppedBy: Partial<Record<DropReason, number>> = {};
  const drop = (reason: DropReason, count = 1) => {
    if (count > 0) droppedBy[reason] = (droppedBy[reason] ?? 0) + count;
  };
  const candidates = envelope.data.events;
  drop('tooMany', candidates.length - MAX_EVENTS_READ);

  const allowed = new Set(allowedEventTypes(situation));
  const events: CustomerEvent[] = [];
  const seen = new Set<string>();
  for (const candidate of candidates.slice(0, MAX_EVENTS_READ)) {
    const parsed = CustomerEvent.safeParse(withoutNulls(candidate));
    if (!parsed.success || !allowed.has(parsed.data.type)) {
      drop('notAllowed');
      continue;
    }
    const event = parsed.data;
    const key = JSON.stringify(event);
    if (seen.has(key)) drop('repeated');
    else if (events.length === MAX_EVENTS) drop('tooMany');
    else if (!isPossible(event, situation)) drop('impossible');
    else {
      seen.add(key);
      events.push(event);
    }
  }
  const dropped = Object.values(droppedBy).reduce((sum, count) => sum + count, 0);
  return { events, dropped, droppedBy };
}

/** Whether an event could be meant at all, whatever the step: the shop's services, locations, days it takes bookings for, hours it opens. */
export function isPossible(event: CustomerEvent, situation: Pick<Situation, 'shop' | 'now'>): boolean {
  const { shop } = situation;
  switch (event.type) {
    case 'SELECT_SERVICE':
      return serviceById(shop, event.serviceId) !== undefined;
    case 'SELECT_SERVICES':
      return event.serviceIds.every((id) => serviceById(shop, id) !== undefined);
    case 'SELECT_BARBER':
      return event.barberId === ANY_BARBER || barberById(shop, event.barberId) !== undefined;
    case 'SELECT_LOCATION':
      return (shop.locations ?? []).some((location) => location.id === event.locationId);
    case 'PICK_DATE':
      // CalendarDate has already rejected days that do not exist (2026-02-30).
      return event.date >= shopToday(shop, situation.now) && event.date <= lastBookableDay(shop, situation.now);
    case 'UNCLEAR_DATE':
      return event.dates.every((date) => date >= shopToday(shop, situation.now)) && event.dates[0] !== event.dates[1];
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

/** Strict structured output sends every field, null where it has nothing to say: a field left out. */
function withoutNulls(candidate: unknown): unknown {
  if (typeof candidate !== 'object' || candidate === null || Array.isArray(candidate)) return candidate;
  return Object.fromEntries(Object.entries(candidate).filter(([, value]) => value !== null));
}
