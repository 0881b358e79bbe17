import { DateTime } from 'luxon';
import { and, assign, fromPromise, not, setup } from 'xstate';
import { ANY_BARBER } from '../config/schema.ts';
import {
  type Booking,
  type BookingContext,
  type BookingInput,
  type DayAvailability,
  failureReason,
  type Hold,
  type Note,
  type Slot,
  type TakenOffer,
  type WaitlistWish,
} from './booking.context.ts';
import type { BookingEvent } from './events.ts';
import { nearestFirst, slotPages } from './nearest-slots.ts';

/**
 * Bump when a state is renamed or removed, or the context gains a field the machine relies on:
 * older saved conversations then start over with an apology.
 */
export const BOOKING_MACHINE_VERSION = 2;

/** Messages in a row the bot may fail to read before a person takes over. */
export const MISREADS_BEFORE_HANDOFF = 3;

/** Tag of the state where a person from the shop has the conversation: the engine reads nothing then. */
export const WITH_STAFF = 'withStaff';

/** Times shown per page of the slot list: WhatsApp lists hold 10 rows, the 10th is "more times". */
export const SLOTS_PER_PAGE = 9;

/** Rows of one WhatsApp list. A shop with more services than this sees them in pages. */
export const LIST_ROWS = 10;

/** Services shown per page when they do not all fit in one list: the 10th row is "more services". */
export const SERVICES_PER_PAGE = 9;

/** How many pages the service list takes. */
export function servicePageCount(services: number): number {
  return services <= LIST_ROWS ? 1 : Math.ceil(services / SERVICES_PER_PAGE);
}

/** Tag of the states where the bot is waiting on the calendar or the holds, not on the customer. */
export const BUSY = 'busy';

const fresh = {
  servicePage: undefined,
  serviceId: undefined,
  companions: undefined,
  barberId: undefined,
  date: undefined,
  eitherDate: undefined,
  wantedTime: undefined,
  wantedPartOfDay: undefined,
  slots: [],
  slotPage: 0,
  chosenSlot: undefined,
  hold: undefined,
  intent: undefined,
  selectedBookingId: undefined,
  moving: undefined,
  fullDay: undefined,
  waitlist: undefined,
  keepTime: undefined,
} satisfies Partial<BookingContext>;

function keepChosenTime(context: BookingContext): Partial<BookingContext> {
  return {
    wantedTime: context.chosenSlot?.time ?? context.wantedTime,
    slots: [],
    slotPage: 0,
    chosenSlot: undefined,
    hold: undefined,
  };
}

/** The appointment the customer means: the one they picked, or their only one. */
export function selectedBooking(context: BookingContext): Booking | undefined {
  const picked = context.bookings.find((booking) => booking.id === context.selectedBookingId);
  return picked ?? (context.bookings.length === 1 ? context.bookings[0] : undefined);
}

/** The barbers who do the service, at the customer's location of a chain (for a shop without barbers: none). */
export function barbersDoing(
  context: Pick<BookingContext, 'barbers' | 'locationId'>,
  serviceId: string | undefined,
): string[] {
  return (context.barbers ?? [])
    .filter((barber) => context.locationId === undefined || barber.locationId === context.locationId)
    .filter((barber) => serviceId === undefined || !barber.serviceIds || barber.serviceIds.includes(serviceId))
    .map((barber) => barber.id);
}

/** The locations of a chain, in the config's order, from where its barbers work; none for one shop. */
export function locationsOf(context: Pick<BookingContext, 'barbers'>): string[] {
  return [...new Set((context.barbers ?? []).flatMap((barber) => (barber.locationId ? [barber.locationId] : [])))];
}

/** Where the barber works in a chain; undefined for "anyone", for one shop, or for a barber it does not have. */
function locationOfBarber(context: Pick<BookingContext, 'barbers'>, barberId: string | undefined): string | undefined {
  return context.barbers?.find((barber) => barber.id === barberId)?.locationId;
}

/** The barber the customer asked for by name, for a note that says "Javi is busy then". */
function namedBarber(context: BookingContext): { barberId?: string } {
  return context.barberId !== undefined && context.barberId !== ANY_BARBER ? { barberId: context.barberId } : {};
}

/** The location an actor works at, for a chain: its hours, its barbers, its calendar. */
function atLocation(context: BookingContext): { locationId?: string } {
  return context.locationId !== undefined ? { locationId: context.locationId } : {};
}

type FreeSlotsInput = {
  locationId?: string;
  serviceId: string;
  date: string;
  moving?: Booking;
  barberId?: string;
  wantedTime?: string;
  companions?: string[];
};

/** The wall-clock time an appointment starts at in the shop ("17:00"); undefined without a timezone. */
function timeOfDay(booking: Booking | undefined, timezone: string | undefined): string | undefined {
  if (!booking || !timezone) return undefined;
  const time = DateTime.fromISO(booking.start, { zone: timezone });
  return time.isValid ? time.toFormat('HH:mm') : undefined;
}

/** What happens as a person takes the conversation over: nothing is left held, the staff are called. */
const HAND_TO_STAFF = [
  { type: 'releaseHold', params: ({ context }: { context: BookingContext }) => ({ hold: context.hold }) },
  'startOver',
  'handToStaff',
  'callStaff',
  { type: 'note', params: { kind: 'personWillAnswer' } },
] as const;

function engineProvides(name: string): never {
  throw new Error(`${name} is provided by the engine with bookingMachine.provide()`);
}

