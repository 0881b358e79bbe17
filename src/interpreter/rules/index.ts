import type { Language, ShopConfig } from '../../../config/schema.ts';
import type { CustomerEvent, CustomerEventType } from '../../../machines/events.ts';
import { languageOf } from './language.ts';
import { serviceNamedIn } from './services.ts';
import { findPhrase, fold, hasPhrase } from './text.ts';
import { whenIn } from './when.ts';
import {
  ASK_FOR_PERSON,
  CANCEL_VERBS,
  COMMANDS,
  FILLERS,
  GREETINGS,
  INFO,
  LANGUAGE_REQUESTS,
  MOVE_ALONE,
  MOVE_VERBS,
  MY_BOOKING,
  NO,
  THANKS,
  YES,
} from './words.ts';

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
  /** The last few turns in words, oldest first (the LLM reads a message in their light). */
  recentTurns?: { from: 'customer' | 'bot'; text: string }[];
}

/** Messages longer than this are requests, not a "sí" or a "2". */
const SHORT_ANSWER_WORDS = 6;

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
  const thumbsUp = /👍|👌|✅/u.test(text);
  if (folded.length === 0 && !thumbsUp) return [];
  const events: CustomerEvent[] = [];
  const opening = (situation.recentTurns ?? []).length === 0;
  const language = languageRequested(folded) ?? languageOf(folded, { opening });
  if (language && language !== situation.language) events.push({ type: 'SET_LANGUAGE', language });
  if (thumbsUp && folded.length === 0) return withAnswer(events, yesOrNo('ok', situation));

  const picked = pickedChoice(folded, situation);
  if (picked) return [...events, picked];

  // Whatever else the message asks, a customer who wants a person gets one.
  if (findPhrase(folded, ASK_FOR_PERSON)) return [...events, { type: 'ASK_FOR_PERSON' }];

  const appointment = aboutOwnBooking(folded);
  if (appointment) return [...events, appointment];

  const isShort = folded.split(' ').length <= SHORT_ANSWER_WORDS;
  const command = COMMANDS.find(([phrases]) => findPhrase(folded, phrases))?.[1];
  const answer = isShort ? yesOrNo(folded, situation) : undefined;
  // "no entiendo", "ya no quiero" are commands; "no" and "no, gracias" are answers.
  if (command && isShort && !answer) return [...events, changeOrMove(command, situation)];

  const questions = INFO.filter(([phrases]) => findPhrase(folded, phrases)).map(([, event]) => event);
  events.push(...questions);
  // "¿cuánto cuesta un corte?" asks about the shop; it does not choose anything yet.
  if (questions.length > 0 && text.includes('?')) return events;

  const serviceId = serviceNamedIn(folded, situation.shop);
  if (serviceId) events.push({ type: 'SELECT_SERVICE', serviceId });
  const when = whenIn(text, situation.shop, situation.now, situation.date);
  if (when.date) events.push({ type: 'PICK_DATE', date: when.date });
  if (when.time) events.push({ type: 'PICK_TIME', time: when.time });

  if (isShort && !serviceId && !when.date && !when.time && questions.length === 0) {
    if (answer) events.push(answer);
    else if (command) events.push(changeOrMove(command, situation));
    else if (findPhrase(squeeze(folded), THANKS.map(squeeze))) events.push({ type: 'THANKS' });
    else if (findPhrase(squeeze(folded), GREETINGS.map(squeeze))) events.push({ type: 'GREET' });
  }
  return events;
}

function withAnswer(events: CustomerEvent[], answer: CustomerEvent | undefined): CustomerEvent[] {
  return answer ? [...events, answer] : events;
}

