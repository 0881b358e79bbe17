import { z } from 'zod';
import { CalendarDate, ClockTime, Language } from '../config/schema.ts';
import { Question } from './events.ts';

/** A bookable start time, as offered to the customer. */
export const Slot = z.object({
  date: CalendarDate,
  time: ClockTime,
  start: z.iso.datetime(),
  end: z.iso.datetime(),
});
export type Slot = z.infer<typeof Slot>;

export const NoSlotsReason = z.enum(['past', 'closed', 'beyondWindow', 'full']);
export type NoSlotsReason = z.infer<typeof NoSlotsReason>;

/** A stretch of one day, `from` included and `to` not, as wall-clock times ("14:00"–"21:00"). */
export interface PartOfDay {
  from: string;
  to: string;
}

/**
 * What the availability check answers for one day. When the customer asked for a barber and a
 * time that barber is busy at, `othersFreeAt` lists the other barbers free at that time.
 */
export const DayAvailability = z.object({
  slots: z.array(Slot),
  reason: NoSlotsReason.optional(),
  othersFreeAt: z.array(z.string()).optional(),
  /** A group asked for a time the whole group does not fit, but the customer alone would. */
  aloneFits: z.boolean().optional(),
});
export type DayAvailability = z.infer<typeof DayAvailability>;

/** A slot reserved for this customer while they confirm, in one barber's chair (none: the shop has no barbers). */
/** The hold of one more person of a group booking: their service, chair and time, under its own token. */
export const CompanionHold = z.object({
  token: z.string().min(1),
  serviceId: z.string(),
  slot: Slot,
  barberId: z.string().optional(),
});
export type CompanionHold = z.infer<typeof CompanionHold>;

export const Hold = z.object({
  token: z.string().min(1),
  slot: Slot,
  expiresAt: z.iso.datetime(),
  barberId: z.string().optional(),
  /** The other people of a group booking, held with the customer's own slot, all or nothing. */
  companions: z.array(CompanionHold).optional(),
});
export type Hold = z.infer<typeof Hold>;

/** An appointment written to the calendar. */
export const Booking = z.object({
  id: z.string().min(1),
  serviceId: z.string().min(1),
  /** The service's name as the calendar has it, for an appointment whose service the shop no longer offers. */
  serviceName: z.string().optional(),
  start: z.iso.datetime(),
  end: z.iso.datetime(),
  /** Set when this booking replaced an earlier time of the same appointment. */
  moved: z.boolean().optional(),
  barberId: z.string().optional(),
  /** The other appointments booked with this one for a group, confirmed with the same yes. */
  companions: z
    .array(
      z.object({
        id: z.string().min(1),
        serviceId: z.string().min(1),
        start: z.iso.datetime(),
        end: z.iso.datetime(),
        barberId: z.string().optional(),
      }),
    )
    .optional(),
});
export type Booking = z.infer<typeof Booking>;

/** Why holding, booking or cancelling failed; the machine tells the customer what they can do. */
/** `staffBooks`: the shop books this customer's appointments itself (too many no-shows, config `noShows`). */
export const BookingFailureReason = z.enum([
  'slotTaken',
  'tooLate',
  'calendarUnavailable',
  'tooLateToCancel',
  'staffBooks',
]);
export type BookingFailureReason = z.infer<typeof BookingFailureReason>;

/** The error a hold or booking actor throws when the failure is the customer's to hear about. */
export class BookingFailure extends Error {
  readonly reason: BookingFailureReason;
  constructor(reason: BookingFailureReason, detail?: string) {
    super(detail ?? reason);
    this.reason = reason;
  }
}

/** Reads the reason out of whatever an actor threw; anything unexpected counts as the calendar being unavailable. */
export function failureReason(error: unknown): BookingFailureReason {
  const parsed = z.object({ reason: BookingFailureReason }).safeParse(error);
  return parsed.success ? parsed.data.reason : 'calendarUnavailable';
}

/**
 * Something the bot must say once, in the reply to the message that caused it (an answer to a
 * question, "that time is taken"). Notes are forgotten when the next message arrives.
 */
