import { z } from 'zod';
import { CalendarDate, ClockTime, Language } from '../config/schema.ts';
import { CustomerId } from './customer-id.ts';
import { BookingId } from './events.ts';

/**
 * Everything a staff member can tell the staff machine. Buttons, list rows, the staff rule parser
 * and the graph path tests all produce these, and nothing else.
 */
export const StaffEvent = z.discriminatedUnion('type', [
  /** "agenda", "agenda mañana", "agenda jueves": the appointments of one day. */
  z.object({ type: z.literal('SHOW_AGENDA'), date: CalendarDate }),
  /** The agenda's "more" row: its next page (after the last, the first again). */
  z.object({ type: z.literal('MORE_APPOINTMENTS') }),
  /** A row of the agenda: the appointment to act on. */
  z.object({ type: z.literal('PICK_APPOINTMENT'), appointmentId: BookingId }),
  /** Cancel the picked appointment on behalf of the shop (the customer is told). */
  z.object({ type: z.literal('CANCEL_APPOINTMENT') }),
  /**
   * Ask the customer of the picked appointment to move it: they get buttons to move or cancel it
   * themselves, so nothing is moved without their own yes.
   */
  z.object({ type: z.literal('ASK_TO_MOVE') }),
  /**
   * The customer of the picked appointment did not come ("no vino"): asked once more, then written
   * to their booking history, where the shop's no-show limit counts it. Only once it has started.
   */
  z.object({ type: z.literal('MARK_NO_SHOW') }),
  z.object({ type: z.literal('CONFIRM') }),
  z.object({ type: z.literal('BACK') }),
  /**
   * "bloquear de 15 a 16", "mañana no vengo", "cierro el sábado a las 12". Without `from` the time
   * starts when the shop opens; without `to` it lasts until it closes. `wholeShop` is the owner
   * closing the shop rather than one chair.
   */
  z.object({
    type: z.literal('BLOCK_TIME'),
    date: CalendarDate,
    from: ClockTime.optional(),
    to: ClockTime.optional(),
    wholeShop: z.boolean().optional(),
  }),
  /** The appointments inside the blocked time stay. */
  z.object({ type: z.literal('KEEP_APPOINTMENTS') }),
  /** The appointments inside the blocked time are cancelled, each customer told. */
  z.object({ type: z.literal('CANCEL_APPOINTMENTS') }),
  /** "listo 34600…" or a notice's "Devolver al bot": the customer is the bot's again. */
  /** The customer to hand back: their phone, or their WhatsApp user id when they share no phone. */
  z.object({ type: z.literal('HAND_BACK'), phone: CustomerId }),
  /** "avisos off" / "avisos on": notices of bookings to this phone. */
  z.object({ type: z.literal('SET_NOTICES'), on: z.boolean() }),
  z.object({ type: z.literal('HELP') }),
  z.object({ type: z.literal('SET_LANGUAGE'), language: Language }),
]);
export type StaffEvent = z.infer<typeof StaffEvent>;
export type StaffEventType = StaffEvent['type'];

/** Events the engine sends around a staff member's message. */
export const StaffEngineEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('MESSAGE_RECEIVED'), at: z.iso.datetime() }),
  z.object({ type: z.literal('NOT_UNDERSTOOD') }),
]);

export type StaffMachineEvent = StaffEvent | z.infer<typeof StaffEngineEvent>;

export const STAFF_EVENT_TYPES = StaffEvent.options.map((option) => option.shape.type.value);

/**
 * Staff events that do something at once: cancel an appointment, write a block into the calendar
 * (and cancel what is inside it), write to a customer. Each is the staff member's own yes: a tap,
 * or words the staff rules read. The LLM cannot produce them (src/interpreter/llm/staff.ts) and the
 * engine refuses one it read (src/engine/staff-flow.ts): the model may propose a block or a
 * cancellation, which the machine then asks about, never agree to one.
 */
export const STAFF_YES_EVENTS: readonly StaffEventType[] = [
  'CONFIRM',
  'KEEP_APPOINTMENTS',
  'CANCEL_APPOINTMENTS',
  'ASK_TO_MOVE',
];
