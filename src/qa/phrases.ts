import { isDeepStrictEqual } from 'node:util';
import { DateTime } from 'luxon';
import { atLocation } from '../../config/schema.ts';
import type { BookingEvent, CustomerEvent } from '../../machines/events.ts';
import { situationOf } from '../engine/conversation.ts';
import type { InboundMessage } from '../engine/ports.ts';
import { readRules } from '../interpreter/rules/index.ts';
import { eventFromReplyId, replyIdFor } from '../messages/reply-ids.ts';
import { stepView } from '../messages/views.ts';
import { optionsOf } from '../messages/whatsapp.ts';
import type { ModelSnapshot } from './model.ts';
import type { Scenario } from './scenario.ts';

/**
 * How a customer causes an event: by tapping the option the bot just showed, by typing something
 * the rule parser reads as exactly that event, or (for what cannot be typed: a service the shop
 * dropped, a reminder's button) by a button id cita sends elsewhere. Each choice is checked against
 * the real parser and views, so a phrase that stops working fails generation, not a test run later.
 */
export interface CustomerMessage {
  content: InboundMessage['content'];
  /** "taps “Corte de pelo”", "writes “mañana”". */
  says: string;
}

/** Texts to try per event, in both languages; the first the parser reads as exactly the event wins. */
const PHRASES: {
  [T in CustomerEvent['type']]?: (event: Extract<CustomerEvent, { type: T }>, s: Scenario) => string[];
} = {
  GREET: () => ['hola', 'hello'],
  SELECT_SERVICE: ({ serviceId }, { shop }) => shop.services.find((s) => s.id === serviceId)?.synonyms ?? [],
  // "dos cortes", "two haircuts": the number, then the service's first word in the plural.
  SELECT_SERVICES: ({ serviceIds }, { shop }) => {
    const service = shop.services.find((s) => s.id === serviceIds[0]);
    if (!service || serviceIds.length !== 2 || serviceIds.some((id) => id !== service.id)) return [];
    const plural = (words: string) => words.replace(/^(\S+)/, '$1s');
    const names = [...service.synonyms, service.name.es, service.name.en];
    return [
      ...names.flatMap((words) => [`dos ${plural(words)}`, `two ${plural(words)}`]),
      ...names.flatMap((words) => [`dos ${words}`, `two ${words}`]),
    ];
  },
  SELECT_BARBER: ({ barberId }, { shop }) => {
    const barber = shop.barbers.find((b) => b.id === barberId);
    return barber ? [`con ${barber.name}`, `with ${barber.name}`] : barberId === 'any' ? ['me da igual', 'anyone'] : [];
  },
  SELECT_LOCATION: ({ locationId }, { shop }) => {
    const location = shop.locations?.find((l) => l.id === locationId);
    return location ? [`en ${location.name}`, `at ${location.name}`] : [];
  },
  PICK_DATE: ({ date }) => {
    const day = DateTime.fromISO(date);
    return [day.toFormat('d/M/yyyy'), `el ${day.setLocale('es').toFormat("d 'de' MMMM 'de' yyyy")}`];
  },
  PICK_TIME: ({ time }) => [`a las ${time}`, `at ${time}`],
  // The weekday of the first date, said on that day ("el martes" on a Tuesday).
  UNCLEAR_DATE: ({ dates }) => {
    const day = DateTime.fromISO(dates[0]);
    return [`el ${day.setLocale('es').toFormat('cccc')}`, `on ${day.setLocale('en').toFormat('cccc')}`];
  },
  PICK_PART_OF_DAY: ({ from, to }) => [`entre las ${from} y las ${to}`, `between ${from} and ${to}`],
  MORE_TIMES: () => ['más horas', 'more times'],
  MORE_SERVICES: () => ['más servicios', 'more services'],
  CONFIRM: () => ['sí', 'yes'],
  CHANGE: ({ step }) =>
    ({ date: ['otro día', 'another day'], time: ['otra hora', 'another time'], service: ['otro servicio'] })[step],
  BACK: () => ['atrás', 'back'],
  CANCEL: () => ['cancelar', 'cancel'],
  RESTART: () => ['empezar de nuevo', 'start over'],
  BOOK_ANOTHER: () => ['otra cita', 'book another'],
  ASK_INFO: ({ topic }) =>
    ({
      prices: ['precios', 'prices'],
      hours: ['horario', 'opening hours'],
      address: ['dirección', 'address'],
      services: ['servicios', 'services'],
      faq: ['¿se puede pagar con tarjeta?', 'can I pay by card?'],
      other: ['¿tenéis wifi?', 'do you have wifi?'],
    })[topic],
  SET_LANGUAGE: ({ language }) => ({ en: ['in english'], es: ['en español'] })[language],
  HELP: () => ['ayuda', 'help'],
  MY_APPOINTMENTS: () => ['mis citas', 'my appointments'],
  CANCEL_BOOKING: ({ bookingId }) => (bookingId ? [] : ['cancelar mi cita', 'cancel my appointment']),
  MOVE_BOOKING: ({ bookingId }) => (bookingId ? [] : ['cambiar mi cita', 'move my appointment']),
  ASK_FOR_PERSON: () => ['quiero hablar con una persona', 'a human please'],
  STOP_MESSAGES: () => ['no más avisos', 'no more messages'],
  JOIN_WAITLIST: () => ['avísame', 'notify me'],
};

