import { DateTime } from 'luxon';
import { getNextTransitions } from 'xstate';
import { ANY_BARBER, addDays, shopToday } from '../../config/schema.ts';
import { type Booking, BookingFailure, type Hold, type Slot } from '../../machines/booking.context.ts';
import { type BookingEvent, CustomerEvent, InfoTopic, StepToChange } from '../../machines/events.ts';
import { CalendarUnavailable, type WaitlistEntry, type WaitlistOffer } from '../engine/ports.ts';
import { knownAppointments, type ModelSnapshot, runningActors } from './model.ts';
import { availabilityOf, barberForAnyone, groupHoldOf, type Scenario, wholeDay } from './scenario.ts';
import type { Arrangement } from './world.ts';

/**
 * The event generator for @xstate/graph. The machine says which event types a state takes (its
 * transitions and invocations); these tables say which payloads of each type are worth trying.
 * A type the tables do not know stops generation with its name: a new event or actor must be
 * given payloads (and a way for a customer or the world to cause it) before paths are trusted.
 */

/** An event the generator offers, named for the plans and the coverage of payload variants. */
export interface Candidate {
  event: BookingEvent | ActorOutcomeEvent;
  /** "PICK_DATE closed day", "holdSlot → slot taken". */
  label: string;
  /** For an actor outcome: the actor and what the world must do while it runs. */
  actor?: string;
  arrange?: Arrangement;
}

export type ActorOutcomeEvent =
  | { type: `xstate.done.actor.${string}`; output: unknown; actorId: string }
  | { type: `xstate.error.actor.${string}`; error: unknown; actorId: string };

type PayloadsFor = (snapshot: ModelSnapshot, scenario: Scenario) => BookingEvent[];

/**
 * Steps where only some event types are tried, and why. At a chain's location question every other
 * event (a service, a day, a barber said first) takes the same root transitions the one-shop paths
 * take, and leaves the customer at the same question with one more thing remembered: trying them
 * all there would multiply the model by what can be remembered, and cover nothing new. A customer
 * who says the service first still has a path (from the greeting, through the location question).
 */
export const ONLY_AT: Record<string, { types: readonly string[]; why: string }> = {
  choosingLocation: { types: ['SELECT_LOCATION'], why: 'the location step is walked by its own way out' },
};

function offeredAt(snapshot: ModelSnapshot, type: string): boolean {
  const only = ONLY_AT[String(snapshot.value)];
  return only === undefined || only.types.includes(type);
}

/** Engine events that are not a step of a path, and why. */
export const NOT_A_STEP: Partial<Record<BookingEvent['type'], string>> = {
  MESSAGE_RECEIVED: 'the engine opens every message with it; each turn of a script replays it before the step',
};

const none: PayloadsFor = () => [];
const bare =
  <T extends BookingEvent['type']>(type: T): PayloadsFor =>
  () => [{ type } as BookingEvent];

