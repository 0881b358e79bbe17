import { z } from 'zod';
import { CalendarDate, ClockTime, Language } from '../config/schema.ts';

/**
 * Everything a customer can tell the booking machine. The rule parser, button ids, the LLM's
 * structured output and the graph path tests all produce these, and nothing else.
 */
export const InfoTopic = z.enum(['prices', 'hours', 'address', 'services']);
export type InfoTopic = z.infer<typeof InfoTopic>;

export const StepToChange = z.enum(['service', 'date', 'time']);

export const CustomerEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('GREET') }),
  z.object({ type: z.literal('SELECT_SERVICE'), serviceId: z.string().min(1) }),
  z.object({ type: z.literal('PICK_DATE'), date: CalendarDate }),
  z.object({ type: z.literal('PICK_TIME'), time: ClockTime }),
  z.object({ type: z.literal('MORE_TIMES') }),
  z.object({ type: z.literal('CONFIRM') }),
  z.object({ type: z.literal('CHANGE'), step: StepToChange }),
  z.object({ type: z.literal('BACK') }),
  z.object({ type: z.literal('CANCEL') }),
  z.object({ type: z.literal('RESTART') }),
  z.object({ type: z.literal('BOOK_ANOTHER') }),
  z.object({ type: z.literal('ASK_INFO'), topic: InfoTopic }),
  z.object({ type: z.literal('SET_LANGUAGE'), language: Language }),
  z.object({ type: z.literal('HELP') }),
]);
export type CustomerEvent = z.infer<typeof CustomerEvent>;
export type CustomerEventType = CustomerEvent['type'];

/** Events the engine itself sends around a customer's message. */
export const EngineEvent = z.discriminatedUnion('type', [
  /** Opens every customer message: one-shot notes of the previous turn are forgotten. */
  z.object({ type: z.literal('MESSAGE_RECEIVED'), at: z.iso.datetime() }),
  /** Nothing in the message could be read as a customer event. */
  z.object({ type: z.literal('NOT_UNDERSTOOD') }),
]);
export type EngineEvent = z.infer<typeof EngineEvent>;

export type BookingEvent = CustomerEvent | EngineEvent;

export const CUSTOMER_EVENT_TYPES = CustomerEvent.options.map((option) => option.shape.type.value);
