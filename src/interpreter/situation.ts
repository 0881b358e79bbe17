import { createActor } from 'xstate';
import type { Language, ShopConfig } from '../../config/schema.ts';
import { bookingMachine } from '../../machines/booking.machine.ts';
import type { CustomerEventType } from '../../machines/events.ts';
import { acceptedEvents, bookingInputFor } from '../engine/conversation.ts';
import type { Choice, Situation } from './rules/index.ts';

/**
 * The customer events a state of the booking machine has transitions for, the same set the
 * engine hands the interpreter (guards are not evaluated, so the context does not matter).
 * Throws naming the machine's states when `state` ("choosingSlot", nested as "a.b") is not one.
 */
export function acceptsIn(state: string, shop: ShopConfig): ReadonlySet<CustomerEventType> {
  const value = state
    .split('.')
    .reduceRight<string | Record<string, unknown>>((inner, key) => (inner === '' ? key : { [key]: inner }), '');
  try {
    bookingMachine.getStateNodeById(`${bookingMachine.id}.${state}`);
  } catch {
    const known = Object.keys(bookingMachine.states).join(', ');
    throw new Error(`"${state}" is not a state of the booking machine: use one of ${known}`);
  }
  const { context } = createActor(bookingMachine, { input: bookingInputFor(shop) }).getSnapshot();
  return acceptedEvents(bookingMachine.resolveState({ value: value as never, context }));
}

/** Where a conversation stands, as told by hand (a corpus line, the interpret CLI). */
export interface SituationSpec {
  /** The booking machine's state the message answers ("choosingSlot"); nested states as "a.b". */
  state: string;
  /** When the message is read (ISO-8601). */
  now: string;
  language: Language;
  /** The day already chosen, when there is one. */
  date?: string;
  /** The options just shown, numbered in this order. */
  choices?: Choice[];
}

/**
 * What the interpreter is told about a conversation described by hand, built as the engine
 * builds it from a live one (`situationOf`), minus the options only a real conversation shows.
 *
 * @example
 * situationFor({ state: 'greeting', now: '2026-11-24T09:00:00Z', language: 'es' }, shop);
 */
export function situationFor(spec: SituationSpec, shop: ShopConfig): Situation {
  return {
    shop,
    now: new Date(spec.now),
    language: spec.language,
    choices: spec.choices ?? [],
    date: spec.date,
    accepts: acceptsIn(spec.state, shop),
    step: spec.state,
  };
}