/** Payloads per event type. `satisfies` makes a new event type a compile error here. */
export const PAYLOADS = {
  MESSAGE_RECEIVED: none,
  NOT_UNDERSTOOD: bare('NOT_UNDERSTOOD'),
  GREET: bare('GREET'),
  SELECT_SERVICE: (_s, { serviceId, unknownServiceId, partlyOffered, notAtFirstLocation }) => [
    { type: 'SELECT_SERVICE', serviceId },
    { type: 'SELECT_SERVICE', serviceId: unknownServiceId },
    ...(notAtFirstLocation ? [{ type: 'SELECT_SERVICE' as const, serviceId: notAtFirstLocation }] : []),
    ...(partlyOffered ? [{ type: 'SELECT_SERVICE' as const, serviceId: partlyOffered.serviceId }] : []),
  ],
  // Two people for the scenario's service ("dos cortes").
  SELECT_SERVICES: (_s, { serviceId }) => [{ type: 'SELECT_SERVICES', serviceIds: [serviceId, serviceId] }],
  // Anyone, the first barber, and one the shop does not have (a stale list row); none without barbers.
  SELECT_BARBER: (_s, { shop, partlyOffered }) =>
    shop.barbers.length === 0
      ? []
      : [ANY_BARBER, shop.barbers[0].id, ...(partlyOffered ? [partlyOffered.barberId] : []), UNKNOWN_BARBER].map(
          (barberId) => ({ type: 'SELECT_BARBER', barberId }),
        ),
  // A chain's first location; the other as a correction at the confirmation (the same transition
  // from any step); one it does not have (a stale row) where the locations are listed. None for one
  // shop. Each location's steps are the one-shop steps again: walking them from every step of the
  // other would double the model and cover nothing new.
  SELECT_LOCATION: (snapshot, { shop }) => {
    const ids = (shop.locations ?? []).map((location) => location.id);
    if (ids.length < 2) return [];
    const { locationId } = snapshot.context;
    const next =
      locationId === undefined ? ids[0] : locationId === ids[0] && snapshot.matches('confirming') ? ids[1] : undefined;
    const stale = snapshot.matches('choosingLocation') ? [UNKNOWN_LOCATION] : [];
    return [...(next ? [next] : []), ...stale].map((id) => ({ type: 'SELECT_LOCATION', locationId: id }));
  },
  PICK_DATE: (_s, { dates }) => Object.values(dates).map((date) => ({ type: 'PICK_DATE', date })),
  // A weekday said on that weekday: today or a week from today.
  UNCLEAR_DATE: (_s, { shop, now }) => {
    const today = shopToday(shop, new Date(now));
    return [{ type: 'UNCLEAR_DATE', dates: [today, addDays(today, 7)] }];
  },
  PICK_TIME: ({ context }, { times }) => {
    const offered = context.slots.some((slot) => slot.time === times.free) ? times.free : context.slots[0]?.time;
    return [offered ?? times.free, times.notFree].map((time) => ({ type: 'PICK_TIME', time }));
  },
  PICK_PART_OF_DAY: () => [{ type: 'PICK_PART_OF_DAY', from: '16:00', to: '20:00' }],
  MORE_TIMES: bare('MORE_TIMES'),
  MORE_SERVICES: bare('MORE_SERVICES'),
  CONFIRM: bare('CONFIRM'),
  CHANGE: () => StepToChange.options.map((step) => ({ type: 'CHANGE', step })),
  BACK: bare('BACK'),
  CANCEL: bare('CANCEL'),
  RESTART: bare('RESTART'),
  BOOK_ANOTHER: bare('BOOK_ANOTHER'),
  // The FAQ is asked about one of the shop's entries.
  ASK_INFO: (_s, { shop }) =>
    InfoTopic.options.map((topic) =>
      topic === 'faq' && shop.faq[0] ? { type: 'ASK_INFO', topic, faqId: shop.faq[0].id } : { type: 'ASK_INFO', topic },
    ),
  SET_LANGUAGE: (_s, { shop }) => shop.languages.supported.map((language) => ({ type: 'SET_LANGUAGE', language })),
  HELP: bare('HELP'),
  THANKS: bare('THANKS'),
  MY_APPOINTMENTS: bare('MY_APPOINTMENTS'),
  // Typed ("cancelar mi cita") or a reminder's button, which names the appointment.
  CANCEL_BOOKING: (snapshot) => [
    { type: 'CANCEL_BOOKING' },
    ...knownAppointments(snapshot)
      .slice(0, 1)
      .map((b) => ({ type: 'CANCEL_BOOKING' as const, bookingId: b.id })),
  ],
  MOVE_BOOKING: (snapshot) => [
    { type: 'MOVE_BOOKING' },
    ...knownAppointments(snapshot)
      .slice(0, 1)
      .map((b) => ({ type: 'MOVE_BOOKING' as const, bookingId: b.id })),
  ],
  SELECT_BOOKING: ({ context }, { foreignBookingId }) => [
    ...context.bookings.map((b) => ({ type: 'SELECT_BOOKING' as const, bookingId: b.id })),
    { type: 'SELECT_BOOKING', bookingId: foreignBookingId },
  ],
  // A reminder is only sent for an appointment the customer has.
  CONFIRM_ATTENDANCE: (snapshot) =>
    knownAppointments(snapshot).map((b) => ({ type: 'CONFIRM_ATTENDANCE' as const, bookingId: b.id })),
  ASK_FOR_PERSON: bare('ASK_FOR_PERSON'),
  // A staff member's hand-back, queued in the customer's inbox (src/qa/phrases.ts sends it as such).
  HANDED_BACK: bare('HANDED_BACK'),
  // An echo of the shop writing from the WhatsApp Business app, queued in the customer's inbox.
  STAFF_WROTE: (_s, scenario) => [{ type: 'STAFF_WROTE', at: scenario.now }],
  JOIN_WAITLIST: bare('JOIN_WAITLIST'),
  STOP_MESSAGES: bare('STOP_MESSAGES'),
  // The buttons of an offer cita sent (src/waitlist/offers.ts), which name it.
  TAKE_WAITLIST_OFFER: () => [{ type: 'TAKE_WAITLIST_OFFER', offerId: QA_OFFER_ID }],
  DECLINE_WAITLIST_OFFER: () => [{ type: 'DECLINE_WAITLIST_OFFER', offerId: QA_OFFER_ID }],
  LEAVE_WAITLIST: ({ context }) =>
    (context.waitlist ?? []).map((wish) => ({ type: 'LEAVE_WAITLIST' as const, date: wish.date })),
} satisfies Record<BookingEvent['type'], PayloadsFor>;

