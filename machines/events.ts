import { z } from 'zod';
import { CalendarDate, ClockTime, Language } from '../config/schema.ts';

/**
 * Everything a customer can tell the booking machine. The rule parser, button ids, the LLM's
 * structured output and the graph path tests all produce these, and nothing else.
 */
export const InfoTopic = z.enum(['prices', 'hours', 'address', 'services', 'faq', 'other']);
export type InfoTopic = z.infer<typeof InfoTopic>;

/**
 * A question about the shop, answered from its config without moving the customer: prices (of a
 * service, with a barber), opening hours (of a day, of a barber), the address, the services, an
 * entry of the shop's FAQ, or `other`: a question the config cannot answer (the shop's phone is given).
 */
export const Question = z.object({
  topic: InfoTopic,
  serviceId: z.string().min(1).optional(),
  barberId: z.string().min(1).optional(),
  date: CalendarDate.optional(),
  /** The FAQ entry asked about (topic `faq`), by its id in the config. */
  faqId: z.string().min(1).optional(),
});
export type Question = z.infer<typeof Question>;

/** The most people one request may book together. */
export const MOST_IN_GROUP = 3;

export const StepToChange = z.enum(['service', 'date', 'time']);

/** Appointment ids are Google Calendar event ids: base32hex. */
export const BookingId = z.string().regex(/^[a-v0-9]{5,1024}$/, 'must be an appointment id (base32hex)');

/** A freed time offered to a waitlisted customer, named in its buttons. */
export const WaitlistOfferId = z.string().regex(/^[a-z0-9]{8,64}$/, 'must be a waitlist offer id');