/** Read as nothing at all: what makes the engine send NOT_UNDERSTOOD. */
const GIBBERISH = ['blablabla qwerty', 'zzz qqq'];

/** What the customer sends, in `snapshot` (after MESSAGE_RECEIVED), to cause `event`. */
export function messageFor(event: BookingEvent, snapshot: ModelSnapshot, scenario: Scenario): CustomerMessage {
  const now = new Date(snapshot.context.receivedAt ?? scenario.now);
  const here = atLocation(scenario.shop, snapshot.context.locationId);
  const situation = situationOf(snapshot, scenario.shop, now, undefined, here);
  if (event.type === 'NOT_UNDERSTOOD') {
    const text = GIBBERISH.find((candidate) =>
      readRules(candidate, situation).every((read) => !snapshot.can(read as BookingEvent)),
    );
    if (text) return { content: { kind: 'text', text }, says: `writes “${text}”` };
    throw new Error(`no text is read as nothing in ${String(snapshot.value)}`);
  }
  if (event.type === 'MESSAGE_RECEIVED') throw new Error('MESSAGE_RECEIVED is the engine’s, not the customer’s');
  if (event.type === 'HANDED_BACK') return { content: { kind: 'handedBack' }, says: '(is handed back by the staff)' };
  if (event.type === 'STAFF_WROTE') {
    return { content: { kind: 'staffWrote' }, says: '(the shop writes to them from the WhatsApp Business app)' };
  }

  const replyId = replyIdFor(event);
  const shown = optionsOf(stepView({ state: String(snapshot.value), context: snapshot.context }, here)).find(
    (option) => option.id === replyId,
  );
  if (shown) return { content: { kind: 'reply', replyId, title: shown.title }, says: `taps “${shown.title}”` };

  const phrases = (PHRASES[event.type] as ((e: CustomerEvent, s: Scenario) => string[]) | undefined)?.(event, scenario);
  const text = phrases?.find((candidate) => isDeepStrictEqual(readRules(candidate, situation), [event]));
  if (text) return { content: { kind: 'text', text }, says: `writes “${text}”` };

  if (isDeepStrictEqual(eventFromReplyId(replyId), event)) {
    return { content: { kind: 'reply', replyId }, says: `taps a button not shown in this step (${replyId})` };
  }
  throw new Error(
    `no way for a customer to send ${JSON.stringify(event)} in ${String(snapshot.value)}: add a phrase to src/qa/phrases.ts`,
  );
}