/** The ids the model gives a group's other appointments booked in the conversation. */
export function bookedHereCompanion(i: number): string {
  return `qabookedcompanion${i}`.padEnd(32, '0');
}

/** The id of the freed time the paths' customer is offered. */
export const QA_OFFER_ID = 'qaoffer000000001';

/** The freed time held for the paths' customer: the free time of the free day, held from "now". */
function offerOf(scenario: Scenario): { offer: WaitlistOffer; entry: Omit<WaitlistEntry, 'offer'> } {
  const { shop, now, serviceId, dates, times, phone } = scenario;
  const slot = availabilityOf(scenario, { serviceId, date: dates.free, now, busy: [] }).slots.find(
    (s) => s.time === times.free,
  )!;
  const chair = barberForAnyone(scenario, { serviceId, date: slot.date, time: slot.time, now, busy: [] });
  const expiresAt = DateTime.fromISO(now).plus({ minutes: shop.booking.waitlistHoldMinutes }).toUTC().toISO()!;
  return {
    entry: { phone, date: dates.free, serviceId, joinedAt: now },
    offer: {
      id: QA_OFFER_ID,
      serviceId,
      slot,
      holdToken: 'qa-offer-hold',
      expiresAt,
      ...(chair !== undefined && { barberId: chair }),
    },
  };
}

/** A location id no chain has: a list row from before the location closed. */
export const UNKNOWN_LOCATION = 'former-location';

/** A barber id no shop config has: a list row from before the barber left. */
export const UNKNOWN_BARBER = 'former-barber';

/** The id the model gives an appointment booked in the conversation; the engine's is a hash with a random token. */
export const BOOKED_HERE = 'qabookedhere00000000000000000000';

type FreeSlotsInput = {
  locationId?: string;
  serviceId: string;
  date: string;
  moving?: Booking;
  barberId?: string;
  wantedTime?: string;
  companions?: string[];
};
type Outcome = { output: unknown } | { error: unknown };
type OutcomeRow = { outcome: Outcome; label: string; arrange?: Arrangement };
// biome-ignore lint/suspicious/noExplicitAny: each row reads the input its own actor is invoked with.
type OutcomesFor = (input: any, snapshot: ModelSnapshot, scenario: Scenario) => OutcomeRow[];

const calendarDown: OutcomeRow = {
  outcome: { error: new CalendarUnavailable('calendar down') },
  label: 'calendar down',
  arrange: { kind: 'calendarDown' },
};

/** One minute inside the notice before `start`: the moment a last check must refuse it. */
function insideNotice(start: string, noticeMinutes: number): string {
  return DateTime.fromISO(start)
    .minus({ minutes: noticeMinutes - 1 })
    .toUTC()
    .toISO()!;
}

