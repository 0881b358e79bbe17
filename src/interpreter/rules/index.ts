import { ANY_BARBER, type Language, type ShopConfig, shopToday } from '../../../config/schema.ts';
import type { CustomerEvent, CustomerEventType } from '../../../machines/events.ts';
import { barberNamedIn } from './barbers.ts';
import { closestWords } from './fuzzy.ts';
import { groupNamedIn } from './group.ts';
import { languageOf } from './language.ts';
import { locationNamedIn } from './locations.ts';
import { isForSeveralPeople } from './party.ts';
import { faqAskedIn, isQuestion, questionsIn } from './questions.ts';
import { serviceNamedIn } from './services.ts';
import { findPhrase, fold, hasPhrase } from './text.ts';
import { likelyHour, type When, type WhenReader, whenIn } from './when.ts';
import {
  ASK_FOR_PERSON,
  CANCEL_VERBS,
  COMMANDS,
  FAREWELLS,
  FILLERS,
  GREETINGS,
  INFO,
  LANGUAGE_REQUESTS,
  MOVE_ALONE,
  MOVE_VERBS,
  MY_BOOKING,
  NO,
  NOTIFY_ME,
  PRODUCTS,
  STOP_ALONE,
  STOP_MESSAGES,
  THANKS,
  THE_BOOKING,
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
  /** The location of a chain the customer has picked, if any. */
  locationId?: string;
  /** The customer events the current state has a transition for. */
  accepts: ReadonlySet<CustomerEventType>;
  /** The machine state the conversation rests in (the question just asked), e.g. "choosingSlot". */
  step?: string;
  /** The last few turns in words, oldest first (the LLM reads a message in their light). */
  recentTurns?: { from: 'customer' | 'bot'; text: string }[];
}

