import { assign, fromPromise, setup } from 'xstate';
import { BUSY } from './booking.machine.ts';
import type {
  AgendaEntry,
  BlockRequest,
  Delivery,
  ResolvedBlock,
  StaffContext,
  StaffInput,
  StaffNote,
} from './staff.context.ts';
import type { StaffMachineEvent } from './staff.events.ts';

/** Bump when a state is renamed or removed: older saved staff conversations then start afresh. */
export const STAFF_MACHINE_VERSION = 2;

/** Appointments per page of the agenda: WhatsApp lists hold 10 rows, and one is "more". */
export const AGENDA_ROWS_PER_PAGE = 9;

/** How many pages the agenda shown takes (one, however empty). */
export function agendaPages(context: Pick<StaffContext, 'agenda'>): number {
  return Math.max(1, Math.ceil(context.agenda.length / AGENDA_ROWS_PER_PAGE));
}

function engineProvides(name: string): never {
  throw new Error(`${name} is provided by the engine with staffMachine.provide()`);
}

const leftAlone = {
  pickedId: undefined,
  block: undefined,
  resolvedBlock: undefined,
  affected: [],
  cancelAffected: false,
  handBackPhone: undefined,
} satisfies Partial<StaffContext>;

/** The appointment of the agenda the staff member picked. */
export function pickedAppointment(context: StaffContext): AgendaEntry | undefined {
  return context.agenda.find((entry) => entry.id === context.pickedId);
}

/**
 * The shop's side of the chat: a barber or the owner writing from a phone listed in the config's
 * `staff`. They look at a day's agenda, act on an appointment, block time, switch their notices
 * and hand customers back to the bot. Same engine as the booking machine: no I/O and no clock
 * here; the calendar, the customers' messages and the settings are actors the engine provides.
 */