/** What each invoked actor can answer, by the name `setup` gives it, and how the world makes it so. */
export const OUTCOMES: Record<string, OutcomesFor> = {
  findFreeSlots: (input: FreeSlotsInput, snapshot, scenario) => {
    const search = { ...input, now: snapshot.context.receivedAt ?? scenario.now, busy: [] };
    const offline = availabilityOf(scenario, { ...search, barberId: undefined, wantedTime: undefined });
    // A closed, past or too-far day is answered without the calendar: nothing to arrange.
    if (offline.reason && offline.reason !== 'full') return [{ outcome: { output: offline }, label: offline.reason }];
    const busy = knownAppointments(snapshot).filter((b) => b.id !== input.moving?.id);
    const named = input.barberId !== undefined && input.barberId !== ANY_BARBER;
    const free = availabilityOf(scenario, { ...search, busy });
    // The barber asked for is busy at the time wanted (an appointment of theirs there), the others are not.
    const barberBusy: OutcomeRow[] = [];
    if (
      named &&
      !input.companions?.length &&
      input.wantedTime &&
      free.slots.some((slot) => slot.time === input.wantedTime)
    ) {
      const slot = free.slots.find((s) => s.time === input.wantedTime)!;
      const theirs = { start: slot.start, end: slot.end, barberId: input.barberId };
      const output = availabilityOf(scenario, { ...search, busy: [...busy, theirs] });
      if (output.othersFreeAt) {
        barberBusy.push({
          outcome: { output },
          label: 'barber busy then, others free',
          arrange: { kind: 'barberBusy', interval: theirs },
        });
      }
    }
    // "Por la tarde" and the afternoon taken, the morning free.
    const partFull: OutcomeRow[] = [];
    const part = snapshot.context.wantedPartOfDay;
    if (part && !input.companions?.length) {
      const at = (time: string) =>
        DateTime.fromISO(`${input.date}T${time}`, { zone: scenario.shop.timezone }).toUTC().toISO()!;
      const interval = { start: at(part.from), end: at(part.to) };
      const output = availabilityOf(scenario, { ...search, busy: [...busy, interval] });
      if (output.slots.length > 0 && output.slots.every((s) => s.time < part.from || s.time >= part.to)) {
        partFull.push({
          outcome: { output },
          label: 'part of the day full',
          arrange: { kind: 'busyBetween', interval },
        });
      }
    }
    return [
      { outcome: { output: free }, label: 'free slots' },
      ...barberBusy,
      ...partFull,
      {
        outcome: {
          output: availabilityOf(scenario, { ...search, busy: [...busy, wholeDay(scenario.shop, input.date)] }),
        },
        label: 'day full',
        arrange: { kind: 'calendarFull', date: input.date },
      },
      calendarDown,
    ];
  },
  holdSlot: (
    {
      slot,
      serviceId,
      barberId,
      companions,
      locationId,
    }: { slot: Slot; serviceId: string; barberId?: string; companions?: string[]; locationId?: string },
    snapshot,
    scenario,
  ) => {
    const { shop, now } = scenario;
    const expiresAt = DateTime.fromISO(snapshot.context.receivedAt ?? now)
      .plus({ minutes: shop.booking.holdMinutes })
      .toUTC()
      .toISO()!;
    const group = companions?.length
      ? groupHoldOf(scenario, {
          serviceIds: [serviceId, ...companions],
          slot,
          barberId,
          now: snapshot.context.receivedAt ?? now,
          busy: knownAppointments(snapshot),
          expiresAt,
          locationId,
        })
      : undefined;
    const chair = barberForAnyone(scenario, {
      serviceId,
      date: slot.date,
      time: slot.time,
      now: snapshot.context.receivedAt ?? now,
      busy: knownAppointments(snapshot),
      barberId,
      locationId,
    });
    const hold: Hold = group ?? { token: 'qa-hold', slot, expiresAt, ...(chair !== undefined && { barberId: chair }) };
    return [
      { outcome: { output: hold }, label: 'held' },
      {
        outcome: { error: new BookingFailure('slotTaken') },
        label: 'slot taken',
        arrange: { kind: 'slotHeldByOther' },
      },
      { outcome: { error: new Error('holds down') }, label: 'holds down', arrange: { kind: 'holdsDown' } },
    ];
  },
  bookAppointment: ({ serviceId, hold, moving }: { serviceId: string; hold: Hold; moving?: Booking }, _s, { shop }) => {
    const booking: Booking = {
      id: moving?.id ?? BOOKED_HERE,
      serviceId,
      start: hold.slot.start,
      end: hold.slot.end,
      ...(moving && { moved: true }),
      ...(hold.barberId !== undefined && { barberId: hold.barberId }),
      ...(hold.companions?.length &&
        !moving && {
          companions: hold.companions.map((c, i) => ({
            id: bookedHereCompanion(i + 1),
            serviceId: c.serviceId,
            start: c.slot.start,
            end: c.slot.end,
            ...(c.barberId !== undefined && { barberId: c.barberId }),
          })),
        }),
    };
    return [
      { outcome: { output: booking }, label: moving ? 'moved' : 'booked' },
      {
        outcome: { error: new BookingFailure('slotTaken') },
        label: 'slot taken at the final check',
        arrange: { kind: 'slotHeldByOther' },
      },
      {
        outcome: { error: new BookingFailure('tooLate') },
        label: 'too late',
        arrange: { kind: 'clockAt', at: insideNotice(hold.slot.start, shop.booking.minimumNoticeMinutes) },
      },
      // A move keeps the appointment the shop already has; only a new booking goes to the staff.
      ...(moving || !shop.noShows
        ? []
        : [
            {
              outcome: { error: new BookingFailure('staffBooks') },
              label: 'the staff book for this customer',
              arrange: { kind: 'missedAppointments' as const, count: shop.noShows.limit },
            },
          ]),
      calendarDown,
    ];
  },
  findUpcomingBookings: (_input: undefined, snapshot, { appointments }) => {
    const known = knownAppointments(snapshot).map(({ id, serviceId, start, end, barberId }) => ({
      id,
      serviceId,
      start,
      end,
      ...(barberId !== undefined && { barberId }),
    }));
    const lists: [string, Booking[]][] = known.length
      ? [['as booked', known]]
      : [
          ['none', []],
          ['one', [appointments.later]],
          ['two', [appointments.soon, appointments.later]],
        ];
    return [
      ...lists.map(([label, bookings]) => ({
        outcome: { output: bookings },
        label,
        ...(label === 'as booked' || bookings.length === 0 ? {} : { arrange: { kind: 'appointments', bookings } }),
      })),
      calendarDown,
    ] as OutcomeRow[];
  },
  cancelBooking: ({ booking }: { booking: Booking }, _s, { shop }) => [
    { outcome: { output: booking }, label: 'cancelled' },
    {
      outcome: { error: new BookingFailure('tooLateToCancel') },
      label: 'notice ran out',
      arrange: { kind: 'clockAt', at: insideNotice(booking.start, shop.booking.cancellationNoticeMinutes) },
    },
    calendarDown,
  ],
  recordAttendance: () => [{ outcome: { output: undefined }, label: 'recorded' }, calendarDown],
  joinWaitlist: () => [{ outcome: { output: undefined }, label: 'joined' }, waitlistDown],
  findWaitlistEntries: (_input: undefined, _s, scenario) => {
    const { entry } = offerOf(scenario);
    return [
      // Arranged as well: a day the customer failed to leave earlier in the path is still in the world.
      { outcome: { output: [] }, label: 'none', arrange: { kind: 'waitlisted', entries: [] } },
      {
        outcome: { output: [{ date: entry.date, serviceId: entry.serviceId }] },
        label: 'one day',
        arrange: { kind: 'waitlisted', entries: [entry] },
      },
      waitlistDown,
    ];
  },
  leaveWaitlist: ({ date }: { date: string }) => [{ outcome: { output: { date } }, label: 'left' }, waitlistDown],
  takeWaitlistOffer: (_input: { offerId: string }, _s, scenario) => {
    const { offer, entry } = offerOf(scenario);
    const hold: Hold = {
      token: offer.holdToken,
      slot: offer.slot as Slot,
      expiresAt: offer.expiresAt,
      ...(offer.barberId !== undefined && { barberId: offer.barberId }),
    };
    return [
      {
        outcome: { output: { serviceId: offer.serviceId, hold } },
        label: 'still held',
        arrange: { kind: 'waitlistOffer', entry, offer },
      },
      // Nothing arranged: the world has no such offer (it expired, or went to the next customer).
      { outcome: { error: new BookingFailure('slotTaken') }, label: 'gone' },
    ];
  },
  declineWaitlistOffer: () => [{ outcome: { output: undefined }, label: 'declined' }, waitlistDown],
  optOut: () => [
    { outcome: { output: undefined }, label: 'recorded' },
    { outcome: { error: new Error('opt-outs down') }, label: 'opt-outs down', arrange: { kind: 'optOutsDown' } },
  ],
};