export const bookingMachine = setup({
  types: {
    context: {} as BookingContext,
    events: {} as BookingEvent,
    input: {} as BookingInput,
    tags: {} as typeof BUSY | typeof WITH_STAFF,
  },
  actors: {
    /** Free slots of one day for one service (calendar busy time, holds, opening hours, notice). */
    findFreeSlots: fromPromise<DayAvailability, FreeSlotsInput>(async () => engineProvides('findFreeSlots')),
    /**
     * Reserves the slot in the barber's chair (for "any", the free barber with the fewest
     * appointments that day) for a few minutes; throws BookingFailure('slotTaken').
     */
    holdSlot: fromPromise<
      Hold,
      { serviceId: string; slot: Slot; barberId?: string; companions?: string[]; locationId?: string }
    >(async () => engineProvides('holdSlot')),
    /** Final check under the hold and the calendar write; throws BookingFailure with the reason. */
    bookAppointment: fromPromise<Booking, { serviceId: string; hold: Hold; moving?: Booking; locationId?: string }>(
      async () => engineProvides('bookAppointment'),
    ),
    /** The customer's upcoming appointments, soonest first. */
    findUpcomingBookings: fromPromise<Booking[], void>(async () => engineProvides('findUpcomingBookings')),
    /** Deletes the appointment from the calendar; throws BookingFailure('tooLateToCancel') inside the notice. */
    cancelBooking: fromPromise<Booking, { booking: Booking }>(async () => engineProvides('cancelBooking')),
    /** Notes on the appointment that the customer said they will come. */
    recordAttendance: fromPromise<void, { bookingId: string }>(async () => engineProvides('recordAttendance')),
    /** Puts the customer on the day's waitlist with what they wanted. */
    joinWaitlist: fromPromise<void, WaitlistWish>(async () => engineProvides('joinWaitlist')),
    /** The customer's waitlist entries, from today on. */
    findWaitlistEntries: fromPromise<WaitlistWish[], void>(async () => engineProvides('findWaitlistEntries')),
    /** Takes the customer off one day's waitlist (a time held for them is let go). */
    leaveWaitlist: fromPromise<{ date: string }, { date: string }>(async () => engineProvides('leaveWaitlist')),
    /**
     * The customer said yes to a freed time held for them: the offer and its hold, while still
     * theirs; throws when it expired or went to the next customer.
     */
    takeWaitlistOffer: fromPromise<TakenOffer, { offerId: string }>(async () => engineProvides('takeWaitlistOffer')),
    /** The customer said no to a freed time: it is let go for the next customer on the list. */
    declineWaitlistOffer: fromPromise<void, { offerId: string }>(async () => engineProvides('declineWaitlistOffer')),
    /** Records that the customer wants no more messages cita starts on its own. */
    optOut: fromPromise<void, void>(async () => engineProvides('optOut')),
  },
  guards: {
    isOfferedService: ({ context, event }) =>
      event.type === 'SELECT_SERVICE' && context.serviceIds.includes(event.serviceId),
    isOfferedServices: ({ context, event }) =>
      event.type === 'SELECT_SERVICES' && event.serviceIds.every((id) => context.serviceIds.includes(id)),
    isGroup: ({ context }) => (context.companions ?? []).length > 0,
    // A barber of another location of a chain is one of the shop's too: the location follows them.
    isShopBarber: ({ context, event }) =>
      event.type === 'SELECT_BARBER' &&
      (context.barbers ?? []).length > 0 &&
      (event.barberId === ANY_BARBER || (context.barbers ?? []).some((barber) => barber.id === event.barberId)),
    // Asked only in a chain, and only until the customer has picked (a remembered one is kept).
    needsLocation: ({ context }) => {
      const locations = locationsOf(context);
      return locations.length > 1 && !locations.includes(context.locationId ?? '');
    },
    isShopLocation: ({ context, event }) =>
      event.type === 'SELECT_LOCATION' && locationsOf(context).includes(event.locationId),
    barberWorksElsewhere: ({ context }) => {
      const where = locationOfBarber(context, context.barberId);
      return where !== undefined && where !== context.locationId;
    },
    serviceNotHere: ({ context }) =>
      context.locationId !== undefined &&
      context.serviceId !== undefined &&
      barbersDoing(context, context.serviceId).length === 0,
    // Asked only when there is a choice: one barber for the service is simply that barber.
    needsBarber: ({ context }) => context.barberId === undefined && barbersDoing(context, context.serviceId).length > 1,
    barberDoesNotDoService: ({ context }) =>
      context.barberId !== undefined &&
      context.barberId !== ANY_BARBER &&
      context.serviceId !== undefined &&
      !barbersDoing(context, context.serviceId).includes(context.barberId),
    hasNamedBarber: ({ context }) => context.barberId !== undefined && context.barberId !== ANY_BARBER,
    othersFreeAtWantedTime: ({ event }) =>
      'output' in event && ((event.output as DayAvailability).othersFreeAt ?? []).length > 0,
    hasNoService: ({ context }) => context.serviceId === undefined,
    hasNoDate: ({ context }) => context.date === undefined,
    hasSlots: ({ context }) => context.slots.length > 0,
    hasWantedTime: ({ context }) => context.wantedTime !== undefined,
    isOfferedTime: ({ context, event }) =>
      event.type === 'PICK_TIME' && context.slots.some((slot) => slot.time === event.time),
    hasMoreTimes: ({ context }) => context.slotPage + 1 < slotPages(context.slots, SLOTS_PER_PAGE).length,
    wantedTimeIsFree: ({ context, event }) =>
      'output' in event &&
      context.wantedTime !== undefined &&
      (event.output as DayAvailability).slots.some((slot) => slot.time === context.wantedTime),
    dayHasFreeSlots: ({ event }) => 'output' in event && (event.output as DayAvailability).slots.length > 0,
    changesService: ({ event }) => event.type === 'CHANGE' && event.step === 'service',
    changesDate: ({ event }) => event.type === 'CHANGE' && event.step === 'date',
    foundNoBookings: ({ event }) => 'output' in event && (event.output as Booking[]).length === 0,
    hasBookings: ({ context }) => context.bookings.length > 0,
    hasIntent: ({ context }) => context.intent !== undefined,
    wantsToSeeBookings: ({ context }) => context.intent === undefined || context.intent === 'see',
    needsBookingPicked: ({ context }) => selectedBooking(context) === undefined,
    wantsToCancel: ({ context }) => context.intent === 'cancel',
    isTooLateToCancel: ({ context }) => {
      const booking = selectedBooking(context);
      const now = Date.parse(context.receivedAt ?? '');
      return booking !== undefined && Date.parse(booking.start) - now < context.cancellationNoticeMinutes * 60_000;
    },
    isOwnBooking: ({ context, event }) =>
      event.type === 'SELECT_BOOKING' && context.bookings.some((booking) => booking.id === event.bookingId),
    cancelWasTooLate: ({ event }) => 'error' in event && failureReason(event.error) === 'tooLateToCancel',
    isTheStaffsToBook: ({ event }) => 'error' in event && failureReason(event.error) === 'staffBooks',
    isLastMisreadAllowed: ({ context }) => context.misreadInARow + 1 >= MISREADS_BEFORE_HANDOFF,
    hasStaff: ({ context }) => context.staffAvailable,
    hasFullDay: ({ context }) => context.fullDay !== undefined,
    hasWaitlist: ({ context }) => (context.waitlist ?? []).length > 0,
    isOwnWaitlistDay: ({ context, event }) =>
      event.type === 'LEAVE_WAITLIST' && (context.waitlist ?? []).some((wish) => wish.date === event.date),
    // "Por la tarde" and the afternoon is full, though the morning is not.
    partOfDayIsFull: ({ context, event }) => {
      const wanted = context.wantedPartOfDay;
      const slots = 'output' in event ? (event.output as DayAvailability).slots : [];
      return wanted !== undefined && !slots.some((slot) => slot.time >= wanted.from && slot.time < wanted.to);
    },
    // Quiet means no message from the customer: the time comes in with the message, never from a clock.
    wasQuietLongEnough: ({ context, event }) =>
      event.type === 'MESSAGE_RECEIVED' &&
      context.receivedAt !== undefined &&
      Date.parse(event.at) - Date.parse(context.receivedAt) >= context.handoffQuietMinutes * 60_000,
  },
  actions: {
    /** Lets go of the reserved slot so other customers can take it; the engine provides it. */
    releaseHold: (_, _params: { hold: Hold | undefined }) => {},
    /** Tells the staff this customer wants a person (name, number, last turns); the engine provides it. */
    callStaff: () => {},
    /** Gives the staff the booking this customer asked for, theirs to make; the engine provides it. */
    passRequestToStaff: (_, _params: { serviceId: string; hold: Hold }) => {},
    countMisread: assign(({ context }) => ({ misreadInARow: context.misreadInARow + 1 })),
    countHeldForStaff: assign(({ context }) => ({ heldForStaff: context.heldForStaff + 1 })),
    handToStaff: assign({ misreadInARow: 0, heldForStaff: 0 }),
    forgetStaffWroteFromApp: assign({ staffWroteFromApp: undefined }),
    // The quiet period counts from the last message of either side: the shop's too.
    staffWroteFromApp: assign(({ context, event }) => ({
      staffWroteFromApp: true,
      receivedAt: event.type === 'STAFF_WROTE' ? event.at : context.receivedAt,
    })),
    forgetLastTurn: assign(({ context, event }) => ({
      notes: [] as Note[],
      receivedAt: event.type === 'MESSAGE_RECEIVED' ? event.at : context.receivedAt,
      // The last turn's notes say whether it was misread: one read message breaks the run.
      misreadInARow: context.notes.some((note) => note.kind === 'notUnderstood') ? context.misreadInARow : 0,
    })),
    // One message can ask the same thing twice ("a las 5" remembered, then "mañana a las 5"): what
    // the reply says is said once, however many events of the turn led to it.
    note: assign(({ context }, note: Note) =>
      context.notes.some((said) => JSON.stringify(said) === JSON.stringify(note))
        ? {}
        : { notes: [...context.notes, note] },
    ),
    answerQuestion: assign(({ context, event }) => {
      if (event.type !== 'ASK_INFO') return {};
      const { type: _, ...question } = event;
      return { notes: [...context.notes, { kind: 'info', ...question } as Note] };
    }),
    switchLanguage: assign(({ context, event }) =>
      event.type === 'SET_LANGUAGE' && event.language !== context.language
        ? { language: event.language, notes: [...context.notes, { kind: 'languageChanged' } as Note] }
        : {},
    ),
    /** A first message in another language: simply answer in it, without remarking on it. */
    speakLanguage: assign(({ event }) => (event.type === 'SET_LANGUAGE' ? { language: event.language } : {})),
    startOver: assign(fresh),
    // A correction keeps the rest of what the customer chose: another service at the same time, another day at the same time.
    rememberService: assign(({ context, event }) =>
      event.type === 'SELECT_SERVICE'
        ? { serviceId: event.serviceId, companions: undefined, servicePage: undefined, ...keepChosenTime(context) }
        : {},
    ),
    rememberGroup: assign(({ context, event }) =>
      event.type === 'SELECT_SERVICES'
        ? {
            serviceId: event.serviceIds[0],
            companions: event.serviceIds.slice(1),
            servicePage: undefined,
            ...keepChosenTime(context),
          }
        : {},
    ),
    rememberDate: assign(({ context, event }) =>
      event.type === 'PICK_DATE' ? { date: event.date, eitherDate: undefined, ...keepChosenTime(context) } : {},
    ),
    // No day is chosen until the customer says which of the two they meant; the time they said is kept.
    rememberEitherDate: assign(({ context, event }) =>
      event.type === 'UNCLEAR_DATE' ? { date: undefined, eitherDate: event.dates, ...keepChosenTime(context) } : {},
    ),
    rememberBarber: assign(({ context, event }) =>
      event.type === 'SELECT_BARBER' ? { barberId: event.barberId, ...keepChosenTime(context) } : {},
    ),
    forgetBarber: assign({ barberId: undefined }),
    // Another location keeps the service, day and time asked for; a barber of the old one is let go.
    rememberLocation: assign(({ context, event }) =>
      event.type === 'SELECT_LOCATION'
        ? {
            locationId: event.locationId,
            ...keepChosenTime(context),
            ...(locationOfBarber(context, context.barberId) !== undefined &&
              locationOfBarber(context, context.barberId) !== event.locationId && { barberId: undefined }),
          }
        : {},
    ),
    followBarber: assign(({ context }) => ({ locationId: locationOfBarber(context, context.barberId) })),
    rememberWantedTime: assign(({ event }) =>
      event.type === 'PICK_TIME' ? { wantedTime: event.time, wantedPartOfDay: undefined } : {},
    ),
    rememberPartOfDay: assign(({ event }) =>
      event.type === 'PICK_PART_OF_DAY'
        ? { wantedPartOfDay: { from: event.from, to: event.to }, wantedTime: undefined }
        : {},
    ),
    forgetDate: assign({
      date: undefined,
      eitherDate: undefined,
      slots: [],
      slotPage: 0,
      chosenSlot: undefined,
      hold: undefined,
    }),
    forgetService: assign({
      serviceId: undefined,
      companions: undefined,
      slots: [],
      slotPage: 0,
      chosenSlot: undefined,
      hold: undefined,
    }),
    forgetHold: assign({ hold: undefined, chosenSlot: undefined }),
    // What the customer wanted of a full day, for "Avísame si se libera" (not a closed or past day).
    rememberFullDay: assign(({ context, event }) => {
      const reason = 'output' in event ? (event.output as DayAvailability).reason : undefined;
      if (context.date === undefined || context.serviceId === undefined || (reason && reason !== 'full')) return {};
      const part = context.wantedPartOfDay;
      return {
        fullDay: {
          date: context.date,
          serviceId: context.serviceId,
          ...(context.barberId !== undefined && { barberId: context.barberId }),
          ...(part && { from: part.from, to: part.to }),
        },
      };
    }),
    forgetFullDay: assign({ fullDay: undefined }),
    rememberOffer: assign(({ event }) =>
      event.type === 'TAKE_WAITLIST_OFFER' || event.type === 'DECLINE_WAITLIST_OFFER' ? { offerId: event.offerId } : {},
    ),
    forgetOffer: assign({ offerId: undefined }),
    rememberLeaving: assign(({ event }) => (event.type === 'LEAVE_WAITLIST' ? { leavingWaitlistDay: event.date } : {})),
    forgetLeaving: assign({ leavingWaitlistDay: undefined }),
    // Kept only while "mis citas" shows it: an empty list is no list.
    keepWaitlist: assign(({ event }) => {
      const waitlist = 'output' in event ? (event.output as WaitlistWish[]) : [];
      return { waitlist: waitlist.length > 0 ? waitlist : undefined };
    }),
    forgetWaitlist: assign({ waitlist: undefined }),
    // A yes to a freed time: it is held already, so the booking is written as after a confirmation.
    keepTakenOffer: assign(({ event }) => {
      if (!('output' in event)) return {};
      const { serviceId, hold } = event.output as TakenOffer;
      return {
        serviceId,
        date: hold.slot.date,
        chosenSlot: hold.slot,
        hold,
        ...(hold.barberId !== undefined && { barberId: hold.barberId }),
      };
    }),
    // The times nearest what the customer asked for come first: around a taken time, or inside a part of the day.
    showFreeSlots: assign(({ context, event }) => {
      const slots = 'output' in event ? (event.output as DayAvailability).slots : [];
      const wanted =
        context.wantedPartOfDay ??
        (context.wantedTime ? { from: context.wantedTime, to: context.wantedTime } : undefined);
      return {
        slots: wanted ? nearestFirst(slots, wanted, SLOTS_PER_PAGE) : slots,
        slotPage: 0,
        wantedTime: undefined,
        wantedPartOfDay: undefined,
      };
    }),
    showSlotsAround: assign(({ context, event }) =>
      event.type === 'PICK_TIME'
        ? { slots: nearestFirst(context.slots, { from: event.time, to: event.time }, SLOTS_PER_PAGE), slotPage: 0 }
        : {},
    ),
    // The times nearest the time asked for first; that time is kept, so "con Lucía" or "solo el corte" next asks for it again.
    showTimesKeepingAsked: assign(({ context, event }) => {
      const slots = 'output' in event ? (event.output as DayAvailability).slots : [];
      const wanted = context.wantedTime ? { from: context.wantedTime, to: context.wantedTime } : undefined;
      return { slots: wanted ? nearestFirst(slots, wanted, SLOTS_PER_PAGE) : slots, slotPage: 0 };
    }),
    chooseWantedSlot: assign(({ context, event }) => {
      const slots = 'output' in event ? (event.output as DayAvailability).slots : [];
      return { slots, chosenSlot: slots.find((slot) => slot.time === context.wantedTime), wantedTime: undefined };
    }),
    chooseSlot: assign(({ context, event }) =>
      event.type === 'PICK_TIME'
        ? { chosenSlot: context.slots.find((slot) => slot.time === event.time), wantedTime: undefined }
        : {},
    ),
    showNextTimes: assign(({ context }) => ({ slotPage: context.slotPage + 1 })),
    showNextServices: assign(({ context }) => ({
      servicePage: ((context.servicePage ?? 0) + 1) % servicePageCount(context.serviceIds.length),
    })),
    keepHold: assign(({ event }) => ('output' in event ? { hold: event.output as Hold } : {})),
    keepBooking: assign(({ event }) => ('output' in event ? { ...fresh, booking: event.output as Booking } : {})),
    keepBookings: assign(({ event }) => ('output' in event ? { bookings: event.output as Booking[] } : {})),
    wantBookings: assign(({ event }) => {
      if (event.type === 'CANCEL_BOOKING') return { intent: 'cancel' as const, selectedBookingId: event.bookingId };
      if (event.type === 'MOVE_BOOKING') {
        // The new day, time and barber said with the move wait for the appointment to be picked.
        return {
          intent: 'move' as const,
          selectedBookingId: event.bookingId,
          date: event.date,
          wantedTime: event.time,
          barberId: event.barberId,
          keepTime: event.sameTime,
        };
      }
      if (event.type === 'CONFIRM_ATTENDANCE') return { selectedBookingId: event.bookingId };
      return { intent: 'see' as const, selectedBookingId: undefined };
    }),
    cancelJustBooked: assign(({ context }) => ({ intent: 'cancel' as const, selectedBookingId: context.booking?.id })),
    forgetIntent: assign({ intent: undefined, selectedBookingId: undefined }),
    selectBooking: assign(({ event }) =>
      event.type === 'SELECT_BOOKING' ? { selectedBookingId: event.bookingId } : {},
    ),
    // A move is a booking of the same service whose confirmation replaces the old appointment.
    startMove: assign(({ context }) => {
      const moving = selectedBooking(context);
      // The same barber too, unless the customer asks for another.
      return {
        moving,
        // A service the shop no longer offers: the customer picks one of today's.
        serviceId: moving && context.serviceIds.includes(moving.serviceId) ? moving.serviceId : undefined,
        barberId: context.barberId ?? moving?.barberId,
        wantedTime: context.wantedTime ?? (context.keepTime ? timeOfDay(moving, context.timezone) : undefined),
        keepTime: undefined,
        intent: undefined,
        selectedBookingId: undefined,
      };
    }),
    forgetCancelled: assign(({ context, event }) => {
      const cancelled = (event as unknown as { output: Booking }).output;
      return {
        bookings: context.bookings.filter((booking) => booking.id !== cancelled.id),
        booking: context.booking?.id === cancelled.id ? undefined : context.booking,
        intent: undefined,
        selectedBookingId: undefined,
        notes: [...context.notes, { kind: 'bookingCancelled', booking: cancelled } as Note],
      };
    }),
  },
}).createMachine({
  id: 'booking',
  context: ({ input }) => ({ ...input, ...fresh, bookings: [], notes: [], misreadInARow: 0, heldForStaff: 0 }),
  initial: 'greeting',
  // Asked from any step: answered without moving the customer from where they are.
  on: {
    MESSAGE_RECEIVED: { actions: 'forgetLastTurn' },
    ASK_INFO: { actions: 'answerQuestion' },
    HELP: { actions: { type: 'note', params: { kind: 'help' } } },
    THANKS: { actions: { type: 'note', params: { kind: 'youAreWelcome' } } },
    SET_LANGUAGE: { actions: 'switchLanguage' },
    // The third message in a row the bot cannot read goes to a person instead of a fourth "sorry?".
    NOT_UNDERSTOOD: [
      { guard: and(['isLastMisreadAllowed', 'hasStaff']), target: '.withStaff', actions: HAND_TO_STAFF },
      { actions: ['countMisread', { type: 'note', params: { kind: 'notUnderstood' } }] },
    ],
    // The shop answered the customer by hand from the WhatsApp Business app: the bot steps aside
    // at once, letting go of any slot it held, and nobody needs calling (the person is there).
    STAFF_WROTE: {
      target: '.withStaff',
      actions: [
        { type: 'releaseHold', params: ({ context }) => ({ hold: context.hold }) },
        'startOver',
        'handToStaff',
        'staffWroteFromApp',
      ],
    },
    ASK_FOR_PERSON: [
      { guard: 'hasStaff', target: '.withStaff', actions: HAND_TO_STAFF },
      // A shop with no staff phones has nobody to hand to: its phone number is given instead.
      { actions: { type: 'note', params: { kind: 'callTheShop' } } },
    ],
    // A hello in the middle of a booking: greet back and ask the current question again.
    GREET: { actions: { type: 'note', params: { kind: 'welcomeBack' } } },
    // A service named at any step is a correction: the day's slots depend on it, so they are looked up again.
    SELECT_SERVICE: [
      {
        guard: 'isOfferedService',
        target: '.nextStep',
        actions: [{ type: 'releaseHold', params: ({ context }) => ({ hold: context.hold }) }, 'rememberService'],
      },
      { actions: { type: 'note', params: { kind: 'unknownService' } } },
    ],
    // Several people at once: the times are those the whole group fits.
    SELECT_SERVICES: {
      guard: 'isOfferedServices',
      target: '.nextStep',
      actions: [{ type: 'releaseHold', params: ({ context }) => ({ hold: context.hold }) }, 'rememberGroup'],
    },
    // A barber named at any step ("mejor con Lucía") is a correction too: the times depend on them.
    SELECT_BARBER: [
      {
        guard: 'isShopBarber',
        target: '.nextStep',
        actions: [{ type: 'releaseHold', params: ({ context }) => ({ hold: context.hold }) }, 'rememberBarber'],
      },
      { actions: { type: 'note', params: { kind: 'unknownBarber' } } },
    ],
    // A location named at any step ("mejor en el centro") is a correction like a barber.
    SELECT_LOCATION: [
      {
        guard: 'isShopLocation',
        target: '.nextStep',
        actions: [{ type: 'releaseHold', params: ({ context }) => ({ hold: context.hold }) }, 'rememberLocation'],
      },
      { actions: { type: 'note', params: { kind: 'unknownLocation' } } },
    ],
    PICK_DATE: {
      target: '.nextStep',
      actions: [{ type: 'releaseHold', params: ({ context }) => ({ hold: context.hold }) }, 'rememberDate'],
    },
    // "El martes" said on a Tuesday: the day is asked again, with both dates it could be.
    UNCLEAR_DATE: {
      target: '.nextStep',
      actions: [{ type: 'releaseHold', params: ({ context }) => ({ hold: context.hold }) }, 'rememberEitherDate'],
    },
    // A time said before the day is known is kept until the day's free slots are.
    PICK_TIME: { target: '.nextStep', actions: 'rememberWantedTime' },
    // "Por la tarde": look the day up again and put that part of it first (a held slot is let go).
    PICK_PART_OF_DAY: {
      target: '.nextStep',
      actions: [
        { type: 'releaseHold', params: ({ context }) => ({ hold: context.hold }) },
        'forgetHold',
        'rememberPartOfDay',
      ],
    },
    CHANGE: [
      {
        guard: 'changesService',
        target: '.choosingService',
        actions: [{ type: 'releaseHold', params: ({ context }) => ({ hold: context.hold }) }, 'forgetService'],
      },
      {
        guard: 'changesDate',
        target: '.nextStep',
        actions: [{ type: 'releaseHold', params: ({ context }) => ({ hold: context.hold }) }, 'forgetDate'],
      },
      {
        guard: 'hasSlots',
        target: '.choosingSlot',
        actions: [{ type: 'releaseHold', params: ({ context }) => ({ hold: context.hold }) }, 'forgetHold'],
      },
      { target: '.nextStep' },
    ],
    CANCEL: {
      target: '.greeting',
      actions: [
        { type: 'releaseHold', params: ({ context }) => ({ hold: context.hold }) },
        'startOver',
        { type: 'note', params: { kind: 'cancelled' } },
      ],
    },
    // "mis citas", "cancelar mi cita", "cambiar mi cita" and reminder buttons, from any step: what was
    // in progress is let go, and the customer's appointments are looked up fresh.
    MY_APPOINTMENTS: {
      target: '.lookingUpWaitlist',
      actions: [
        { type: 'releaseHold', params: ({ context }) => ({ hold: context.hold }) },
        'startOver',
        'wantBookings',
      ],
    },
    CANCEL_BOOKING: {
      target: '.lookingUpBookings',
      actions: [
        { type: 'releaseHold', params: ({ context }) => ({ hold: context.hold }) },
        'startOver',
        'wantBookings',
      ],
    },
    MOVE_BOOKING: {
      target: '.lookingUpBookings',
      actions: [
        { type: 'releaseHold', params: ({ context }) => ({ hold: context.hold }) },
        'startOver',
        'wantBookings',
      ],
    },
    CONFIRM_ATTENDANCE: {
      target: '.recordingAttendance',
      actions: [
        { type: 'releaseHold', params: ({ context }) => ({ hold: context.hold }) },
        'startOver',
        'wantBookings',
      ],
    },
    // The buttons of a freed time held for a waitlisted customer, from whatever step they were at.
    TAKE_WAITLIST_OFFER: {
      target: '.takingWaitlistOffer',
      actions: [
        { type: 'releaseHold', params: ({ context }) => ({ hold: context.hold }) },
        'startOver',
        'rememberOffer',
      ],
    },
    // A no to a freed time lets go of what was in progress too: the conversation starts over from its
    // answer, as after any other button of a message cita started.
    DECLINE_WAITLIST_OFFER: {
      target: '.decliningWaitlistOffer',
      actions: [
        { type: 'releaseHold', params: ({ context }) => ({ hold: context.hold }) },
        'startOver',
        'rememberOffer',
      ],
    },
    // "No más avisos" at any step: what was in progress is let go, like "cancelar".
    STOP_MESSAGES: {
      target: '.optingOut',
      actions: [{ type: 'releaseHold', params: ({ context }) => ({ hold: context.hold }) }, 'startOver'],
    },
    RESTART: {
      target: '.choosingService',
      actions: [
        { type: 'releaseHold', params: ({ context }) => ({ hold: context.hold }) },
        'startOver',
        { type: 'note', params: { kind: 'startedOver' } },
      ],
    },
  },
  states: {
    /** A new conversation (or one the customer called off): the bot has nothing in progress. */
    greeting: {
      on: {
        // A customer who already has appointments is greeted with them.
        GREET: { target: 'lookingUpBookings' },
        BOOK_ANOTHER: { target: 'choosingService' },
        // A first message the bot cannot read is still a hello.
        NOT_UNDERSTOOD: { target: 'lookingUpBookings' },
        SET_LANGUAGE: { actions: 'speakLanguage' },
        // Asking for a service the shop does not have still opens the list of those it has.
        SELECT_SERVICE: {
          guard: not('isOfferedService'),
          target: 'choosingService',
          actions: { type: 'note', params: { kind: 'unknownService' } },
        },
      },
    },

    /** Looking up the customer's upcoming appointments in the calendar. */
    lookingUpBookings: {
      tags: [BUSY],
      invoke: {
        src: 'findUpcomingBookings',
        onDone: [
          // No appointments, but days waited on: "mis citas" shows those.
          {
            guard: and(['foundNoBookings', 'hasWaitlist', 'wantsToSeeBookings']),
            target: 'showingBookings',
            actions: ['keepBookings', 'forgetIntent'],
          },
          {
            guard: and(['foundNoBookings', 'hasIntent']),
            target: 'choosingService',
            actions: ['keepBookings', { type: 'note', params: { kind: 'noBookings' } }, 'forgetIntent'],
          },
          // Nothing booked yet: straight to booking.
          { guard: 'foundNoBookings', target: 'choosingService', actions: 'keepBookings' },
          { target: 'decidingBooking', actions: 'keepBookings' },
        ],
        onError: {
          target: 'choosingService',
          actions: [{ type: 'note', params: { kind: 'bookingsUnknown' } }, 'forgetIntent', 'forgetWaitlist'],
        },
      },
    },

    /** Decides what to do with the customer's appointments from what they asked for. */
    decidingBooking: {
      always: [
        { guard: 'wantsToSeeBookings', target: 'showingBookings' },
        { guard: 'needsBookingPicked', target: 'choosingBooking' },
        // Too close to the appointment: the shop needs a call, not a silent gap in the diary.
        {
          guard: and(['wantsToCancel', 'isTooLateToCancel']),
          target: 'showingBookings',
          actions: [{ type: 'note', params: { kind: 'cancelTooLate' } }, 'forgetIntent'],
        },
        { guard: 'wantsToCancel', target: 'confirmingCancellation' },
        { target: 'nextStep', actions: 'startMove' },
      ],
    },

    /** The customer sees their upcoming appointments and can book another, cancel or move one. */
    showingBookings: {
      exit: 'forgetWaitlist',
      on: {
        BOOK_ANOTHER: { target: 'choosingService', actions: 'forgetIntent' },
        // Only waitlisted days shown: "cancelar mi cita" is answered as from anywhere (no appointments).
        CANCEL_BOOKING: { guard: 'hasBookings', target: 'decidingBooking', actions: 'wantBookings' },
        MOVE_BOOKING: { guard: 'hasBookings', target: 'decidingBooking', actions: 'wantBookings' },
        LEAVE_WAITLIST: { guard: 'isOwnWaitlistDay', target: 'leavingWaitlist', actions: 'rememberLeaving' },
      },
    },

    /** The customer has several appointments and picks the one to cancel or move. */
    choosingBooking: {
      on: {
        SELECT_BOOKING: [
          { guard: 'isOwnBooking', target: 'decidingBooking', actions: 'selectBooking' },
          { actions: { type: 'note', params: { kind: 'notUnderstood' } } },
        ],
        BACK: { target: 'showingBookings', actions: 'forgetIntent' },
      },
    },

    /** "Shall I cancel your appointment on …?" */
    confirmingCancellation: {
      on: {
        CONFIRM: { target: 'cancellingBooking' },
        BACK: { target: 'showingBookings', actions: 'forgetIntent' },
      },
    },

    /** Deleting the appointment from the calendar. */
    cancellingBooking: {
      tags: [BUSY],
      invoke: {
        src: 'cancelBooking',
        input: ({ context }) => ({ booking: selectedBooking(context)! }),
        onDone: { target: 'greeting', actions: 'forgetCancelled' },
        onError: [
          // The notice ran out while the customer was deciding.
          {
            guard: 'cancelWasTooLate',
            target: 'showingBookings',
            actions: [{ type: 'note', params: { kind: 'cancelTooLate' } }, 'forgetIntent'],
          },
          {
            target: 'showingBookings',
            actions: [{ type: 'note', params: { kind: 'cancelFailed' } }, 'forgetIntent'],
          },
        ],
      },
    },

    /** Noting that the customer will come, after they tapped "I'll be there" on a reminder. */
    recordingAttendance: {
      tags: [BUSY],
      invoke: {
        src: 'recordAttendance',
        input: ({ context }) => ({ bookingId: context.selectedBookingId! }),
        onDone: {
          target: 'greeting',
          actions: [{ type: 'note', params: { kind: 'attendanceConfirmed' } }, 'forgetIntent'],
        },
        onError: {
          target: 'greeting',
          actions: [{ type: 'note', params: { kind: 'attendanceNotRecorded' } }, 'forgetIntent'],
        },
      },
    },

    /**
     * A chain behind one number: the customer picks the shop they go to first (its address,
     * barbers and services differ). Skipped when the chain has one location, or the customer
     * picked before (their last booking's location is kept).
     */
    choosingLocation: {},

    /** The customer is looking at the list of services (a page of it, when there are many). */
    choosingService: {
      // A full day found for another service is no longer the one the customer would wait for.
      entry: 'forgetFullDay',
      // In a chain the location comes first.
      always: { guard: 'needsLocation', target: 'choosingLocation' },
      on: {
        MORE_SERVICES: { actions: 'showNextServices' },
      },
    },

    /** Decides which question comes next from what the customer has told so far. */
    nextStep: {
      // Whatever the customer changed (barber, service, day), the day found full is no longer what
      // they would wait for; it also keeps every step after a full day from being a state of its own.
      entry: 'forgetFullDay',
      always: [
        // "Con Javi" in a chain: Javi's location is where the customer books.
        { guard: 'barberWorksElsewhere', target: 'nextStep', reenter: true, actions: 'followBarber' },
        { guard: 'needsLocation', target: 'choosingLocation' },
        { guard: 'hasNoService', target: 'choosingService' },
        // A service nobody does at the location chosen: say so and show the location's services.
        {
          guard: 'serviceNotHere',
          target: 'choosingService',
          actions: [
            {
              type: 'note',
              params: ({ context }) => ({
                kind: 'serviceNotHere',
                serviceId: context.serviceId!,
                locationId: context.locationId!,
              }),
            },
            'forgetService',
          ],
        },
        // "Barba con Lucía" when Lucía does no beards: say so and ask who, among those who do.
        {
          guard: 'barberDoesNotDoService',
          target: 'nextStep',
          reenter: true,
          actions: [
            {
              type: 'note',
              params: ({ context }) => ({
                kind: 'barberDoesNotDoService',
                barberId: context.barberId!,
                serviceId: context.serviceId!,
              }),
            },
            'forgetBarber',
          ],
        },
        { guard: 'needsBarber', target: 'choosingBarber' },
        { guard: 'hasNoDate', target: 'choosingDate' },
        { target: 'checkingAvailability' },
      ],
    },

    /** Several barbers do the service and the customer named none: they pick one, or "anyone". */
    choosingBarber: {
      on: {
        BACK: { target: 'choosingService', actions: 'forgetService' },
      },
    },

    /** The service is known; the customer is picking a day. */
    choosingDate: {
      on: {
        BACK: { target: 'choosingService', actions: 'forgetService' },
        JOIN_WAITLIST: { guard: 'hasFullDay', target: 'joiningWaitlist' },
      },
    },

    /** Looking up the day's free slots in the calendar. */
    checkingAvailability: {
      tags: [BUSY],
      entry: 'forgetFullDay',
      invoke: {
        src: 'findFreeSlots',
        input: ({ context }) => ({
          serviceId: context.serviceId!,
          date: context.date!,
          moving: context.moving,
          barberId: context.barberId,
          wantedTime: context.wantedTime,
          companions: context.companions,
          ...atLocation(context),
        }),
        onDone: [
          // The customer already said a time and it is free: hold it straight away.
          { guard: 'wantedTimeIsFree', target: 'holdingSlot', actions: 'chooseWantedSlot' },
          // The whole group does not fit then: show when it does, and whether the customer alone would fit.
          {
            guard: and(['dayHasFreeSlots', 'hasWantedTime', 'isGroup']),
            target: 'choosingSlot',
            actions: [
              {
                type: 'note',
                params: ({ context, event }) => ({
                  kind: 'groupDoesNotFit',
                  time: context.wantedTime!,
                  alone: event.output.aloneFits ?? false,
                }),
              },
              'showTimesKeepingAsked',
            ],
          },
          // The barber asked for is busy then but others are not: say who, above the barber's own times.
          {
            guard: and(['dayHasFreeSlots', 'hasWantedTime', 'othersFreeAtWantedTime']),
            target: 'choosingSlot',
            actions: [
              {
                type: 'note',
                params: ({ context, event }) => ({
                  kind: 'timeNotFree',
                  time: context.wantedTime!,
                  barberId: context.barberId,
                  others: event.output.othersFreeAt,
                }),
              },
              'showTimesKeepingAsked',
            ],
          },
          // The time the customer asked for is not free: say so above the times that are.
          {
            guard: and(['dayHasFreeSlots', 'hasWantedTime']),
            target: 'choosingSlot',
            actions: [
              {
                type: 'note',
                params: ({ context }) => ({ kind: 'timeNotFree', time: context.wantedTime!, ...namedBarber(context) }),
              },
              'showFreeSlots',
            ],
          },
          // The part of the day asked for is full: say so (the customer may wait for it) above the day's other times.
          {
            guard: and(['dayHasFreeSlots', 'partOfDayIsFull']),
            target: 'choosingSlot',
            actions: ['rememberFullDay', { type: 'note', params: { kind: 'partOfDayFull' } }, 'showFreeSlots'],
          },
          { guard: 'dayHasFreeSlots', target: 'choosingSlot', actions: 'showFreeSlots' },
          {
            target: 'choosingDate',
            actions: [
              {
                type: 'note',
                params: ({ context, event }) => ({
                  kind: 'noSlots',
                  date: context.date!,
                  reason: event.output.reason ?? 'full',
                  ...namedBarber(context),
                }),
              },
              'rememberFullDay',
              'forgetDate',
            ],
          },
        ],
        // Unknown is never free: say so and let the customer try again.
        onError: {
          target: 'choosingDate',
          actions: [{ type: 'note', params: { kind: 'availabilityUnknown' } }, 'forgetDate'],
        },
      },
    },

    /** The customer is looking at the free times of the chosen day. */
    choosingSlot: {
      on: {
        PICK_TIME: [
          { guard: 'isOfferedTime', target: 'holdingSlot', actions: 'chooseSlot' },
          // Not free with the barber asked for: look again, to tell which other barbers are free then.
          { guard: 'hasNamedBarber', target: 'checkingAvailability', actions: 'rememberWantedTime' },
          // Not free: say so above the free times nearest it, before and after.
          {
            actions: [
              { type: 'note', params: ({ event }) => ({ kind: 'timeNotFree', time: event.time }) },
              'showSlotsAround',
            ],
          },
        ],
        MORE_TIMES: [
          { guard: 'hasMoreTimes', actions: 'showNextTimes' },
          { actions: { type: 'note', params: { kind: 'noMoreTimes' } } },
        ],
        BACK: { target: 'choosingDate', actions: 'forgetDate' },
        JOIN_WAITLIST: { guard: 'hasFullDay', target: 'joiningWaitlist' },
      },
    },

    /** Reserving the chosen slot so nobody else can take it while the customer confirms. */
    holdingSlot: {
      tags: [BUSY],
      // A time was picked: the full part of the day is behind the customer.
      entry: 'forgetFullDay',
      invoke: {
        src: 'holdSlot',
        input: ({ context }) => ({
          serviceId: context.serviceId!,
          slot: context.chosenSlot!,
          barberId: context.barberId,
          companions: context.companions,
          ...atLocation(context),
        }),
        onDone: { target: 'confirming', actions: 'keepHold' },
        // Someone else took the slot first: look the day up again and offer what is left.
        onError: {
          target: 'checkingAvailability',
          actions: [{ type: 'note', params: { kind: 'bookingFailed', reason: 'slotTaken' } }, 'forgetHold'],
        },
      },
    },

    /** The slot is reserved for the customer, but only until the hold expires; they confirm or change. */
    confirming: {
      on: {
        CONFIRM: { target: 'booking' },
        // "Better at 6": release this slot and look the new time up against fresh availability.
        PICK_TIME: {
          target: 'checkingAvailability',
          actions: [
            { type: 'releaseHold', params: ({ context }) => ({ hold: context.hold }) },
            'forgetHold',
            'rememberWantedTime',
          ],
        },
        BACK: {
          target: 'choosingSlot',
          actions: [{ type: 'releaseHold', params: ({ context }) => ({ hold: context.hold }) }, 'forgetHold'],
        },
      },
    },

    /** Checking the slot one last time and writing the appointment to the calendar. */
    booking: {
      tags: [BUSY],
      invoke: {
        src: 'bookAppointment',
        input: ({ context }) => ({
          serviceId: context.serviceId!,
          hold: context.hold!,
          moving: context.moving,
          ...atLocation(context),
        }),
        onDone: { target: 'booked', actions: 'keepBooking' },
        onError: [
          // The shop books this customer itself (too many no-shows): the request goes to a person,
          // who writes to them; the bot holds nothing and answers nothing meanwhile.
          {
            guard: 'isTheStaffsToBook',
            target: 'withStaff',
            actions: [
              {
                type: 'passRequestToStaff',
                params: ({ context }) => ({ serviceId: context.serviceId!, hold: context.hold! }),
              },
              { type: 'releaseHold', params: ({ context }) => ({ hold: context.hold }) },
              'startOver',
              'handToStaff',
              { type: 'note', params: { kind: 'staffWillBook' } },
            ],
          },
          // The actor has already released the hold; offer the day's other times.
          {
            target: 'checkingAvailability',
            actions: [
              { type: 'note', params: ({ event }) => ({ kind: 'bookingFailed', reason: failureReason(event.error) }) },
              'forgetHold',
            ],
          },
        ],
      },
    },

    /** The appointment is in the calendar and the customer has their confirmation. */
    booked: {
      on: {
        BOOK_ANOTHER: { target: 'choosingService' },
        // A new hello after booking shows what the customer has booked so far.
        GREET: { target: 'lookingUpBookings' },
        // "Cancelar" right after booking means the appointment just made.
        CANCEL: { target: 'lookingUpBookings', actions: 'cancelJustBooked' },
      },
    },

    /** Putting the customer on the waitlist of the full day, with what they wanted of it. */
    joiningWaitlist: {
      tags: [BUSY],
      invoke: {
        src: 'joinWaitlist',
        input: ({ context }) => context.fullDay!,
        onDone: {
          target: 'greeting',
          actions: [
            { type: 'note', params: ({ context }) => ({ kind: 'waitlisted', date: context.fullDay!.date }) },
            'startOver',
          ],
        },
        onError: {
          target: 'choosingDate',
          actions: [{ type: 'note', params: { kind: 'waitlistUnavailable' } }, 'forgetDate'],
        },
      },
    },

    /** Looking up the days the customer waits on, for "mis citas". */
    lookingUpWaitlist: {
      tags: [BUSY],
      invoke: {
        src: 'findWaitlistEntries',
        onDone: { target: 'lookingUpBookings', actions: 'keepWaitlist' },
        // Not knowing the waitlist does not keep the customer from their appointments.
        onError: { target: 'lookingUpBookings' },
      },
    },

    /** Taking the customer off one day's waitlist. */
    leavingWaitlist: {
      tags: [BUSY],
      invoke: {
        src: 'leaveWaitlist',
        input: ({ context }) => ({ date: context.leavingWaitlistDay! }),
        onDone: {
          target: 'lookingUpWaitlist',
          actions: [
            { type: 'note', params: ({ event }) => ({ kind: 'leftWaitlist', date: event.output.date }) },
            'forgetLeaving',
          ],
        },
        onError: {
          target: 'lookingUpWaitlist',
          actions: [{ type: 'note', params: { kind: 'waitlistUnavailable' } }, 'forgetLeaving'],
        },
      },
    },

    /** Recording that the customer wants no more messages cita starts (offers, nudges, thank-yous). */
    optingOut: {
      tags: [BUSY],
      invoke: {
        src: 'optOut',
        onDone: { target: 'greeting', actions: { type: 'note', params: { kind: 'optedOut' } } },
        onError: { target: 'greeting', actions: { type: 'note', params: { kind: 'optOutNotRecorded' } } },
      },
    },

    /** The customer tapped "Reservar" on a freed time held for them: it is checked to be still theirs. */
    takingWaitlistOffer: {
      tags: [BUSY],
      invoke: {
        src: 'takeWaitlistOffer',
        input: ({ context }) => ({ offerId: context.offerId! }),
        onDone: { target: 'booking', actions: ['keepTakenOffer', 'forgetOffer'] },
        // Too late: the time went to the next customer on the list (or is no longer free).
        onError: {
          target: 'greeting',
          actions: [{ type: 'note', params: { kind: 'waitlistOfferGone' } }, 'forgetOffer'],
        },
      },
    },

    /** The customer said no to a freed time: it is let go for the next customer on the list. */
    decliningWaitlistOffer: {
      tags: [BUSY],
      invoke: {
        src: 'declineWaitlistOffer',
        input: ({ context }) => ({ offerId: context.offerId! }),
        onDone: {
          target: 'greeting',
          actions: [{ type: 'note', params: { kind: 'waitlistOfferDeclined' } }, 'forgetOffer'],
        },
        onError: {
          target: 'greeting',
          actions: [{ type: 'note', params: { kind: 'waitlistOfferDeclined' } }, 'forgetOffer'],
        },
      },
    },

    /**
     * A person from the shop has the conversation: the bot answers nothing and books nothing. The
     * customer's messages are still kept (the staff see them) and counted. The bot is back when a
     * staff member hands the customer back, or on the first message after a quiet period.
     */
    withStaff: {
      tags: [WITH_STAFF],
      exit: 'forgetStaffWroteFromApp',
      on: {
        MESSAGE_RECEIVED: [
          {
            guard: 'wasQuietLongEnough',
            target: 'greeting',
            actions: ['forgetLastTurn', { type: 'note', params: { kind: 'botIsBack' } }],
          },
          { actions: ['forgetLastTurn', 'countHeldForStaff'] },
        ],
        HANDED_BACK: { target: 'greeting' },
        // The shop writes again: the quiet period starts over.
        STAFF_WROTE: { actions: 'staffWroteFromApp' },
        // Whatever else arrives waits for the person: no step of the booking runs meanwhile.
        '*': {},
      },
    },
  },
});

export type BookingMachine = typeof bookingMachine;