const TYPO_WORDS = 3;

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
export function readRules(text: string, situation: Situation, readWhen: WhenReader = whenIn): CustomerEvent[] {
  let folded = fold(text);
  const thumbsUp = /👍|👌|✅/u.test(text);
  if (folded.length === 0 && !thumbsUp) return [];
  const events: CustomerEvent[] = [];
  const opening = (situation.recentTurns ?? []).length === 0;
  const language = languageRequested(folded) ?? languageOf(folded, { opening });
  if (language && language !== situation.language) events.push({ type: 'SET_LANGUAGE', language });
  if (thumbsUp && folded.length === 0) return withAnswer(events, yesOrNo('ok', situation) ?? acknowledged(situation));

  const asSaid = folded;
  // A typo is corrected only in a message that is a word or three ("cancelr", "confrim"): in a
  // longer one, a word near a command word is more often another word ("cosas" is not "costs").
  if (folded.split(' ').length <= TYPO_WORDS) folded = withTyposCorrected(folded, situation.shop);
  const picked = pickedChoice(asSaid, situation) ?? bareHour(asSaid, situation);
  if (picked) return [...events, picked];

  // Whatever else the message asks, a customer who wants a person gets one.
  if (findPhrase(folded, ASK_FOR_PERSON)) return [...events, { type: 'ASK_FOR_PERSON' }];
  if (findPhrase(folded, STOP_MESSAGES)) return [...events, { type: 'STOP_MESSAGES' }];
  if (STOP_ALONE.includes(folded) && (situation.step === 'greeting' || situation.step === 'booked')) {
    return [...events, { type: 'STOP_MESSAGES' }];
  }
  if (situation.accepts.has('JOIN_WAITLIST') && findPhrase(folded, NOTIFY_ME)) {
    return [...events, { type: 'JOIN_WAITLIST' }];
  }

  const asking = isQuestion(text, folded);
  const serviceNamed = serviceNamedIn(folded, situation.shop);
  // "En Gràcia" names a place, not a thank-you, however close it is to "gracias".
  const locationId = locationNamedIn(folded, situation.shop);
  const when = readWhen(withoutReasons(text), situation.shop, situation.now, situation.language, situation.date);
  // "Thanks mate, see you tomorrow", "ok gracias, hasta el jueves": a goodbye, not a day to book.
  // Where the bot asks for a yes, "perfecto, allí estaré" is read as the answer it is; while times
  // are shown, "nos vemos a las 6 entonces" picks 18:00.
  const farewell = findPhrase(folded, FAREWELLS) && !situation.accepts.has('CONFIRM');
  const picksTime =
    when.time !== undefined && !['booked', 'greeting', 'showingBookings'].includes(situation.step ?? '');
  if (farewell && !asking && !serviceNamed && !picksTime && !locationId) return [...events, { type: 'THANKS' }];

  const appointment = aboutOwnBooking(folded, situation, when, asking, readWhen);
  if (appointment) return [...events, ...appointment];

  // A request for several people is read as one group booking ("dos cortes", "para mí y para mi
  // hijo"); one the rules cannot split into a service each ("somos dos") is left whole to the LLM
  // or to the customer asked again, rather than booking one of them.
  const group = groupNamedIn(folded, situation.shop);
  if (!group && isForSeveralPeople(folded)) return events.filter((event) => event.type === 'SET_LANGUAGE');
  const serviceId = group?.[0] ?? serviceNamed;
  const isShort = folded.split(' ').length <= SHORT_ANSWER_WORDS;
  const command = COMMANDS.find(([phrases]) => findPhrase(folded, phrases))?.[1];
  const answer = isShort ? yesOrNo(folded, situation) : undefined;
  // "Otra cita para mi hijo" and "lo más tarde posible" say what they want: the service, the part of the day.
  const saysWhat =
    serviceId !== undefined || when.date !== undefined || when.either || when.time !== undefined || when.partOfDay;
  const commandGivesWay = saysWhat && (command?.type === 'BOOK_ANOTHER' || command?.type === 'MORE_TIMES');
  // "no entiendo", "ya no quiero" are commands; "no" and "no, gracias" are answers.
  if (command && isShort && !answer && !commandGivesWay) return [...events, changeOrMove(command, situation)];

  const barberId = barberNamedIn(folded, situation.shop, situation.step === 'choosingBarber');
  const topics = INFO.filter(([phrases]) => findPhrase(folded, phrases))
    .flatMap(([, event]) => (event.type === 'ASK_INFO' ? [event.topic] : []))
    // "in 2 hours" is a time, not the opening hours.
    .filter((topic) => topic !== 'hours' || !LATER.test(folded));
  // "¿cuánto cobra Lucía por un corte?", "¿a qué hora abren el sábado?" ask about the shop; they
  // do not choose anything yet. The answer names what they asked about.
  // "¿Tenéis productos para el pelo?" asks what the shop sells, not for a haircut: only the shop can say.
  if (asking && findPhrase(folded, PRODUCTS) && faqAskedIn(folded, situation.shop).length === 0) {
    return [...events, { type: 'ASK_INFO', topic: 'other' }];
  }
  if (asking) {
    const said = { topics, serviceId, barberId, date: when.date, time: when.time };
    const questions = questionsIn(folded, situation.shop, said);
    if (questions.length > 0) return [...events, ...questions];
  }
  events.push(...topics.map((topic): CustomerEvent => ({ type: 'ASK_INFO', topic })));
  if (!saysWhat) {
    for (const faqId of faqAskedIn(folded, situation.shop)) events.push({ type: 'ASK_INFO', topic: 'faq', faqId });
  }
  const asked = events.some((event) => event.type === 'ASK_INFO');

  // A chain's location first: the service, barber and times asked for are then read at it.
  if (locationId) events.push({ type: 'SELECT_LOCATION', locationId });
  if (group) events.push({ type: 'SELECT_SERVICES', serviceIds: group });
  else if (serviceId) events.push({ type: 'SELECT_SERVICE', serviceId });
  if (barberId) events.push({ type: 'SELECT_BARBER', barberId });
  // A day gone by is never a day to book ("ayer se me olvidó").
  if (when.date && when.date >= shopToday(situation.shop, situation.now)) {
    events.push({ type: 'PICK_DATE', date: when.date });
  } else if (when.either && situation.accepts.has('UNCLEAR_DATE')) {
    // "El martes" said on a Tuesday: never guessed; the customer is shown both dates.
    events.push({ type: 'UNCLEAR_DATE', dates: when.either });
  }
  if (when.time) events.push({ type: 'PICK_TIME', time: when.time });
  else if (when.partOfDay && situation.accepts.has('PICK_PART_OF_DAY')) {
    events.push({ type: 'PICK_PART_OF_DAY', ...when.partOfDay });
  }

  if (isShort && !serviceId && !barberId && !locationId && !saysWhat && !asked) {
    if (answer) events.push(answer);
    else if (command && !commandGivesWay) events.push(changeOrMove(command, situation));
    else if (findPhrase(squeeze(folded), SQUEEZED_THANKS)) events.push({ type: 'THANKS' });
    else if (findPhrase(squeeze(folded), SQUEEZED_GREETINGS)) events.push({ type: 'GREET' });
  }
  // A question nothing here answers ("¿tenéis wifi?") still gets an answer: the shop's phone.
  const understood = events.some((event) => event.type !== 'SET_LANGUAGE');
  if (!understood && asksAboutTheShop(folded)) events.push({ type: 'ASK_INFO', topic: 'other' });
  // "¿Tenéis corte infantil?" asks whether the shop does it, with no day to book it on.
  else if (asksAboutTheShop(folded) && serviceId && !group && !when.date && !when.time && !barberId) {
    return [
      ...events.filter((event) => event.type === 'SET_LANGUAGE'),
      { type: 'ASK_INFO', topic: 'services', serviceId },
    ];
  }
  return events;
}