const waitlistDown: OutcomeRow = {
  outcome: { error: new Error('waitlist down') },
  label: 'waitlist down',
  arrange: { kind: 'waitlistDown' },
};

/**
 * Every event worth trying in a state. While an actor runs, only its outcomes: the engine waits
 * for it before reading anything else. At rest, each event type the state has a transition for,
 * with the table's payloads, minus those the engine would not send (`snapshot.can` is false).
 */
export function candidatesFor(snapshot: ModelSnapshot, scenario: Scenario): Candidate[] {
  const running = runningActors(snapshot);
  if (running.length > 0) return running.flatMap((actor) => outcomesOf(actor, snapshot, scenario));

  const types = new Set(getNextTransitions(snapshot).map((transition) => transition.eventType));
  const candidates: Candidate[] = [];
  for (const type of types) {
    // `withStaff` takes anything with "*"; the events of the other steps already try what it catches.
    if (type === '' || type.startsWith('xstate.') || type === '*') continue;
    const payloads = (PAYLOADS as Record<string, PayloadsFor>)[type];
    if (!payloads) {
      throw new Error(
        `the path generator has no payloads for ${type}: add it to PAYLOADS in src/qa/events.ts (and a way to say it in src/qa/phrases.ts)`,
      );
    }
    if (type in NOT_A_STEP) continue;
    if (!offeredAt(snapshot, type)) continue;
    for (const event of payloads(snapshot, scenario)) {
      const fromEngine =
        event.type === 'NOT_UNDERSTOOD' || event.type === 'HANDED_BACK' || event.type === 'STAFF_WROTE';
      if (!fromEngine) CustomerEvent.parse(event);
      // The engine sends NOT_UNDERSTOOD without asking; a customer event only when the state can take it.
      if (event.type === 'NOT_UNDERSTOOD' || snapshot.can(event))
        candidates.push({ event, label: labelOf(event, scenario) });
    }
  }
  return candidates;
}