export const Note = z.discriminatedUnion('kind', [
  Question.extend({ kind: z.literal('info') }),
  z.object({ kind: z.literal('help') }),
  z.object({ kind: z.literal('youAreWelcome') }),
  z.object({ kind: z.literal('welcomeBack') }),
  z.object({ kind: z.literal('notUnderstood') }),
  z.object({ kind: z.literal('unknownService') }),
  z.object({ kind: z.literal('noSlots'), date: CalendarDate, reason: NoSlotsReason, barberId: z.string().optional() }),
  /** With a barber: that barber is busy then; `others` are the barbers free at that time. */
  z.object({
    kind: z.literal('timeNotFree'),
    time: ClockTime,
    barberId: z.string().optional(),
    others: z.array(z.string()).optional(),
  }),
  z.object({ kind: z.literal('unknownBarber') }),
  /** The customer named a location the chain does not have. */
  z.object({ kind: z.literal('unknownLocation') }),
  /** The service the customer chose is not done at the location they chose. */
  z.object({ kind: z.literal('serviceNotHere'), serviceId: z.string(), locationId: z.string() }),
  /** The group does not fit at that time; `alone`: the first person would, and may book alone. */
  z.object({ kind: z.literal('groupDoesNotFit'), time: ClockTime, alone: z.boolean() }),
  /** The barber the customer named does not do the service they chose. */
  z.object({ kind: z.literal('barberDoesNotDoService'), barberId: z.string(), serviceId: z.string() }),
  z.object({ kind: z.literal('noMoreTimes') }),
  z.object({ kind: z.literal('bookingFailed'), reason: BookingFailureReason }),
  z.object({ kind: z.literal('availabilityUnknown') }),
  z.object({ kind: z.literal('cancelled') }),
  z.object({ kind: z.literal('startedOver') }),
  z.object({ kind: z.literal('languageChanged') }),
  z.object({ kind: z.literal('noBookings') }),
  z.object({ kind: z.literal('bookingsUnknown') }),
  z.object({ kind: z.literal('bookingCancelled'), booking: Booking }),
  z.object({ kind: z.literal('cancelTooLate') }),
  z.object({ kind: z.literal('cancelFailed') }),
  z.object({ kind: z.literal('attendanceConfirmed') }),
  z.object({ kind: z.literal('attendanceNotRecorded') }),
  z.object({ kind: z.literal('personWillAnswer') }),
  /** The booking asked for is the staff's to make: they have the request and will write. */
  z.object({ kind: z.literal('staffWillBook') }),
  z.object({ kind: z.literal('callTheShop') }),
  z.object({ kind: z.literal('botIsBack') }),
  /** The customer is on the day's waitlist and will hear when time frees up. */
  z.object({ kind: z.literal('waitlisted'), date: CalendarDate }),
  z.object({ kind: z.literal('waitlistUnavailable') }),
  /** The part of the day the customer asked for is full (other times of the day are shown). */
  z.object({ kind: z.literal('partOfDayFull') }),
  /** The freed time offered expired or was no longer theirs when they said yes. */
  z.object({ kind: z.literal('waitlistOfferGone') }),
  z.object({ kind: z.literal('waitlistOfferDeclined') }),
  z.object({ kind: z.literal('leftWaitlist'), date: CalendarDate }),
  z.object({ kind: z.literal('optedOut') }),
  z.object({ kind: z.literal('optOutNotRecorded') }),
]);
export type Note = z.infer<typeof Note>;

/** A barber as the machine knows them: enough to tell who can do a service. */
export const BarberChoice = z.object({
  id: z.string(),
  serviceIds: z.array(z.string()).optional(),
  /** The location of a chain they work at (none: the shop is one place). */
  locationId: z.string().optional(),
});
export type BarberChoice = z.infer<typeof BarberChoice>;

