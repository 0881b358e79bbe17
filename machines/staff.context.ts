import { z } from 'zod';
import { CalendarDate, ClockTime, Language } from '../config/schema.ts';

/** One appointment as the agenda shows it: enough to read the day and act on a row. */
export const AgendaEntry = z.object({
  id: z.string().min(1),
  serviceId: z.string(),
  /** The calendar's name of a service the shop has taken out since. */
  serviceName: z.string().optional(),
  start: z.iso.datetime(),
  end: z.iso.datetime(),
  customerName: z.string().max(40).optional(),
  phone: z.string(),
  barberId: z.string().optional(),
  /** The customer said "no más avisos": cita writes to them only in answer. */
  optedOut: z.boolean().optional(),
});
export type AgendaEntry = z.infer<typeof AgendaEntry>;

/** Time to block, as the staff member asked for it; the engine turns it into instants. */
export const BlockRequest = z.object({
  date: CalendarDate,
  from: ClockTime.optional(),
  to: ClockTime.optional(),
  wholeShop: z.boolean().optional(),
});
export type BlockRequest = z.infer<typeof BlockRequest>;

/** The blocked interval in the shop's time, once resolved against the opening hours. */
export const ResolvedBlock = z.object({
  date: CalendarDate,
  from: ClockTime,
  to: ClockTime,
  start: z.iso.datetime(),
  end: z.iso.datetime(),
});
export type ResolvedBlock = z.infer<typeof ResolvedBlock>;

/** What happened to the message a customer was sent (an appointment cancelled by the shop). */
export const Delivery = z.enum(['sent', 'template', 'notSent']);
export type Delivery = z.infer<typeof Delivery>;

/** Something the staff machine says once, in the reply to the message that caused it. */
export const StaffNote = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('help') }),
  z.object({ kind: z.literal('notUnderstood') }),
  z.object({ kind: z.literal('agendaUnknown') }),
  z.object({ kind: z.literal('appointmentCancelled'), customer: z.string(), delivery: Delivery }),
  z.object({ kind: z.literal('cancelFailed') }),
  z.object({ kind: z.literal('moveAsked'), customer: z.string(), delivery: Delivery }),
  z.object({ kind: z.literal('moveAskFailed') }),
  /** Too early to say they did not come: the appointment has not started. */
  z.object({ kind: z.literal('noShowTooEarly') }),
  /** Marked *No vino*; `noShows` is how many the customer has in the shop's window (when it counts them). */
  z.object({ kind: z.literal('noShowMarked'), customer: z.string(), noShows: z.number().int().optional() }),
  z.object({ kind: z.literal('noShowNotMarked') }),
  z.object({ kind: z.literal('blockNotPossible') }),
  z.object({
    kind: z.literal('timeBlocked'),
    block: ResolvedBlock,
    cancelled: z.number().int(),
    notTold: z.number().int(),
  }),
  z.object({ kind: z.literal('blockFailed') }),
  z.object({ kind: z.literal('handedBack'), wasWithStaff: z.boolean() }),
  z.object({ kind: z.literal('handBackFailed') }),
  z.object({ kind: z.literal('noticesSet'), on: z.boolean() }),
  z.object({ kind: z.literal('noticesNotSet') }),
  z.object({ kind: z.literal('languageChanged') }),
]);
export type StaffNote = z.infer<typeof StaffNote>;

export const StaffInput = z.object({
  language: Language,
  name: z.string(),
  role: z.enum(['owner', 'barber']),
  barberId: z.string().optional(),
});
export type StaffInput = z.infer<typeof StaffInput>;

export interface StaffContext extends StaffInput {
  /** When the message being answered arrived (ISO UTC): the machine's only notion of "now". */
  receivedAt?: string;
  /** The day of the agenda shown. */
  date?: string;
  agenda: AgendaEntry[];
  /** The page of the agenda shown (AGENDA_ROWS_PER_PAGE rows each), from 0. */
  agendaPage: number;
  /** The appointment of the agenda being acted on. */
  pickedId?: string;
  block?: BlockRequest;
  resolvedBlock?: ResolvedBlock;
  /** Appointments inside the time being blocked. */
  affected: AgendaEntry[];
  /** What the staff member wants done, carried into the busy step that does it. */
  cancelAffected: boolean;
  handBackPhone?: string;
  noticesOn?: boolean;
  notes: StaffNote[];
}