/**
 * "¿Tenéis wifi?", "is there a toilet?", "can I bring my dog?": a question about the shop itself,
 * which only someone there can answer when the config does not.
 */
function asksAboutTheShop(folded: string): boolean {
  return SHOP_QUESTION.test(folded) && !findPhrase(folded, LANGUAGE_WORDS);
}

// biome-ignore format: a pattern
const SHOP_QUESTION =
  /^(?:(?:y|and|oye|hola|hi|hey) )?(?:teneis|tienen|tienes|hay|se puede|cortais|cortan|haceis|hacen|puedo (?:ir|llevar|traer|venir)|aceptais|aceptan|vendeis|venden|do you (?:have|accept|take|sell|cut|do)|is there|are there|can i (?:bring|come with)|do you guys)\b/;

const LANGUAGE_WORDS = ['ingles', 'english', 'espanol', 'spanish', 'castellano'];

/**
 * The text without the reasons given for a wish: "a partir de las 6, que salgo de currar a las 5
 * y media" wants 18:00; the 17:30 is when work ends, not a time to book.
 */
function withoutReasons(text: string): string {
  return text.replace(REASON, ' ');
}

const LATER = /\b(?:in|en|dentro de) (?:an|a|one|una|un|\d+|two|three|dos|tres) (?:hours?|horas?)\b/;

// biome-ignore format: a pattern
const REASON =
  /(?:^|[\s,;(])(?:porque|pq|ya que|que salgo|que termino|que acabo|que trabajo|que entro|que estoy|que tengo|que curro|que (?:por la \p{L}+ |hasta las? \S+ )?(?:trabajo|curro|estoy|tengo)|salgo de|because|cause|cos|since i|as i|i finish|i get off|i work)\b[^.,;!?)]*/giu;

/**
 * The text with each word one typo from a word of the commands, questions and answers the rules
 * know spelled right ("cancelr", "confrim", "direcion", "ayudaa"), unless it is a word of a service
 * or of days and times, or the closest words mean different things.
 */
function withTyposCorrected(folded: string, shop: ShopConfig): string {
  const keep = knownWords(shop);
  return folded
    .split(' ')
    .map((word) => {
      if (keep.has(word) || MEANINGS.has(word)) return word;
      const squeezed = squeeze(word);
      if (MEANINGS.has(squeezed)) return squeezed;
      const closest = closestWords(word, MEANING_WORDS);
      return closest.length > 0 && new Set(closest.map((c) => MEANINGS.get(c))).size === 1 ? closest[0] : word;
    })
    .join(' ');
}

/** Each word of the phrases the rules know, with what it means (so "cancela" and "cancelar" agree). */
const MEANINGS = new Map<string, string>(
  [
    ...COMMANDS,
    ...INFO,
    [YES, { type: 'CONFIRM' }] as const,
    [NO, { type: 'BACK' }] as const,
    [THANKS, { type: 'THANKS' }] as const,
  ]
    .flatMap(([phrases, event]) =>
      phrases.flatMap((phrase) => phrase.split(' ').map((word) => [word, JSON.stringify(event)] as const)),
    )
    .filter(([word]) => word.length >= 4),
);

const MEANING_WORDS = [...MEANINGS.keys()];

/** "in an hour" is not "in an hours". */
const UNITS = ['hour', 'hora', 'week', 'semana', 'minute', 'minuto'];