export const CustomerEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('GREET') }),
  z.object({ type: z.literal('SELECT_SERVICE'), serviceId: z.string().min(1) }),
  /** Several people at once ("dos cortes", "para mí y para mi hijo"): one service each, the customer's first. */
  z.object({ type: z.literal('SELECT_SERVICES'), serviceIds: z.array(z.string().min(1)).min(2).max(MOST_IN_GROUP) }),
  /** A barber by id, or "any" ("me da igual", "anyone"). */
  z.object({ type: z.literal('SELECT_BARBER'), barberId: z.string().min(1) }),
  /** One shop of a chain, by its id ("en Gràcia", a tap on its row): the customer books there. */
  z.object({ type: z.literal('SELECT_LOCATION'), locationId: z.string().min(1) }),
  z.object({ type: z.literal('PICK_DATE'), date: CalendarDate }),
  /**
   * A day said that could be either of two dates ("el martes" said on a Tuesday: today or next
   * week's; "next Wednesday" said on a Tuesday): never guessed, the customer picks one of the two.
   */
  z.object({ type: z.literal('UNCLEAR_DATE'), dates: z.array(CalendarDate).length(2) }),
  z.object({ type: z.literal('PICK_TIME'), time: ClockTime }),
  /** "por la tarde", "after 6", "a primera hora": the free times from `from` until `to` are offered first. */
  z.object({ type: z.literal('PICK_PART_OF_DAY'), from: ClockTime, to: ClockTime }),
  z.object({ type: z.literal('MORE_TIMES') }),
  /** The next page of a service list too long for one WhatsApp list (after the last, the first again). */
  z.object({ type: z.literal('MORE_SERVICES') }),
  z.object({ type: z.literal('CONFIRM') }),
  z.object({ type: z.literal('CHANGE'), step: StepToChange }),
  z.object({ type: z.literal('BACK') }),
  z.object({ type: z.literal('CANCEL') }),
  z.object({ type: z.literal('RESTART') }),
  z.object({ type: z.literal('BOOK_ANOTHER') }),
  Question.extend({ type: z.literal('ASK_INFO') }),
  z.object({ type: z.literal('SET_LANGUAGE'), language: Language }),
  z.object({ type: z.literal('HELP') }),
  /** "Gracias", "thanks": answered kindly, nothing changes. */
  z.object({ type: z.literal('THANKS') }),
  /** "mis citas": the customer's upcoming appointments. */
  z.object({ type: z.literal('MY_APPOINTMENTS') }),
  /** "cancelar mi cita", or the cancel button of a reminder (which names the booking). */
  z.object({ type: z.literal('CANCEL_BOOKING'), bookingId: BookingId.optional() }),
  /**
   * "cambiar mi cita", or the move button of a reminder (which names the booking); with the new
   * day, time or barber when the customer said them ("reschedule to Thursday at 7pm").
   */
  z.object({
    type: z.literal('MOVE_BOOKING'),
    bookingId: BookingId.optional(),
    date: CalendarDate.optional(),
    time: ClockTime.optional(),
    barberId: z.string().min(1).optional(),
    /** "a la misma hora", "same time": the new day at the appointment's own time. */
    sameTime: z.boolean().optional(),
  }),
  /** Picks one of the customer's appointments from the list. */
  z.object({ type: z.literal('SELECT_BOOKING'), bookingId: BookingId }),
  /** The "I'll be there" button of a reminder. */
  z.object({ type: z.literal('CONFIRM_ATTENDANCE'), bookingId: BookingId }),
  /** "Quiero hablar con una persona", "con el dueño", a complaint: someone from the shop takes over. */
  z.object({ type: z.literal('ASK_FOR_PERSON') }),
  /** "Avísame si se libera": the day (or part of it) the customer wanted is full; they wait for time to free up. */
  z.object({ type: z.literal('JOIN_WAITLIST') }),
  /** The "Reservar" button of a freed time held for a waitlisted customer: their yes to exactly that time. */
  z.object({ type: z.literal('TAKE_WAITLIST_OFFER'), offerId: WaitlistOfferId }),
  /** The "No, gracias" button of a freed time held for them: the next customer on the list may have it. */
  z.object({ type: z.literal('DECLINE_WAITLIST_OFFER'), offerId: WaitlistOfferId }),
  /** "No más avisos", "baja": cita starts no conversation with this customer again (they may still write). */
  z.object({ type: z.literal('STOP_MESSAGES') }),
  /** Leaves the waitlist of one day, from "mis citas". */
  z.object({ type: z.literal('LEAVE_WAITLIST'), date: CalendarDate }),
]);
export type CustomerEvent = z.infer<typeof CustomerEvent>;
export type CustomerEventType = CustomerEvent['type'];

/** Events the engine itself sends around a customer's message. */
export const EngineEvent = z.discriminatedUnion('type', [
  /** Opens every customer message: one-shot notes of the previous turn are forgotten. */
  z.object({ type: z.literal('MESSAGE_RECEIVED'), at: z.iso.datetime() }),
  /** Nothing in the message could be read as a customer event. */
  z.object({ type: z.literal('NOT_UNDERSTOOD') }),
  /** A staff member said they are done with the customer ("listo 34600…", "Devolver al bot"). */
  z.object({ type: z.literal('HANDED_BACK') }),
  /** The shop wrote to the customer by hand, from the WhatsApp Business app: a person has them now. */
  z.object({ type: z.literal('STAFF_WROTE'), at: z.iso.datetime() }),
]);
export type EngineEvent = z.infer<typeof EngineEvent>;

export type BookingEvent = CustomerEvent | EngineEvent;

export const CUSTOMER_EVENT_TYPES = CustomerEvent.options.map((option) => option.shape.type.value);

/**
 * The customer's yes: it books, cancels or moves an appointment. It is only ever the person's own:
 * a tap of the confirmation button, a ✅ on the question, or words the rules read as yes. The LLM
 * cannot produce it (src/interpreter/llm/schema.ts) and the engine refuses one the rules did not
 * read (src/engine/apply-reading.ts): the model may propose a time or a cancellation, never agree to it.
 */
export const YES_EVENTS: readonly CustomerEventType[] = ['CONFIRM'];