function outcomesOf(actor: { id: string; src: string; input: unknown }, snapshot: ModelSnapshot, scenario: Scenario) {
  const outcomes = OUTCOMES[actor.src];
  if (!outcomes) {
    throw new Error(
      `the path generator does not know the actor ${actor.src}: add its outputs and errors to OUTCOMES in src/qa/events.ts`,
    );
  }
  return outcomes(actor.input, snapshot, scenario).map(
    ({ outcome, label, arrange }): Candidate => ({
      event:
        'output' in outcome
          ? { type: `xstate.done.actor.${actor.id}`, output: outcome.output, actorId: actor.id }
          : { type: `xstate.error.actor.${actor.id}`, error: outcome.error, actorId: actor.id },
      label: `${actor.src} → ${label}`,
      actor: actor.src,
      ...(arrange && { arrange }),
    }),
  );
}

/** "PICK_DATE closed", "SELECT_BOOKING later": payloads named by what they mean in the scenario. */
function labelOf(
  event: BookingEvent,
  { dates, times, serviceId, appointments, foreignBookingId, partlyOffered, shop, notAtFirstLocation }: Scenario,
): string {
  const names = new Map<unknown, string>([
    ...Object.entries(dates).map(([name, date]): [string, string] => [date, `${name} day`]),
    [times.free, 'free time'],
    [times.notFree, 'time not free'],
    [serviceId, 'offered service'],
    [appointments.later.id, 'later appointment'],
    [appointments.soon.id, 'appointment inside the notice'],
    [foreignBookingId, 'not their appointment'],
    [BOOKED_HERE, 'appointment booked here'],
    [ANY_BARBER, 'anyone'],
    ...(partlyOffered
      ? ([
          [partlyOffered.serviceId, 'service not every barber does'],
          [partlyOffered.barberId, 'barber who does not do it'],
        ] as [string, string][])
      : []),
    [UNKNOWN_BARBER, 'barber the shop does not have'],
    ...(shop.locations ?? [])
      .slice(0, 2)
      .map((l, i): [string, string] => [l.id, i === 0 ? 'first location' : 'other location']),
    [UNKNOWN_LOCATION, 'location the chain does not have'],
    ...(notAtFirstLocation
      ? ([[notAtFirstLocation, 'service the first location does not do']] as [string, string][])
      : []),
  ]);
  const { type, ...payload } = event;
  const values = Object.values(payload).map(
    (value) => names.get(value) ?? (type === 'PICK_TIME' ? 'offered time' : value),
  );
  return values.length ? `${type} ${values.join(' ')}` : type;
}

/** Event identity for the graph: errors are written with their reason, which JSON would drop. */
export function serializeCandidateEvent(event: { type: string }): string {
  return JSON.stringify(event, (_key, value) =>
    value instanceof Error ? { ...value, error: value.constructor.name, message: value.message } : value,
  );
}
