import { and, assign, fromPromise, not, setup } from 'xstate';
import {
  type Booking,
  type BookingContext,
  type BookingInput,
  type DayAvailability,
  failureReason,
  type Hold,
  type Note,
  type Slot,
} from './booking.context.ts';
import type { BookingEvent } from './events.ts';

/** Bump when a state is renamed or removed: older saved conversations then start over with an apology. */
export const BOOKING_MACHINE_VERSION = 1;

/** Times shown per page of the slot list: WhatsApp lists hold 10 rows, the 10th is "more times". */
export const SLOTS_PER_PAGE = 9;

/** Tag of the states where the bot is waiting on the calendar or the holds, not on the customer. */
export const BUSY = 'busy';

const fresh = {
  serviceId: undefined,
  date: undefined,
  wantedTime: undefined,
  slots: [],
  slotPage: 0,
  chosenSlot: undefined,
  hold: undefined,
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

function engineProvides(name: string): never {
  throw new Error(`${name} is provided by the engine with bookingMachine.provide()`);
}

export const bookingMachine = setup({
  types: {
    context: {} as BookingContext,
    events: {} as BookingEvent,
    input: {} as BookingInput,
    tags: {} as typeof BUSY,
  },
  actors: {
    /** Free slots of one day for one service (calendar busy time, holds, opening hours, notice). */
    findFreeSlots: fromPromise<DayAvailability, { serviceId: string; date: string }>(async () =>
      engineProvides('findFreeSlots'),
    ),
    /** Reserves the slot for this customer for a few minutes; throws BookingFailure('slotTaken'). */
    holdSlot: fromPromise<Hold, { serviceId: string; slot: Slot }>(async () => engineProvides('holdSlot')),
    /** Final check under the hold and the calendar write; throws BookingFailure with the reason. */
    bookAppointment: fromPromise<Booking, { serviceId: string; hold: Hold }>(async () =>
      engineProvides('bookAppointment'),
    ),
  },
  guards: {
    isOfferedService: ({ context, event }) =>
      event.type === 'SELECT_SERVICE' && context.serviceIds.includes(event.serviceId),
    hasNoService: ({ context }) => context.serviceId === undefined,
    hasNoDate: ({ context }) => context.date === undefined,
    hasService: ({ context }) => context.serviceId !== undefined,
    hasSlots: ({ context }) => context.slots.length > 0,
    hasWantedTime: ({ context }) => context.wantedTime !== undefined,
    isOfferedTime: ({ context, event }) =>
      event.type === 'PICK_TIME' && context.slots.some((slot) => slot.time === event.time),
    hasMoreTimes: ({ context }) => (context.slotPage + 1) * SLOTS_PER_PAGE < context.slots.length,
    wantedTimeIsFree: ({ context, event }) =>
      'output' in event &&
      context.wantedTime !== undefined &&
      (event.output as DayAvailability).slots.some((slot) => slot.time === context.wantedTime),
    dayHasFreeSlots: ({ event }) => 'output' in event && (event.output as DayAvailability).slots.length > 0,
    changesService: ({ event }) => event.type === 'CHANGE' && event.step === 'service',
    changesDate: ({ event }) => event.type === 'CHANGE' && event.step === 'date',
  },
  actions: {
    /** Lets go of the reserved slot so other customers can take it; the engine provides it. */
    releaseHold: (_, _params: { hold: Hold | undefined }) => {},
    forgetLastTurn: assign(({ context, event }) => ({
      notes: [] as Note[],
      receivedAt: event.type === 'MESSAGE_RECEIVED' ? event.at : context.receivedAt,
    })),
    note: assign(({ context }, note: Note) => ({ notes: [...context.notes, note] })),
    answerQuestion: assign(({ context, event }) =>
      event.type === 'ASK_INFO' ? { notes: [...context.notes, { kind: 'info', topic: event.topic } as Note] } : {},
    ),
    switchLanguage: assign(({ context, event }) =>
      event.type === 'SET_LANGUAGE' && event.language !== context.language
        ? { language: event.language, notes: [...context.notes, { kind: 'languageChanged' } as Note] }
        : {},
    ),
    startOver: assign(fresh),
    // A correction keeps the rest of what the customer chose: another service at the same time, another day at the same time.
    rememberService: assign(({ context, event }) =>
      event.type === 'SELECT_SERVICE' ? { serviceId: event.serviceId, ...keepChosenTime(context) } : {},
    ),
    rememberDate: assign(({ context, event }) =>
      event.type === 'PICK_DATE' ? { date: event.date, ...keepChosenTime(context) } : {},
    ),
    rememberWantedTime: assign(({ event }) => (event.type === 'PICK_TIME' ? { wantedTime: event.time } : {})),
    forgetDate: assign({ date: undefined, slots: [], slotPage: 0, chosenSlot: undefined, hold: undefined }),
    forgetService: assign({ serviceId: undefined, slots: [], slotPage: 0, chosenSlot: undefined, hold: undefined }),
    forgetHold: assign({ hold: undefined, chosenSlot: undefined }),
    showFreeSlots: assign(({ event }) => ({
      slots: 'output' in event ? (event.output as DayAvailability).slots : [],
      slotPage: 0,
      wantedTime: undefined,
    })),
    chooseWantedSlot: assign(({ context, event }) => {
      const slots = 'output' in event ? (event.output as DayAvailability).slots : [];
      return { slots, chosenSlot: slots.find((slot) => slot.time === context.wantedTime), wantedTime: undefined };
    }),
    chooseSlot: assign(({ context, event }) =>
      event.type === 'PICK_TIME' ? { chosenSlot: context.slots.find((slot) => slot.time === event.time) } : {},
    ),
    showNextTimes: assign(({ context }) => ({ slotPage: context.slotPage + 1 })),
    keepHold: assign(({ event }) => ('output' in event ? { hold: event.output as Hold } : {})),
    keepBooking: assign(({ event }) => ('output' in event ? { ...fresh, booking: event.output as Booking } : {})),
  },
}).createMachine({
  id: 'booking',
  context: ({ input }) => ({ ...input, ...fresh, notes: [] }),
  initial: 'greeting',
  // Asked from any step: answered without moving the customer from where they are.
  on: {
    MESSAGE_RECEIVED: { actions: 'forgetLastTurn' },
    ASK_INFO: { actions: 'answerQuestion' },
    HELP: { actions: { type: 'note', params: { kind: 'help' } } },
    SET_LANGUAGE: { actions: 'switchLanguage' },
    NOT_UNDERSTOOD: { actions: { type: 'note', params: { kind: 'notUnderstood' } } },
    GREET: {},
    // A service named at any step is a correction: the day's slots depend on it, so they are looked up again.
    SELECT_SERVICE: [
      {
        guard: 'isOfferedService',
        target: '.nextStep',
        actions: [{ type: 'releaseHold', params: ({ context }) => ({ hold: context.hold }) }, 'rememberService'],
      },
      { actions: { type: 'note', params: { kind: 'unknownService' } } },
    ],
    PICK_DATE: {
      target: '.nextStep',
      actions: [{ type: 'releaseHold', params: ({ context }) => ({ hold: context.hold }) }, 'rememberDate'],
    },
    // A time said before the day is known is kept until the day's free slots are.
    PICK_TIME: { target: '.nextStep', actions: 'rememberWantedTime' },
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
        GREET: { target: 'choosingService' },
        BOOK_ANOTHER: { target: 'choosingService' },
        // A first message the bot cannot read is still a hello: answer with the services.
        NOT_UNDERSTOOD: { target: 'choosingService' },
        // Asking for a service the shop does not have still opens the list of those it has.
        SELECT_SERVICE: {
          guard: not('isOfferedService'),
          target: 'choosingService',
          actions: { type: 'note', params: { kind: 'unknownService' } },
        },
      },
    },

    /** The customer is looking at the list of services. */
    choosingService: {},

    /** Decides which question comes next from what the customer has told so far. */
    nextStep: {
      always: [
        { guard: 'hasNoService', target: 'choosingService' },
        { guard: 'hasNoDate', target: 'choosingDate' },
        { target: 'checkingAvailability' },
      ],
    },

    /** The service is known; the customer is picking a day. */
    choosingDate: {
      on: {
        BACK: { target: 'choosingService', actions: 'forgetService' },
      },
    },

    /** Looking up the day's free slots in the calendar. */
    checkingAvailability: {
      tags: [BUSY],
      invoke: {
        src: 'findFreeSlots',
        input: ({ context }) => ({ serviceId: context.serviceId!, date: context.date! }),
        onDone: [
          // The customer already said a time and it is free: hold it straight away.
          { guard: 'wantedTimeIsFree', target: 'holdingSlot', actions: 'chooseWantedSlot' },
          // The time the customer asked for is not free: say so above the times that are.
          {
            guard: and(['dayHasFreeSlots', 'hasWantedTime']),
            target: 'choosingSlot',
            actions: [
              { type: 'note', params: ({ context }) => ({ kind: 'timeNotFree', time: context.wantedTime! }) },
              'showFreeSlots',
            ],
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
                }),
              },
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
          { actions: { type: 'note', params: ({ event }) => ({ kind: 'timeNotFree', time: event.time }) } },
        ],
        MORE_TIMES: [
          { guard: 'hasMoreTimes', actions: 'showNextTimes' },
          { actions: { type: 'note', params: { kind: 'noMoreTimes' } } },
        ],
        BACK: { target: 'choosingDate', actions: 'forgetDate' },
      },
    },

    /** Reserving the chosen slot so nobody else can take it while the customer confirms. */
    holdingSlot: {
      tags: [BUSY],
      invoke: {
        src: 'holdSlot',
        input: ({ context }) => ({ serviceId: context.serviceId!, slot: context.chosenSlot! }),
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
        input: ({ context }) => ({ serviceId: context.serviceId!, hold: context.hold! }),
        onDone: { target: 'booked', actions: 'keepBooking' },
        // The actor has already released the hold; offer the day's other times.
        onError: {
          target: 'checkingAvailability',
          actions: [
            { type: 'note', params: ({ event }) => ({ kind: 'bookingFailed', reason: failureReason(event.error) }) },
            'forgetHold',
          ],
        },
      },
    },

    /** The appointment is in the calendar and the customer has their confirmation. */
    booked: {
      on: {
        BOOK_ANOTHER: { target: 'choosingService' },
        GREET: { target: 'choosingService' },
        // Cancelling a confirmed appointment is not a chat step yet: the booking stays and the shop's phone is given.
        CANCEL: { actions: { type: 'note', params: { kind: 'bookingStays' } } },
      },
    },
  },
});

export type BookingMachine = typeof bookingMachine;