export const BookingInput = z.object({
  language: Language,
  /** The services the shop offers now; a SELECT_SERVICE for anything else is refused. */
  serviceIds: z.array(z.string()).min(1),
  /** Appointments starting sooner than this cannot be cancelled in the chat (the shop's phone is given). */
  cancellationNoticeMinutes: z.number().int().min(0),
  /** The shop's barbers and the services each does (none: all); no barbers, one chair. */
  barbers: z.array(BarberChoice).optional(),
  /** A customer with a person returns to the bot on their first message after this many quiet minutes. */
  handoffQuietMinutes: z.number().int().min(1),
  /** Whether the shop has staff phones to hand a customer to (config `staff`). */
  staffAvailable: z.boolean(),
  /** The shop's IANA timezone: an appointment's own time of day ("move it, same time") is read in it. */
  timezone: z.string().optional(),
});
export type BookingInput = z.infer<typeof BookingInput>;

/** What a customer waits for on a full day: the service, the barber (or anyone), the part of the day. */
export const WaitlistWish = z.object({
  date: CalendarDate,
  serviceId: z.string(),
  barberId: z.string().optional(),
  from: ClockTime.optional(),
  to: ClockTime.optional(),
});
export type WaitlistWish = z.infer<typeof WaitlistWish>;

/** A freed time held for a waitlisted customer who said yes to it: booked like a held slot. */
export const TakenOffer = z.object({ serviceId: z.string(), hold: Hold });
export type TakenOffer = z.infer<typeof TakenOffer>;

export interface BookingContext {
  language: Language;
  serviceIds: string[];
  barbers?: BarberChoice[];
  /** When the message being answered arrived (ISO UTC): the machine's only notion of "now". */
  receivedAt?: string;
  /** Which page of the service list the customer is looking at, when the shop has more than a list holds (absent: the first). */
  servicePage?: number;
  serviceId?: string;
  /** The services of the other people of a group booking (the customer's own is `serviceId`). */
  companions?: string[];
  /**
   * The location of a chain the customer books at (their barbers' `locationId`). Not forgotten when
   * a booking ends: the customer's next booking is at the same place unless they say otherwise.
   */
  locationId?: string;
  /** The barber the customer asked for, or ANY_BARBER; unset until they choose (or when the shop has one chair). */
  barberId?: string;
  date?: string;
  /** The two dates a day the customer said could be ("el martes" on a Tuesday): they are asked which. */
  eitherDate?: string[];
  /** A time the customer asked for before the day's free slots were known. */
  wantedTime?: string;
  /** A part of the day the customer asked for ("por la tarde"): its free times are offered first. */
  wantedPartOfDay?: PartOfDay;
  /** Free slots of the chosen day, in order. */
  slots: Slot[];
  /** Which page of `slots` the customer is looking at (a WhatsApp list shows only a few). */
  slotPage: number;
  chosenSlot?: Slot;
  hold?: Hold;
  /** The appointment this conversation booked last. */
  booking?: Booking;
  cancellationNoticeMinutes: number;
  handoffQuietMinutes: number;
  staffAvailable: boolean;
  /** Messages in a row the bot could not read: at the third, a person takes over. */
  misreadInARow: number;
  /** Messages the customer sent while a person had the conversation (the bot answered none). */
  heldForStaff: number;
  /**
   * The person who has the conversation is the shop writing from the WhatsApp Business app: there
   * is someone to answer even in a shop without staff phones.
   */
  staffWroteFromApp?: boolean;
  /** The customer's upcoming appointments, as last looked up. */
  bookings: Booking[];
  /** What the customer wants to do with an appointment of theirs. */
  intent?: 'see' | 'cancel' | 'move';
  /** The appointment the customer picked (or a reminder button named). */
  selectedBookingId?: string;
  /** The appointment being moved: it is replaced only once the new time is booked. */
  moving?: Booking;
  /** The customer asked to move it keeping its time of day ("al viernes a la misma hora"). */
  keepTime?: boolean;
  timezone?: string;
  notes: Note[];
  /** The day (and part of it) found full just now: the customer may ask to wait for it. */
  fullDay?: WaitlistWish;
  /** The customer's waitlist entries, as last looked up for "mis citas". */
  waitlist?: WaitlistWish[];
  /** The freed time the customer is answering (its buttons name it). */
  offerId?: string;
  /** The day whose waitlist the customer is leaving. */
  leavingWaitlistDay?: string;
}