/** "cancelar mi cita", "cambiar la hora de mi cita", "mis citas": about an appointment already made. */
function aboutOwnBooking(folded: string): CustomerEvent | undefined {
  if (findPhrase(folded, MOVE_ALONE)) return { type: 'MOVE_BOOKING' };
  if (!findPhrase(folded, MY_BOOKING)) return undefined;
  if (findPhrase(folded, CANCEL_VERBS)) return { type: 'CANCEL_BOOKING' };
  if (findPhrase(folded, MOVE_VERBS)) return { type: 'MOVE_BOOKING' };
  return { type: 'MY_APPOINTMENTS' };
}

/** "Cambiar la hora" with no booking in progress means moving an appointment already made. */
function changeOrMove(event: CustomerEvent, situation: Situation): CustomerEvent {
  const bookingInProgress = situation.date !== undefined;
  return event.type === 'CHANGE' && event.step !== 'service' && !bookingInProgress ? { type: 'MOVE_BOOKING' } : event;
}

/** "English", "in English", "¿hablas inglés?": the customer asks for a language. */
function languageRequested(folded: string): Language | undefined {
  const request = LANGUAGE_REQUESTS.find(([phrases]) =>
    phrases.some((phrase) => folded === phrase || (phrase.includes(' ') && hasPhrase(folded, phrase))),
  );
  return request?.[1].type === 'SET_LANGUAGE' ? request[1].language : undefined;
}

const ORDINALS: Record<string, number | 'last'> = {
  primero: 1,
  primera: 1,
  first: 1,
  segundo: 2,
  segunda: 2,
  second: 2,
  tercero: 3,
  tercera: 3,
  third: 3,
  cuarto: 4,
  cuarta: 4,
  fourth: 4,
  quinto: 5,
  quinta: 5,
  fifth: 5,
  ultimo: 'last',
  ultima: 'last',
  last: 'last',
};

/** "2", "la 2", "opción 2", "el primero", "the last one" or an option's own title picks that option. */
function pickedChoice(folded: string, { choices }: Situation): CustomerEvent | undefined {
  const number = /^(?:(?:la|el|opcion|option|numero|number|n)\s*)?(\d{1,2})$/.exec(folded);
  if (number) return choices[Number(number[1]) - 1]?.event;
  const ordinal = /^(?:(?:el|la|the)\s+)?(\p{L}+)(?:\s+(?:one|opcion|option))?$/u.exec(folded)?.[1];
  const position = ordinal ? ORDINALS[ordinal] : undefined;
  // "The last one" means the last time shown, not the "more times" row under it.
  const options = choices.filter((choice) => !['MORE_TIMES', 'MORE_SERVICES'].includes(choice.event.type));
  if (position !== undefined) return (position === 'last' ? options.at(-1) : options[position - 1])?.event;
  return choices.find((choice) => fold(choice.title) === folded)?.event;
}

/**
 * Yes confirms and no steps back, where the current step asks a yes-or-no question. Only a message
 * that is an answer and nothing else counts: "sí, gracias" is a yes, "no entiendo" is not a no.
 */
function yesOrNo(folded: string, { accepts, step }: Situation): CustomerEvent | undefined {
  const words = squeeze(folded)
    .split(' ')
    .filter((word) => !FILLERS.includes(word));
  const answer = words.join(' ');
  if (NO.includes(answer)) {
    return accepts.has('BACK') ? { type: 'BACK' } : undefined;
  }
  const isYes =
    SQUEEZED_YES.includes(answer) || SQUEEZED_YES.some((yes) => answer.startsWith(`${yes} `) && words.length <= 3);
  if (isYes && accepts.has('CONFIRM')) return { type: 'CONFIRM' };
  // The greeting's one button is "book now": a yes to it is a tap on it.
  if (isYes && step === 'greeting' && accepts.has('BOOK_ANOTHER')) return { type: 'BOOK_ANOTHER' };
  return undefined;
}

/** Repeated letters squeezed: "siii" → "si", "okk" → "ok", "holaa" → "hola". */
function squeeze(folded: string): string {
  return folded.replace(/(\p{L})\1+/gu, '$1');
}

const SQUEEZED_YES = YES.map(squeeze);
