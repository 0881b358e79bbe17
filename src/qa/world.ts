import type { InspectionEvent } from 'xstate';
import { SqliteCalendar } from '../../adapters/sqlite/calendar.ts';
import { openDatabase } from '../../adapters/sqlite/database.ts';
import { SqliteBookingHistory } from '../../adapters/sqlite/history.ts';
import { SqliteSlotHolds } from '../../adapters/sqlite/holds.ts';
import { SqliteOptOuts } from '../../adapters/sqlite/opt-outs.ts';
import { SqliteWaitlist } from '../../adapters/sqlite/waitlist.ts';
import type { Booking } from '../../machines/booking.context.ts';
import {
  type Appointment,
  type BookingHistory,
  type Calendar,
  CalendarUnavailable,
  type HeldSlot,
  type HistoryEntry,
  type Interval,
  type OptOuts,
  type SlotHolds,
  type Waitlist,
  type WaitlistEntry,
  type WaitlistOffer,
} from '../engine/ports.ts';
import { type Scenario, wholeDay } from './scenario.ts';

/**
 * How the world around the engine must be for an invoked actor to end the way a path says. Each
 * arrangement holds only while that one actor runs, so the rest of the path meets a normal shop;
 * `appointments` is the exception: it sets what the calendar holds for the customer from then on.
 */
export type Arrangement =
  | { kind: 'calendarFull'; date: string }
  | { kind: 'barberBusy'; interval: { start: string; end: string; barberId?: string } }
  | { kind: 'calendarDown' }
  | { kind: 'slotHeldByOther' }
  | { kind: 'holdsDown' }
  | { kind: 'clockAt'; at: string }
  | { kind: 'appointments'; bookings: Booking[] }
  | { kind: 'busyBetween'; interval: { start: string; end: string } }
  | { kind: 'waitlistDown' }
  | { kind: 'optOutsDown' }
  | { kind: 'waitlisted'; entries: Omit<WaitlistEntry, 'offer'>[] }
  | { kind: 'waitlistOffer'; entry: Omit<WaitlistEntry, 'offer'>; offer: WaitlistOffer }
  | { kind: 'missedAppointments'; count: number };

/** An arrangement in words, for the printed test plans. */
export function describeArrangement(arrangement: Arrangement): string {
  switch (arrangement.kind) {
    case 'calendarFull':
      return `the calendar is fully booked on ${arrangement.date}`;
    case 'barberBusy':
      return `${arrangement.interval.barberId} has an appointment at ${arrangement.interval.start}`;
    case 'calendarDown':
      return 'the calendar does not answer';
    case 'slotHeldByOther':
      return 'another customer is holding that slot';
    case 'holdsDown':
      return 'the slot holds store fails';
    case 'clockAt':
      return `the clock reads ${arrangement.at} while it runs`;
    case 'missedAppointments':
      return `the customer did not come to ${arrangement.count} appointment(s) lately`;
    case 'appointments':
      return arrangement.bookings.length
        ? `the customer has ${arrangement.bookings.length} appointment(s): ${arrangement.bookings.map((b) => b.start).join(', ')}`
        : 'the customer has no appointments';
    case 'busyBetween':
      return `every chair is busy from ${arrangement.interval.start} to ${arrangement.interval.end}`;
    case 'waitlistDown':
      return 'the waitlist store fails';
    case 'optOutsDown':
      return 'the opt-outs store fails';
    case 'waitlisted':
      return arrangement.entries.length === 0
        ? 'the customer waits on no day'
        : `the customer waits on ${arrangement.entries.map((e) => e.date).join(', ')}`;
    case 'waitlistOffer':
      return `a freed time (${arrangement.offer.slot.start}) is held for the customer`;
  }
}

/** One actor outcome a turn expects: which actor, and what the world does while it runs. */
export interface ExpectedActor {
  actor: string;
  arrange?: Arrangement;
}

/**
 * The embedded adapters with a hand on each: the path tests give these to createCita. The world
 * watches the engine's actors through the inspection hook and applies each arrangement as the
 * actor it belongs to starts, so no arrangement depends on the order of calls inside an actor.
 */