const knownWordsOf = new WeakMap<ShopConfig, Set<string>>();
function knownWords(shop: ShopConfig): Set<string> {
  let words = knownWordsOf.get(shop);
  if (!words) {
    // A chain's locations are names too: "Gracia" is a place, not a misspelt "gracias".
    const names = [
      ...shop.services.flatMap((s) => [s.name.es, s.name.en, ...s.synonyms]),
      ...(shop.locations ?? []).flatMap((location) => [location.name, ...location.synonyms]),
    ];
    const phrases = [
      ...names.map(fold),
      ...GREETINGS,
      ...MY_BOOKING,
      ...THE_BOOKING,
      ...CANCEL_VERBS,
      ...MOVE_VERBS,
      ...UNITS,
    ];
    words = new Set(phrases.flatMap((phrase) => phrase.split(' ')));
    knownWordsOf.set(shop, words);
  }
  return words;
}

function withAnswer(events: CustomerEvent[], answer: CustomerEvent | undefined): CustomerEvent[] {
  return answer ? [...events, answer] : events;
}

/**
 * "cancelar mi cita", "cambiar la hora de mi cita", "mis citas", "cancela la cita": about an
 * appointment already made. "Book the appointment for Friday" is not: it names no appointment of
 * the customer's, and no verb that cancels or moves one. Neither is "quiero mi cita el 4": a day
 * wished for "my appointment" books one. A move takes what is said after its verb: "reschedule to
 * Thursday at 7pm", "cámbiala al viernes con Javi".
 */
function aboutOwnBooking(
  folded: string,
  situation: Situation,
  when: When,
  asking: boolean,
  readWhen: WhenReader,
): CustomerEvent[] | undefined {
  const mine = findPhrase(folded, MY_BOOKING) !== undefined;
  const cancels = hasVerb(folded, CANCEL_VERBS);
  const moveVerb = findPhrase(folded, MOVE_ALONE) ?? verbIn(folded, MOVE_VERBS);
  // Just after booking (or looking at them), "cambiarla" and "cancélala" mean that appointment.
  const justShown = situation.step === 'booked' || situation.step === 'showingBookings';
  const aboutIt = mine || ((findPhrase(folded, THE_BOOKING) || justShown) && (cancels || moveVerb));
  if (!aboutIt && !findPhrase(folded, MOVE_ALONE)) return undefined;
  if (cancels) return [{ type: 'CANCEL_BOOKING' }];
  if (moveVerb) return [{ type: 'MOVE_BOOKING', ...moveDetails(folded, moveVerb, situation, readWhen) }];
  const wishes = WISHES.some((phrase) => hasPhrase(folded, phrase));
  if (wishes && !asking && (when.date || when.either || when.time)) return undefined;
  return [{ type: 'MY_APPOINTMENTS' }];
}

/** "quiero mi cita el 4", "I'd like my appointment on March 5th": a wish, not a question about one. */
// biome-ignore format: a word list
const WISHES = [
  'quiero', 'quisiera', 'me gustaria', 'necesito', 'ponme', 'dame', "i'd like", 'id like', 'i would like', 'i want',
  'i need', 'can i have', 'can i get', 'give me',
];

/** What a move asks for after its verb: the new day and time, the barber. */
function moveDetails(folded: string, verb: string, situation: Situation, readWhen: WhenReader) {
  const after = folded.slice(folded.indexOf(verb) + verb.length);
  const when = readWhen(after, situation.shop, situation.now, situation.language);
  const barberId = barberNamedIn(after, situation.shop, false);
  const date = when.date && when.date >= shopToday(situation.shop, situation.now) ? when.date : undefined;
  return {
    ...(date && { date }),
    ...(when.time && { time: when.time }),
    ...(!when.time && SAME_TIME.some((phrase) => hasPhrase(after, phrase)) && { sameTime: true }),
    ...(barberId && barberId !== ANY_BARBER && { barberId }),
  };
}

/** "a la misma hora", "same time": the appointment's own time on the new day. */
const SAME_TIME = ['misma hora', 'same time', 'same hour'];

/** The word of `verbs` in the message, also with a pronoun attached ("cambiarla"). */
function verbIn(folded: string, verbs: readonly string[]): string | undefined {
  return folded.split(' ').find((word) => hasVerb(word, verbs));
}

/** A verb of `verbs`, also with a pronoun attached: "cancélala", "cambiarla", "muévemela". */
function hasVerb(folded: string, verbs: readonly string[]): boolean {
  return folded
    .split(' ')
    .some((word) =>
      verbs.some(
        (verb) =>
          word === verb ||
          (word.startsWith(verb) && /^(?:me|te|se|nos)?(?:la|lo|las|los)$/.test(word.slice(verb.length))),
      ),
    );
}

/**
 * "Cambiar la hora" with no booking in progress means moving an appointment already made; "cancel
 * it" just after booking means cancelling that appointment.
 */