export const staffMachine = setup({
  types: {
    context: {} as StaffContext,
    events: {} as StaffMachineEvent,
    input: {} as StaffInput,
    tags: {} as typeof BUSY,
  },
  actors: {
    /** The day's appointments this staff member sees (their own chair, or everyone's for the owner). */
    findAgenda: fromPromise<AgendaEntry[], { date: string }>(async () => engineProvides('findAgenda')),
    /** Cancels the appointment for the shop and tells the customer, with a button to book again. */
    cancelForShop: fromPromise<Delivery, { appointmentId: string }>(async () => engineProvides('cancelForShop')),
    /** Asks the customer to move the appointment, with buttons to move or cancel it themselves. */
    askToMove: fromPromise<Delivery, { appointmentId: string }>(async () => engineProvides('askToMove')),
    /** The asked-for time as instants within the day's opening hours, and the appointments inside it. */
    checkBlock: fromPromise<{ block: ResolvedBlock; affected: AgendaEntry[] }, { request: BlockRequest }>(async () =>
      engineProvides('checkBlock'),
    ),
    /** Writes the blocked time; cancels the appointments named, telling each customer. */
    blockTime: fromPromise<
      { cancelled: number; notTold: number },
      { block: ResolvedBlock; wholeShop: boolean; cancel: string[] }
    >(async () => engineProvides('blockTime')),
    /**
     * Writes to the customer's booking history that they did not come; answers how many no-shows
     * they now have in the shop's window (none when the shop does not count them).
     */
    recordNoShow: fromPromise<{ noShows?: number }, { appointmentId: string }>(async () =>
      engineProvides('recordNoShow'),
    ),
    /** Gives the customer back to the bot; answers whether a person had them. */
    handBack: fromPromise<boolean, { phone: string }>(async () => engineProvides('handBack')),
    /** Switches this phone's notices of bookings on or off. */
    setNotices: fromPromise<boolean, { on: boolean }>(async () => engineProvides('setNotices')),
  },
  guards: {
    isInAgenda: ({ context, event }) =>
      event.type === 'PICK_APPOINTMENT' && context.agenda.some((entry) => entry.id === event.appointmentId),
    agendaHasPages: ({ context }) => agendaPages(context) > 1,
    // Nobody can have missed an appointment that has not begun; the time comes in with the message.
    pickedHasStarted: ({ context }) => {
      const picked = pickedAppointment(context);
      return picked !== undefined && Date.parse(picked.start) <= Date.parse(context.receivedAt ?? '');
    },
    nothingInside: ({ event }) =>
      'output' in event && (event.output as { affected: AgendaEntry[] }).affected.length === 0,
  },
  actions: {
    forgetLastTurn: assign(({ context, event }) => ({
      notes: [] as StaffNote[],
      receivedAt: event.type === 'MESSAGE_RECEIVED' ? event.at : context.receivedAt,
    })),
    note: assign(({ context }, note: StaffNote) => ({ notes: [...context.notes, note] })),
    switchLanguage: assign(({ context, event }) =>
      event.type === 'SET_LANGUAGE' && event.language !== context.language
        ? { language: event.language, notes: [...context.notes, { kind: 'languageChanged' } as StaffNote] }
        : {},
    ),
    leaveAlone: assign(leftAlone),
    rememberDate: assign(({ event }) => (event.type === 'SHOW_AGENDA' ? { date: event.date, agendaPage: 0 } : {})),
    // The day read again after a cancellation stays on its page, or the last one if it has shrunk.
    keepAgenda: assign(({ context, event }) => {
      if (!('output' in event)) return {};
      const agenda = event.output as AgendaEntry[];
      return { agenda, agendaPage: Math.min(context.agendaPage, agendaPages({ agenda }) - 1) };
    }),
    // Past the last page the agenda starts again from the first.
    turnAgendaPage: assign(({ context }) => ({ agendaPage: (context.agendaPage + 1) % agendaPages(context) })),
    pickAppointment: assign(({ event }) =>
      event.type === 'PICK_APPOINTMENT' ? { pickedId: event.appointmentId } : {},
    ),
    rememberBlock: assign(({ event }) => {
      if (event.type !== 'BLOCK_TIME') return {};
      const { type: _, ...request } = event;
      return { ...leftAlone, block: request };
    }),
    keepBlockCheck: assign(({ event }) => {
      const { block, affected } = (event as unknown as { output: { block: ResolvedBlock; affected: AgendaEntry[] } })
        .output;
      return { resolvedBlock: block, affected };
    }),
    cancelInside: assign({ cancelAffected: true }),
    rememberHandBack: assign(({ event }) => (event.type === 'HAND_BACK' ? { handBackPhone: event.phone } : {})),
    rememberNotices: assign(({ event }) => (event.type === 'SET_NOTICES' ? { noticesOn: event.on } : {})),
  },
}).createMachine({
  id: 'staff',
  context: ({ input }) => ({ ...input, ...leftAlone, agenda: [], agendaPage: 0, notes: [] }),
  initial: 'menu',
  // Commands work from any step: the staff member is never stuck in a question.
  on: {
    MESSAGE_RECEIVED: { actions: 'forgetLastTurn' },
    HELP: { target: '.menu', actions: ['leaveAlone', { type: 'note', params: { kind: 'help' } }] },
    NOT_UNDERSTOOD: { actions: { type: 'note', params: { kind: 'notUnderstood' } } },
    SET_LANGUAGE: { actions: 'switchLanguage' },
    SHOW_AGENDA: { target: '.lookingUpAgenda', actions: ['leaveAlone', 'rememberDate'] },
    BLOCK_TIME: { target: '.checkingBlock', actions: 'rememberBlock' },
    HAND_BACK: { target: '.handingBack', actions: ['leaveAlone', 'rememberHandBack'] },
    SET_NOTICES: { target: '.settingNotices', actions: ['leaveAlone', 'rememberNotices'] },
  },
  states: {
    /** Nothing in progress: the staff member's shortcuts. */
    menu: {
      on: { BACK: { actions: 'leaveAlone' } },
    },

    /** Reading the day's appointments from the calendar. */
    lookingUpAgenda: {
      tags: [BUSY],
      invoke: {
        src: 'findAgenda',
        input: ({ context }) => ({ date: context.date! }),
        onDone: { target: 'showingAgenda', actions: 'keepAgenda' },
        onError: { target: 'menu', actions: { type: 'note', params: { kind: 'agendaUnknown' } } },
      },
    },

    /** The day's appointments, one row each, a page at a time: tapping one acts on it. */
    showingAgenda: {
      on: {
        PICK_APPOINTMENT: { guard: 'isInAgenda', target: 'choosingAction', actions: 'pickAppointment' },
        MORE_APPOINTMENTS: { guard: 'agendaHasPages', actions: 'turnAgendaPage' },
        BACK: { target: 'menu', actions: 'leaveAlone' },
      },
    },

    /** One appointment: what to do with it. */
    choosingAction: {
      on: {
        CANCEL_APPOINTMENT: { target: 'confirmingCancellation' },
        ASK_TO_MOVE: { target: 'askingToMove' },
        MARK_NO_SHOW: [
          { guard: 'pickedHasStarted', target: 'confirmingNoShow' },
          { actions: { type: 'note', params: { kind: 'noShowTooEarly' } } },
        ],
        BACK: { target: 'showingAgenda', actions: 'leaveAlone' },
      },
    },

    /** Marking a customer as not come counts against them: asked once more. */
    confirmingNoShow: {
      on: {
        CONFIRM: { target: 'markingNoShow' },
        BACK: { target: 'showingAgenda', actions: 'leaveAlone' },
      },
    },

    /** Writing the no-show to the customer's booking history. */
    markingNoShow: {
      tags: [BUSY],
      invoke: {
        src: 'recordNoShow',
        input: ({ context }) => ({ appointmentId: context.pickedId! }),
        onDone: {
          target: 'showingAgenda',
          actions: [
            {
              type: 'note',
              params: ({ context, event }) => ({
                kind: 'noShowMarked',
                customer: pickedAppointment(context)?.customerName ?? '',
                ...(event.output.noShows !== undefined && { noShows: event.output.noShows }),
              }),
            },
            'leaveAlone',
          ],
        },
        onError: {
          target: 'showingAgenda',
          actions: [{ type: 'note', params: { kind: 'noShowNotMarked' } }, 'leaveAlone'],
        },
      },
    },

    /** Writing to the customer that the shop needs their appointment moved. */
    askingToMove: {
      tags: [BUSY],
      invoke: {
        src: 'askToMove',
        input: ({ context }) => ({ appointmentId: context.pickedId! }),
        onDone: {
          target: 'showingAgenda',
          actions: [
            {
              type: 'note',
              params: ({ context, event }) => ({
                kind: 'moveAsked',
                customer: pickedAppointment(context)?.customerName ?? '',
                delivery: event.output,
              }),
            },
            'leaveAlone',
          ],
        },
        onError: {
          target: 'showingAgenda',
          actions: [{ type: 'note', params: { kind: 'moveAskFailed' } }, 'leaveAlone'],
        },
      },
    },

    /** Cancelling is asked once more: the customer will be told. */
    confirmingCancellation: {
      on: {
        CONFIRM: { target: 'cancellingAppointment' },
        BACK: { target: 'showingAgenda', actions: 'leaveAlone' },
      },
    },

    /** Deleting the appointment and telling the customer. */
    cancellingAppointment: {
      tags: [BUSY],
      invoke: {
        src: 'cancelForShop',
        input: ({ context }) => ({ appointmentId: context.pickedId! }),
        onDone: {
          // The day is read again, so the agenda shown is the calendar's, not a guess.
          target: 'lookingUpAgenda',
          actions: [
            {
              type: 'note',
              params: ({ context, event }) => ({
                kind: 'appointmentCancelled',
                customer: pickedAppointment(context)?.customerName ?? '',
                delivery: event.output,
              }),
            },
            'leaveAlone',
          ],
        },
        onError: {
          target: 'showingAgenda',
          actions: [{ type: 'note', params: { kind: 'cancelFailed' } }, 'leaveAlone'],
        },
      },
    },

    /** Working out the asked-for time and whether appointments fall inside it. */
    checkingBlock: {
      tags: [BUSY],
      invoke: {
        src: 'checkBlock',
        input: ({ context }) => ({ request: context.block! }),
        onDone: [
          { guard: 'nothingInside', target: 'confirmingBlock', actions: 'keepBlockCheck' },
          { target: 'decidingBlock', actions: 'keepBlockCheck' },
        ],
        // A closed day, or "de 16 a 15": nothing to block.
        onError: { target: 'menu', actions: [{ type: 'note', params: { kind: 'blockNotPossible' } }, 'leaveAlone'] },
      },
    },

    /**
     * Nothing is booked inside the time: blocking it is asked once more, since customers can no
     * longer book it. The staff member's tap (or their "sí") blocks; whoever read the command.
     */
    confirmingBlock: {
      on: {
        CONFIRM: { target: 'blockingTime' },
        BACK: { target: 'menu', actions: 'leaveAlone' },
      },
    },

    /** Appointments fall inside the time: keep them, or cancel them and tell each customer. */
    decidingBlock: {
      on: {
        KEEP_APPOINTMENTS: { target: 'blockingTime' },
        CANCEL_APPOINTMENTS: { target: 'blockingTime', actions: 'cancelInside' },
        BACK: { target: 'menu', actions: 'leaveAlone' },
      },
    },

    /** Writing the blocked time (and cancelling what was chosen). */
    blockingTime: {
      tags: [BUSY],
      invoke: {
        src: 'blockTime',
        input: ({ context }) => ({
          block: context.resolvedBlock!,
          wholeShop: context.block?.wholeShop === true && context.role === 'owner',
          cancel: context.cancelAffected ? context.affected.map((entry) => entry.id) : [],
        }),
        onDone: {
          target: 'menu',
          actions: [
            {
              type: 'note',
              params: ({ context, event }) => ({
                kind: 'timeBlocked',
                block: context.resolvedBlock!,
                cancelled: event.output.cancelled,
                notTold: event.output.notTold,
              }),
            },
            'leaveAlone',
          ],
        },
        onError: { target: 'menu', actions: [{ type: 'note', params: { kind: 'blockFailed' } }, 'leaveAlone'] },
      },
    },

    /** Giving a customer back to the bot. */
    handingBack: {
      tags: [BUSY],
      invoke: {
        src: 'handBack',
        input: ({ context }) => ({ phone: context.handBackPhone! }),
        onDone: {
          target: 'menu',
          actions: [
            { type: 'note', params: ({ event }) => ({ kind: 'handedBack', wasWithStaff: event.output }) },
            'leaveAlone',
          ],
        },
        onError: { target: 'menu', actions: [{ type: 'note', params: { kind: 'handBackFailed' } }, 'leaveAlone'] },
      },
    },

    /** Switching this phone's notices. */
    settingNotices: {
      tags: [BUSY],
      invoke: {
        src: 'setNotices',
        input: ({ context }) => ({ on: context.noticesOn ?? true }),
        onDone: {
          target: 'menu',
          actions: { type: 'note', params: ({ event }) => ({ kind: 'noticesSet', on: event.output }) },
        },
        onError: { target: 'menu', actions: { type: 'note', params: { kind: 'noticesNotSet' } } },
      },
    },
  },
});

export type StaffMachine = typeof staffMachine;
