import type { Language, ShopConfig } from '../../../config/schema.ts';
import type { CustomerEvent, CustomerEventType } from '../../../machines/events.ts';
import { languageOf } from './language.ts';
import { serviceNamedIn } from './services.ts';
import { findPhrase, fold, hasPhrase } from './text.ts';
import { whenIn } from './when.ts';
import { APPOINTMENTS, COMMANDS, GREETINGS, INFO, LANGUAGE_REQUESTS, NO, YES } from './words.ts';

/** An option the customer was just shown (a button or list row); a bare number in the reply picks it. */
export interface Choice {
  title: string;
  event: CustomerEvent;
}

/** Where the conversation stands, as far as reading the next message needs to know. */
export interface Situation {
  shop: ShopConfig;
  /** When the message arrived: "mañana" and "a las 5" are read against it, in the shop's timezone. */
  now: Date;
  language: Language;
  /** The options of the last question, in the order they were numbered. */
  choices: Choice[];
  /** The day already chosen, if any: a bare time is read on it. */
  date?: string;
  /** The customer events the current state has a transition for. */
  accepts: ReadonlySet<CustomerEventType>;
  /** The machine state the conversation rests in (the question just asked), e.g. "choosingSlot". */
  step?: string;
}

/** Messages longer than this are requests, not a "sí" or a "2". */
const SHORT_ANSWER_WORDS = 4;

/**
 * Reads a customer's text with the built-in rules: numbers and titles of the options just shown,
 * yes and no, commands, questions about the shop, services, days and times, in Spanish or
 * English. Returns the events in the order the machine should get them; [] when nothing in the
 * text is understood (then the LLM, when configured, gets a try).
 *
 * @example
 * readRules('quiero un corte mañana a las 5', situation)
 * // [{ type: 'SELECT_SERVICE', serviceId: 'corte' }, { type: 'PICK_DATE', date: '2026-11-25' }, { type: 'PICK_TIME', time: '17:00' }]
 */
export function readRules(text: string, situation: Situation): CustomerEvent[] {
  const folded = fold(text);
  if (folded.length === 0) return [];
  const events: CustomerEvent[] = [];
  const language = languageRequested(folded) ?? languageOf(folded);
  if (language && language !== situation.language) events.push({ type: 'SET_LANGUAGE', language });

  const picked = pickedChoice(folded, situation);
  if (picked) return [...events, picked];

  const appointment = APPOINTMENTS.find(([phrases]) => findPhrase(folded, phrases));
  if (appointment) return [...events, appointment[1]];

  const isShort = folded.split(' ').length <= SHORT_ANSWER_WORDS;
  const command = COMMANDS.find(([phrases]) => findPhrase(folded, phrases));
  if (command && isShort) return [...events, changeOrMove(command[1], situation)];

  for (const [phrases, event] of INFO) if (findPhrase(folded, phrases)) events.push(event);

  const serviceId = serviceNamedIn(folded, situation.shop);
  if (serviceId) events.push({ type: 'SELECT_SERVICE', serviceId });
  const when = whenIn(text, situation.shop, situation.now, situation.date);
  if (when.date) events.push({ type: 'PICK_DATE', date: when.date });
  if (when.time) events.push({ type: 'PICK_TIME', time: when.time });

  if (isShort && !serviceId && !when.date && !when.time) {
    const answer = yesOrNo(folded, situation);
    if (answer) events.push(answer);
    else if (command) events.push(changeOrMove(command[1], situation));
    else if (findPhrase(folded, GREETINGS)) events.push({ type: 'GREET' });
  }
  return events;
}

/** "Cambiar la hora" with no booking in progress means moving an appointment already made. */
function changeOrMove(event: CustomerEvent, situation: Situation): CustomerEvent {
  const bookingInProgress = situation.date !== undefined;
  return event.type === 'CHANGE' && event.step !== 'service' && !bookingInProgress ? { type: 'MOVE_BOOKING' } : event;
}

function languageRequested(folded: string): Language | undefined {
  const request = LANGUAGE_REQUESTS.find(([phrases]) =>
    phrases.some(
      (phrase) => folded === phrase || hasPhrase(folded, `in ${phrase}`) || hasPhrase(folded, `en ${phrase}`),
    ),
  );
  return request?.[1].type === 'SET_LANGUAGE' ? request[1].language : undefined;
}

/** "2", "la 2", "opción 2" or an option's own title picks that option of the list just shown. */
function pickedChoice(folded: string, { choices }: Situation): CustomerEvent | undefined {
  const number = /^(?:(?:la|el|opcion|option|numero|number|n)\s*)?(\d{1,2})$/.exec(folded);
  if (number) return choices[Number(number[1]) - 1]?.event;
  return choices.find((choice) => fold(choice.title) === folded)?.event;
}

/** Yes confirms and no steps back, where the current step asks a yes-or-no question. */
function yesOrNo(folded: string, { accepts }: Situation): CustomerEvent | undefined {
  if (findPhrase(folded, NO) && !findPhrase(folded, ['no se', 'no problem'])) {
    return accepts.has('BACK') ? { type: 'BACK' } : undefined;
  }
  if (findPhrase(folded, YES)) {
    if (accepts.has('CONFIRM')) return { type: 'CONFIRM' };
    if (accepts.has('BOOK_ANOTHER')) return { type: 'BOOK_ANOTHER' };
  }
  return undefined;
}