function changeOrMove(event: CustomerEvent, situation: Situation): CustomerEvent {
  if (event.type === 'CANCEL' && situation.step === 'booked') return { type: 'CANCEL_BOOKING' };
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
  const ordinal =
    /^(?:(?:el|la|the)\s+)?(\p{L}+)(?:\s+(?:one|opcion|option|hora|time))?(?:\s+(?:que tengas|que tienes|que haya|que quede|que te quede|libre|you have|you've got|you got|available|free|please|porfa))?$/u.exec(
      folded,
    )?.[1];
  const position = ordinal ? ORDINALS[ordinal] : undefined;
  // "The last one" means the last time shown, not the "more times" row under it.
  const options = choices.filter((choice) => !['MORE_TIMES', 'MORE_SERVICES'].includes(choice.event.type));
  if (position !== undefined) return (position === 'last' ? options.at(-1) : options[position - 1])?.event;
  return choices.find((choice) => fold(choice.title) === folded)?.event;
}

/** "11", "11 works", "las 11 me van bien" while times are shown: that hour (a number no option has). */
function bareHour(folded: string, situation: Situation): CustomerEvent | undefined {
  if (situation.step !== 'choosingSlot' || !situation.date) return undefined;
  const match = BARE_HOUR.exec(folded);
  if (!match) return undefined;
  const [hour, minute] = [Number(match[1]), Number(match[2] ?? 0)];
  if (hour > 23 || minute > 59) return undefined;
  const time = `${String(hour > 12 ? hour : likelyHour(hour, minute, situation.shop, situation.date)).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
  return { type: 'PICK_TIME', time };
}

// biome-ignore format: a pattern
const BARE_HOUR =
  /^(?:(?:a las|las|at|lets do|let's do|mejor|better|ok|vale|pues|then)\s+)?(\d{1,2})(?::(\d{2}))?(?:\s+(?:works|is fine|is good|please|then|pls|porfa|me va bien|me viene bien|me van bien|me vale|esta bien|vale|ok|perfect|perfecto))?$/;

/** A thumbs-up with nothing to say yes to (after booking, after a goodbye) is a thanks. */
function acknowledged({ step }: Situation): CustomerEvent | undefined {
  return step === 'booked' || step === 'greeting' ? { type: 'THANKS' } : undefined;
}

/**
 * Yes confirms and no steps back, where the current step asks a yes-or-no question. Only a message
 * that is an answer and nothing else counts: "sí, gracias" is a yes, "no entiendo" is not a no.
 */
function yesOrNo(folded: string, { accepts, step }: Situation): CustomerEvent | undefined {
  // "no no", "sí sí": said twice, meant once; "vale, nos vemos" is a yes with a goodbye.
  const farewell = findPhrase(folded, FAREWELLS);
  const words = squeeze(farewell ? folded.replace(farewell, ' ').replace(/\s+/g, ' ').trim() : folded)
    .split(' ')
    .filter((word, at, all) => !SQUEEZED_FILLERS.includes(word) && word !== all[at - 1]);
  const answer = words.join(' ');
  if (NO.includes(answer)) {
    return accepts.has('BACK') ? { type: 'BACK' } : undefined;
  }
  const isYes =
    SQUEEZED_YES.includes(answer) || SQUEEZED_YES.some((yes) => answer.startsWith(`${yes} `) && words.length <= 3);
  if (isYes && accepts.has('CONFIRM')) return { type: 'CONFIRM' };
  // The greeting's one button is "book now": a yes to it is a tap on it.
  // "ok gracias" after a cancellation is a thanks, not "book now".
  const thanked = findPhrase(squeeze(folded), SQUEEZED_THANKS) !== undefined;
  if (isYes && step === 'greeting' && accepts.has('BOOK_ANOTHER') && !thanked) return { type: 'BOOK_ANOTHER' };
  // "Ok", 👍 after the booking is made: nothing is asked, so it is an acknowledgement, answered as thanks.
  if (isYes && step === 'booked' && accepts.has('THANKS')) return { type: 'THANKS' };
  return undefined;
}

/** Repeated letters squeezed: "siii" → "si", "okk" → "ok", "holaa" → "hola". */
function squeeze(folded: string): string {
  return folded.replace(/(\p{L})\1+/gu, '$1');
}

const SQUEEZED_YES = YES.map(squeeze);
const SQUEEZED_FILLERS = FILLERS.map(squeeze);
const SQUEEZED_THANKS = THANKS.map(squeeze);
const SQUEEZED_GREETINGS = GREETINGS.map(squeeze);