export function createWorld(scenario: Scenario) {
  let clockOverride: string | undefined;
  let active: Arrangement | undefined;
  let queue: ExpectedActor[] = [];
  let seeding: Promise<void> = Promise.resolve();
  const started: string[] = [];

  const clock = () => new Date(clockOverride ?? scenario.now);
  const database = openDatabase(':memory:');
  const local = new SqliteCalendar(database);
  // On the world's clock: a plan's late clock must also age the holds.
  const memoryHolds = new SqliteSlotHolds(database, { now: () => clock().getTime() });

  const calendarUp = async () => {
    await seeding;
    if (active?.kind === 'calendarDown') throw new CalendarUnavailable('the QA world has the calendar down');
  };

  const calendar: Calendar = {
    async busy(window: Interval) {
      await calendarUp();
      const busy = await local.busy(window);
      if (active?.kind === 'barberBusy' || active?.kind === 'busyBetween') return [...busy, active.interval];
      return active?.kind === 'calendarFull' ? [...busy, wholeDay(scenario.shop, active.date)] : busy;
    },
    async create(appointment: Appointment) {
      await calendarUp();
      return local.create(appointment);
    },
    async get(id: string) {
      await calendarUp();
      return local.get(id);
    },
    async cancel(id: string) {
      await calendarUp();
      return local.cancel(id);
    },
    async reschedule(appointment: Appointment) {
      await calendarUp();
      return local.reschedule(appointment);
    },
    async upcomingFor(phone: string, from: Date) {
      await calendarUp();
      return local.upcomingFor(phone, from);
    },
    async between(window: Interval) {
      await calendarUp();
      return local.between(window);
    },
    async block(block) {
      await calendarUp();
      return local.block(block);
    },
  };

  const holds: SlotHolds = {
    async acquire(hold: HeldSlot, ttlMs: number) {
      if (active?.kind === 'holdsDown') throw new Error('the QA world has the holds store down');
      if (active?.kind === 'slotHeldByOther') return false;
      return memoryHolds.acquire(hold, ttlMs);
    },
    release: (hold) => memoryHolds.release(hold),
    overlapping: (window) => memoryHolds.overlapping(window),
  };

  const storedWaitlist = new SqliteWaitlist(database);
  const waitlistUp = async () => {
    await seeding;
    if (active?.kind === 'waitlistDown') throw new Error('the QA world has the waitlist down');
  };
  // Every call waits for the world and fails while the waitlist is down.
  const waitlist = Object.fromEntries(
    (
      [
        'join',
        'entriesOf',
        'leave',
        'days',
        'waiting',
        'startOffer',
        'takeOffer',
        'endOffer',
        'lead',
        'stepDown',
      ] as const
    ).map((name) => [
      name,
      async (...args: unknown[]) => {
        await waitlistUp();
        return (storedWaitlist[name] as (...a: unknown[]) => Promise<unknown>).apply(storedWaitlist, args);
      },
    ]),
  ) as unknown as Waitlist;

  const storedOptOuts = new SqliteOptOuts(database);
  const optOuts: OptOuts = {
    async optOut(phone, at) {
      if (active?.kind === 'optOutsDown') throw new Error('the QA world has the opt-outs store down');
      return storedOptOuts.optOut(phone, at);
    },
    isOptedOut: (phone) => storedOptOuts.isOptedOut(phone),
    list: () => storedOptOuts.list(),
  };

  /** Makes the customer's waitlist exactly `entries` (an earlier turn may have left others). */
  async function seedWaitlist(entries: Omit<WaitlistEntry, 'offer'>[], offer?: WaitlistOffer) {
    for (const existing of await storedWaitlist.entriesOf(scenario.phone)) {
      if (!entries.some((entry) => entry.date === existing.date))
        await storedWaitlist.leave(scenario.phone, existing.date);
    }
    for (const entry of entries) {
      await storedWaitlist.join(entry);
      if (offer) await storedWaitlist.startOffer(entry.phone, entry.date, offer);
    }
  }

  // The customer's history as the shop's own store keeps it, with no-shows while they are arranged.
  const recorded = new SqliteBookingHistory(database);
  const history: BookingHistory = {
    record: (phone, entry) => recorded.record(phone, entry),
    async list(phone) {
      const entries = await recorded.list(phone);
      if (active?.kind !== 'missedAppointments') return entries;
      const missed = Array.from({ length: active.count }, (_, i): HistoryEntry => {
        const start = new Date(clock().getTime() - (i + 1) * 7 * 24 * 60 * 60_000).toISOString();
        return {
          bookingId: `qamissed${i}`,
          serviceId: scenario.serviceId,
          start,
          end: start,
          status: 'noShow',
          at: start,
        };
      });
      return [...entries, ...missed];
    },
  };

  /** Makes the customer's upcoming appointments exactly `bookings`. */
  async function seedAppointments(bookings: Booking[]) {
    for (const existing of await local.upcomingFor(scenario.phone, clock())) {
      if (!bookings.some((b) => b.id === existing.id)) await local.cancel(existing.id);
    }
    for (const booking of bookings) {
      const service = scenario.shop.services.find((s) => s.id === booking.serviceId)!;
      await local.create({
        id: booking.id,
        serviceId: booking.serviceId,
        serviceName: service.name[scenario.shop.languages.default],
        phone: scenario.phone,
        customerName: scenario.customerName,
        start: booking.start,
        end: booking.end,
      });
    }
  }

  function actorStarted(src: string) {
    started.push(src);
    active = undefined;
    clockOverride = undefined;
    const index = queue.findIndex((expected) => expected.actor === src);
    if (index === -1) return;
    const [expected] = queue.splice(index, 1);
    active = expected.arrange;
    if (active?.kind === 'clockAt') clockOverride = active.at;
    if (active?.kind === 'appointments') seeding = seedAppointments(active.bookings);
    if (active?.kind === 'waitlisted') seeding = seedWaitlist(active.entries);
    if (active?.kind === 'waitlistOffer') seeding = seedWaitlist([active.entry], active.offer);
  }

  return {
    clock,
    calendar,
    holds,
    waitlist,
    optOuts,
    history,
    /** For createCita's `inspect` option: sees each invoked actor start. */
    inspect: (_phone: string) => (event: InspectionEvent) => {
      if (event.type !== '@xstate.actor') return;
      // Invoked actors carry the name `setup` gave them; the conversation's own actor carries its machine.
      const src = (event.actorRef as { src?: unknown }).src;
      if (typeof src === 'string') actorStarted(src);
    },
    /** Declares the actors the next customer message runs, in order, with their arrangements. */
    expect(actors: ExpectedActor[]) {
      queue = [...actors];
      started.length = 0;
    },
    /** Ends the turn: nothing stays arranged; returns the expected actors that never ran. */
    settle(): { missing: string[]; started: string[] } {
      active = undefined;
      clockOverride = undefined;
      const missing = queue.map((expected) => expected.actor);
      queue = [];
      return { missing, started: [...started] };
    },
    close: () => database.close(),
  };
}

export type World = ReturnType<typeof createWorld>;
