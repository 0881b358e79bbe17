import { createHash, randomUUID } from 'node:crypto';
import { fromPromise } from 'xstate';
import { ANY_BARBER, type ShopConfig, serviceById, shopToday } from '../../config/schema.ts';
import {
  type Booking,
  BookingFailure,
  type DayAvailability,
  type Hold,
  type Slot,
  type TakenOffer,
  type WaitlistWish,
} from '../../machines/booking.context.ts';
import { byFewestAppointments, chairsAvailability, chairsFor, chairsShutReason } from '../availability/chairs.ts';
import { groupAvailability } from '../availability/group.ts';
import { isWithinBookingWindow, searchWindow } from '../availability/slots.ts';
import { log } from '../log.ts';
import { noShowPolicyFor, remindersAndConfirmation } from '../no-shows/policy.ts';
import type { StaffNotices } from '../staff/notices.ts';
import type {
  Appointment,
  BookingHistory,
  BusyInterval,
  Calendar,
  Clock,
  HeldSlot,
  OptOuts,
  ReminderSchedule,
  SlotHolds,
  Waitlist,
  WaitlistEntry,
} from './ports.ts';
import { sharedSlots } from './saved-slots.ts';

/** History entries that say where an appointment stands (not how a message went, nor attendance). */
const CHANGES = new Set(['booked', 'moved', 'movedByShop']);

export interface BookingDependencies {
  shop: ShopConfig;
  clock: Clock;
  calendar: Calendar;
  holds: SlotHolds;
  history: BookingHistory;
  reminders: ReminderSchedule;
  /** Tells the staff of bookings made, moved and cancelled; without it nobody is told. */
  notices?: StaffNotices;
  /** The shop's waitlists; without it "Avísame si se libera" answers that it cannot. */
  waitlist?: Waitlist;
  /** Who asked for no more messages cita starts; without it "no más avisos" answers that it cannot. */
  optOuts?: OptOuts;
}

export interface Customer {
  phone: string;
  name?: string;
}

/** What the actors do for one customer (see `bookingStepsFor`). */
export type BookingSteps = ReturnType<typeof bookingStepsFor>;

/**
 * The booking machine's actors, built once with the machine: each runs the steps of the customer
 * whose turn it is, found from the actor system it runs in (`stepsOf`), at the location of a
 * chain the machine names (a look-up of the customer's appointments spans the whole chain).
 *
 * @example
 * bookingMachine.provide({ actors: bookingActors((system) => turnOf(system).steps) })
 */
export function bookingActors(stepsOf: (system: object, locationId?: string) => BookingSteps) {
  return {
    findFreeSlots: fromPromise<DayAvailability, FreeSlotsInput>(async ({ input, system }) => {
      const day = await stepsOf(system, input.locationId).findFreeSlots(input);
      // The customers shown the same times share one list (frozen): conversations keep it between messages.
      return { ...day, slots: sharedSlots(day.slots) };
    }),
    holdSlot: fromPromise<Hold, HoldInput>(({ input, system }) => stepsOf(system, input.locationId).holdSlot(input)),
    bookAppointment: fromPromise<Booking, BookInput>(({ input, system }) =>
      stepsOf(system, input.locationId).bookAppointment(input),
    ),
    findUpcomingBookings: fromPromise<Booking[], void>(({ system }) => stepsOf(system).findUpcomingBookings()),
    cancelBooking: fromPromise<Booking, { booking: Booking }>(({ input, system }) =>
      stepsOf(system).cancelBooking(input),
    ),
    recordAttendance: fromPromise<void, { bookingId: string }>(({ input, system }) =>
      stepsOf(system).recordAttendance(input),
    ),
    joinWaitlist: fromPromise<void, WaitlistWish>(({ input, system }) => stepsOf(system).joinWaitlist(input)),
    findWaitlistEntries: fromPromise<WaitlistWish[], void>(({ system }) => stepsOf(system).findWaitlistEntries()),
    leaveWaitlist: fromPromise<{ date: string }, { date: string }>(({ input, system }) =>
      stepsOf(system).leaveWaitlist(input),
    ),
    takeWaitlistOffer: fromPromise<TakenOffer, { offerId: string }>(({ input, system }) =>
      stepsOf(system).takeWaitlistOffer(input),
    ),
    declineWaitlistOffer: fromPromise<void, { offerId: string }>(({ input, system }) =>
      stepsOf(system).declineWaitlistOffer(input),
    ),
    optOut: fromPromise<void, void>(({ system }) => stepsOf(system).optOut()),
  };
}

/**
 * What the actors do, as plain functions. Each may run again with the same input when a
 * conversation is restored mid-step, so each is idempotent.
 */
export function bookingStepsFor(customer: Customer, deps: BookingDependencies) {
  const { shop, clock, calendar, holds, history, reminders } = deps;
  const holdMs = shop.booking.holdMinutes * 60_000;

  /**
   * The day's free times for the service: of the barber asked for, or of every barber who does it
   * (anyone, or the shop's one chair). When the barber asked for is busy at the time the customer
   * wants, it also says which other barbers are free then.
   */
  async function findFreeSlots({
    serviceId,
    date,
    moving,
    barberId,
    wantedTime,
    companions,
  }: FreeSlotsInput): Promise<DayAvailability> {
    const service = requireService(shop, serviceId);
    const search = {
      date,
      durationMinutes: service.durationMinutes,
      phone: customer.phone,
      now: clock(),
    };
    const chairs = chairsFor(shop, serviceId, barberId);
    // A closed, past or too-far day needs no calendar call.
    const shut = chairsShutReason(chairs, date, search.now);
    if (shut) return { slots: [], reason: shut };
    const window = searchWindow(shop.timezone, [date]);
    const [busy, held] = await Promise.all([calendar.busy(window), holds.overlapping(window)]);
    const taken = {
      busy: withoutOwn(busy, moving),
      holds: withoutHeldBuffer(held, shop.booking.bufferMinutes),
    };
    if (companions?.length) {
      const group = groupAvailability({ ...search, shop, serviceIds: [serviceId, ...companions], barberId, ...taken });
      if (wantedTime === undefined || group.slots.some((slot) => slot.time === wantedTime)) {
        return group.reason ? { slots: group.slots, reason: group.reason } : { slots: group.slots };
      }
      const alone = chairsAvailability({ ...search, chairs, ...taken });
      const aloneFits = alone.slots.some((slot) => slot.time === wantedTime);
      return { slots: group.slots, ...(group.reason && { reason: group.reason }), ...(aloneFits && { aloneFits }) };
    }
    const { slots, reason } = chairsAvailability({ ...search, chairs, ...taken });
    const named = barberId !== undefined && barberId !== ANY_BARBER;
    if (!named || wantedTime === undefined || slots.some((slot) => slot.time === wantedTime)) {
      return reason ? { slots, reason } : { slots };
    }
    const others = chairsAvailability({ ...search, chairs: chairsFor(shop, serviceId, ANY_BARBER), ...taken });
    const othersFreeAt = (others.freeAt[wantedTime] ?? []).filter((id) => id !== barberId);
    return { slots, ...(reason && { reason }), ...(othersFreeAt.length > 0 && { othersFreeAt }) };
  }

  /**
   * Holds the slot in one chair: the barber asked for, or for "anyone" the free barbers in turn,
   * fewest appointments that day first, so two customers racing for one time get two chairs.
   */
  async function holdSlot({ serviceId, slot, barberId, companions }: HoldInput): Promise<Hold> {
    const token = `${customer.phone}:${randomUUID()}`;
    if (companions?.length) return holdGroup([serviceId, ...companions], slot, barberId, token);
    for (const candidate of await barbersToTry(serviceId, slot, barberId)) {
      const held = heldSlot(customer.phone, slot, token, shop.booking.bufferMinutes, candidate);
      if (await holds.acquire(held, holdMs)) {
        return {
          token,
          slot,
          expiresAt: new Date(clock().getTime() + holdMs).toISOString(),
          ...(candidate !== undefined && { barberId: candidate }),
        };
      }
    }
    throw new BookingFailure('slotTaken');
  }

  /** The chairs a hold may take, in the order to try them; [undefined] for a shop without barbers. */
  async function barbersToTry(
    serviceId: string,
    slot: Slot,
    barberId: string | undefined,
  ): Promise<(string | undefined)[]> {
    if (shop.barbers.length === 0) return [undefined];
    if (barberId !== undefined && barberId !== ANY_BARBER) return [barberId];
    const service = requireService(shop, serviceId);
    const window = searchWindow(shop.timezone, [slot.date]);
    const [busy, held] = await Promise.all([calendar.busy(window), holds.overlapping(window)]);
    const { freeAt } = chairsAvailability({
      chairs: chairsFor(shop, serviceId, ANY_BARBER),
      date: slot.date,
      durationMinutes: service.durationMinutes,
      busy,
      holds: withoutHeldBuffer(held, shop.booking.bufferMinutes),
      phone: customer.phone,
      now: clock(),
    });
    return byFewestAppointments(freeAt[slot.time] ?? [], busy);
  }

  /**
   * Holds every seat of a group at the time, all or nothing: the ways to seat it are tried in turn
   * (a barber each, then one barber one after the other), letting go of a way's holds that failed.
   */
  async function holdGroup(
    serviceIds: string[],
    slot: Slot,
    barberId: string | undefined,
    token: string,
  ): Promise<Hold> {
    const window = searchWindow(shop.timezone, [slot.date]);
    const [busy, held] = await Promise.all([calendar.busy(window), holds.overlapping(window)]);
    const { placementsAt } = groupAvailability({
      shop,
      serviceIds,
      barberId,
      date: slot.date,
      busy,
      holds: withoutHeldBuffer(held, shop.booking.bufferMinutes),
      phone: customer.phone,
      now: clock(),
    });
    for (const seats of placementsAt[slot.time] ?? []) {
      const parts = seats.map((seat, i) => ({ ...seat, token: i === 0 ? token : `${token}:${i + 1}` }));
      const taken: HeldSlot[] = [];
      for (const part of parts) {
        const hold = heldSlot(customer.phone, part.slot, part.token, shop.booking.bufferMinutes, part.barberId);
        if (!(await holds.acquire(hold, holdMs))) break;
        taken.push(hold);
      }
      if (taken.length === parts.length) {
        const [first, ...others] = parts;
        return {
          token,
          slot: first.slot,
          expiresAt: new Date(clock().getTime() + holdMs).toISOString(),
          ...barber(first.barberId),
          companions: others.map(({ token, serviceId, slot, barberId }) => ({
            token,
            serviceId,
            slot,
            ...barber(barberId),
          })),
        };
      }
      await Promise.all(taken.map((hold) => holds.release(hold)));
    }
    throw new BookingFailure('slotTaken');
  }

  /**
   * Books every appointment of a held group with the one yes: the holds are taken again and every
   * final check passes before anything is written; a write that fails takes back those before it.
   */
  async function bookGroup({ serviceId, hold }: BookInput): Promise<Booking> {
    const parts = [
      { serviceId, slot: hold.slot, token: hold.token, barberId: hold.barberId },
      ...(hold.companions ?? []),
    ].map((part) => {
      const service = requireService(shop, part.serviceId);
      const appointment: Appointment = {
        id: bookingIdFor(customer.phone, { ...hold, slot: part.slot, token: part.token }),
        serviceId: part.serviceId,
        serviceName: service.name[shop.languages.default],
        phone: customer.phone,
        customerName: customer.name,
        start: part.slot.start,
        end: part.slot.end,
        ...barber(part.barberId),
      };
      const held = heldSlot(customer.phone, part.slot, part.token, shop.booking.bufferMinutes, part.barberId);
      return { part, appointment, held };
    });
    const written = await Promise.all(parts.map(({ appointment }) => isWritten(appointment)));
    const toWrite = parts.filter((_, i) => !written[i]);
    try {
      for (const { held } of toWrite) {
        if (!(await holds.acquire(held, holdMs))) throw new BookingFailure('slotTaken');
      }
      if (toWrite.length > 0 && !isWithinBookingWindow(shop, hold.slot.start, clock()))
        throw new BookingFailure('tooLate');
      for (const { part } of toWrite) {
        const busy = await calendar.busy(widen(part.slot, shop.booking.bufferMinutes));
        if (busy.some((interval) => inChair(interval, part.barberId))) throw new BookingFailure('slotTaken');
      }
      const done: Appointment[] = [];
      try {
        for (const { appointment } of toWrite) {
          await calendar.create(appointment);
          done.push(appointment);
        }
      } catch (error) {
        // All or nothing: the group was confirmed together, so a half-written group is taken back.
        await Promise.all(done.map((a) => calendar.cancel(a.id).catch(() => {})));
        throw error;
      }
    } finally {
      await Promise.all(
        parts.map(({ held }) =>
          holds.release(held).catch((error) => log.warn({ event: 'hold.release_failed', error: String(error) })),
        ),
      );
    }
    const bookings = parts.map(({ appointment: { id, serviceId, start, end, barberId } }) => ({
      id,
      serviceId,
      start,
      end,
      ...barber(barberId),
    }));
    // One notice per staff phone for the whole group, each appointment with its barber.
    const announced: Appointment[] = [];
    for (const [i, { appointment }] of parts.entries()) {
      await afterWrite(appointment, bookings[i], undefined, (recorded) => announced.push(recorded));
    }
    if (announced.length > 0) {
      await deps.notices
        ?.bookingChanged('booked', announced)
        .catch((error) => log.warn({ event: 'booking.after_write_failed', error: String(error) }));
    }
    const [first, ...others] = bookings;
    return { ...first, companions: others };
  }

  async function bookAppointment({ serviceId, hold, moving }: BookInput): Promise<Booking> {
    // A customer over the shop's no-show limit, where the staff book for them: nothing is written.
    if (!moving && (await noShowPolicyFor(shop, history, customer.phone, clock())) === 'staff') {
      throw new BookingFailure('staffBooks');
    }
    if (hold.companions?.length && !moving) return bookGroup({ serviceId, hold });
    const service = requireService(shop, serviceId);
    const id = moving?.id ?? bookingIdFor(customer.phone, hold);
    const barber = hold.barberId !== undefined ? { barberId: hold.barberId } : {};
    const booking: Booking = {
      id,
      serviceId,
      start: hold.slot.start,
      end: hold.slot.end,
      ...(moving && { moved: true }),
      ...barber,
    };
    const appointment: Appointment = {
      id,
      serviceId,
      serviceName: service.name[shop.languages.default],
      phone: customer.phone,
      customerName: customer.name,
      start: hold.slot.start,
      end: hold.slot.end,
      ...barber,
    };
    // Restored mid-step after the write (a crash): the appointment is there; finish what follows it.
    if (await isWritten(appointment)) return afterWrite(appointment, booking, moving);
    const held = heldSlot(customer.phone, hold.slot, hold.token, shop.booking.bufferMinutes, hold.barberId);
    try {
      // The hold may have expired while the customer read; taking it again keeps the check and write exclusive.
      if (!(await holds.acquire(held, holdMs))) throw new BookingFailure('slotTaken');
      if (!isWithinBookingWindow(shop, hold.slot.start, clock())) throw new BookingFailure('tooLate');
      const busy = withoutOwn(await calendar.busy(widen(hold.slot, shop.booking.bufferMinutes)), moving);
      if (busy.some((interval) => inChair(interval, hold.barberId))) throw new BookingFailure('slotTaken');
      try {
        // A move rewrites the one appointment in place: never a moment with none or two.
        if (moving) await calendar.reschedule(appointment);
        else await calendar.create(appointment);
      } catch (error) {
        // The write may have landed although its answer was lost: then it is booked, not failed.
        if (!(await isWritten(appointment).catch(() => false))) throw error;
      }
    } finally {
      await holds.release(held).catch((error) => log.warn({ event: 'hold.release_failed', error: String(error) }));
    }
    return afterWrite(appointment, booking, moving);
  }

  /** Whether the calendar holds the appointment as asked (same id, start and service). */
  async function isWritten(appointment: Appointment): Promise<boolean> {
    const stored = await calendar.get(appointment.id);
    return (
      stored !== undefined &&
      Date.parse(stored.start) === Date.parse(appointment.start) &&
      stored.serviceId === appointment.serviceId
    );
  }

  /**
   * Reminders and history once the appointment is in the calendar. The customer is booked either
   * way, so a failure here is logged, never reported as a failed booking; run again after a crash,
   * it plans the same reminders (they replace by key) and records the history entry only once.
   */
  async function afterWrite(
    appointment: Appointment,
    booking: Booking,
    moving: Booking | undefined,
    announce: (appointment: Appointment) => unknown = (recorded) =>
      deps.notices?.bookingChanged(moving ? 'moved' : 'booked', recorded),
  ) {
    try {
      // Reminders of the old time are dropped; the sender also checks the time before sending.
      if (moving) await reminders.cancelFor(appointment.id);
      await reminders.plan(await remindersAndConfirmation(appointment, deps, clock()));
      const status = moving ? 'moved' : 'booked';
      const known = await history.list(customer.phone);
      // Recorded already when the appointment's last change is this one: a move back to an earlier
      // time is a change of its own (it counts in the calendar file's SEQUENCE).
      const last = known.findLast((e) => e.bookingId === appointment.id && CHANGES.has(e.status));
      const recorded = last !== undefined && last.status === status && last.start === booking.start;
      if (!recorded) {
        await history.record(customer.phone, {
          bookingId: appointment.id,
          serviceId: appointment.serviceId,
          start: booking.start,
          end: booking.end,
          status,
          at: clock().toISOString(),
          ...barber(appointment.barberId),
        });
        // Once per change, as the history entry: a step run again after a crash does not announce it twice.
        await announce(appointment);
      }
    } catch (error) {
      log.warn({ event: 'booking.after_write_failed', bookingId: appointment.id, error: String(error) });
    }
    return booking;
  }

  async function findUpcomingBookings(): Promise<Booking[]> {
    const appointments = await calendar.upcomingFor(customer.phone, clock());
    return appointments.map(({ id, serviceId, serviceName, start, end, barberId }) => ({
      id,
      serviceId,
      // Only for a service the shop has taken out since: the views name the others in the customer's language.
      ...(serviceById(shop, serviceId) ? {} : { serviceName }),
      start,
      end,
      ...barber(barberId),
    }));
  }

  async function cancelBooking({ booking }: { booking: Booking }): Promise<Booking> {
    const notice = shop.booking.cancellationNoticeMinutes * 60_000;
    if (Date.parse(booking.start) - clock().getTime() < notice) throw new BookingFailure('tooLateToCancel');
    await calendar.cancel(booking.id);
    // The appointment is gone: the rest must not turn that into "could not cancel".
    try {
      await reminders.cancelFor(booking.id);
      await history.record(customer.phone, {
        bookingId: booking.id,
        serviceId: booking.serviceId,
        start: booking.start,
        end: booking.end,
        status: 'cancelled',
        at: clock().toISOString(),
        ...barber(booking.barberId),
      });
      await deps.notices?.bookingChanged('cancelled', {
        ...booking,
        serviceName:
          serviceById(shop, booking.serviceId)?.name[shop.languages.default] ??
          booking.serviceName ??
          booking.serviceId,
        phone: customer.phone,
        customerName: customer.name,
      });
    } catch (error) {
      log.warn({ event: 'cancellation.after_delete_failed', bookingId: booking.id, error: String(error) });
    }
    return booking;
  }

  async function recordAttendance({ bookingId }: { bookingId: string }): Promise<void> {
    const appointment = await calendar.get(bookingId);
    if (!appointment || appointment.phone !== customer.phone)
      throw new Error(`no appointment ${bookingId} for this phone`);
    const { serviceId, start, end } = appointment;
    await history.record(customer.phone, {
      bookingId,
      serviceId,
      start,
      end,
      status: 'attendanceConfirmed',
      at: clock().toISOString(),
      ...barber(appointment.barberId),
    });
  }

  function waitlistOf(): Waitlist {
    if (!deps.waitlist) throw new Error('this cita keeps no waitlist');
    return deps.waitlist;
  }

  /** Lets go of the time an entry's offer held (declined, or the customer left the day's list). */
  async function releaseOffered(entry: WaitlistEntry | undefined) {
    const offer = entry?.offer;
    if (!offer) return;
    const held = heldSlot(customer.phone, offer.slot, offer.holdToken, shop.booking.bufferMinutes, offer.barberId);
    await holds.release(held).catch((error) => log.warn({ event: 'hold.release_failed', error: String(error) }));
  }

  async function joinWaitlist(wish: WaitlistWish): Promise<void> {
    await waitlistOf().join({ ...wish, phone: customer.phone, joinedAt: clock().toISOString() });
  }

  async function findWaitlistEntries(): Promise<WaitlistWish[]> {
    const today = shopToday(shop, clock());
    const entries = await waitlistOf().entriesOf(customer.phone);
    return entries
      .filter((entry) => entry.date >= today)
      .map(({ date, serviceId, barberId, from, to }) => ({
        date,
        serviceId,
        ...(barberId !== undefined && { barberId }),
        ...(from !== undefined && to !== undefined && { from, to }),
      }));
  }

  async function leaveWaitlist({ date }: { date: string }): Promise<{ date: string }> {
    await releaseOffered(await waitlistOf().leave(customer.phone, date));
    return { date };
  }

  /** A yes to a freed time: still theirs and unexpired, it is booked under the hold it already has. */
  async function takeWaitlistOffer({ offerId }: { offerId: string }): Promise<TakenOffer> {
    const entry = await waitlistOf().takeOffer(customer.phone, offerId, clock());
    const offer = entry?.offer;
    if (!offer) throw new BookingFailure('slotTaken', 'the offer expired or was taken');
    return {
      serviceId: offer.serviceId,
      hold: {
        token: offer.holdToken,
        slot: offer.slot,
        expiresAt: offer.expiresAt,
        ...barber(offer.barberId),
      },
    };
  }

  async function declineWaitlistOffer({ offerId }: { offerId: string }): Promise<void> {
    await releaseOffered(await waitlistOf().endOffer(customer.phone, offerId, { requeue: false }));
  }

  /** "No más avisos": kept for good; the days the customer waited on are let go with it. */
  async function optOut(): Promise<void> {
    if (!deps.optOuts) throw new Error('this cita keeps no opt-outs');
    await deps.optOuts.optOut(customer.phone, clock());
    for (const entry of (await deps.waitlist?.entriesOf(customer.phone)) ?? []) {
      await releaseOffered(await deps.waitlist?.leave(customer.phone, entry.date));
    }
  }

  return {
    optOut,
    findFreeSlots,
    holdSlot,
    bookAppointment,
    findUpcomingBookings,
    cancelBooking,
    recordAttendance,
    joinWaitlist,
    findWaitlistEntries,
    leaveWaitlist,
    takeWaitlistOffer,
    declineWaitlistOffer,
  };
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
type HoldInput = { serviceId: string; slot: Slot; barberId?: string; companions?: string[]; locationId?: string };
type BookInput = { serviceId: string; hold: Hold; moving?: Booking; locationId?: string };

/** `{ barberId }` when there is one, so a shop without barbers stores exactly what it did. */
function barber(barberId: string | undefined): { barberId?: string } {
  return barberId !== undefined ? { barberId } : {};
}

/** Whether busy time takes the chair: its own, or every chair's (no barber on either side). */
function inChair(interval: BusyInterval, barberId: string | undefined): boolean {
  return barberId === undefined || interval.barberId === undefined || interval.barberId === barberId;
}

function requireService(shop: ShopConfig, serviceId: string) {
  const service = serviceById(shop, serviceId);
  if (!service) throw new Error(`unknown service ${serviceId}`);
  return service;
}

/**
 * Busy time without the appointment being moved: its own old time must not block its new one.
 * Calendars clip and merge busy intervals (Google's free/busy does), so the old interval is cut
 * out of each rather than matched exactly.
 */
function withoutOwn(busy: BusyInterval[], moving: Booking | undefined): BusyInterval[] {
  if (!moving) return busy;
  const [ownStart, ownEnd] = [Date.parse(moving.start), Date.parse(moving.end)];
  return busy.flatMap((interval) => {
    const [start, end] = [Date.parse(interval.start), Date.parse(interval.end)];
    if (end <= ownStart || start >= ownEnd) return [interval];
    const left = start < ownStart ? [{ ...interval, end: moving.start }] : [];
    const right = end > ownEnd ? [{ ...interval, start: moving.end }] : [];
    return [...left, ...right];
  });
}

/** The hold's slot as the holds port sees it. */
export function heldSlot(phone: string, slot: Slot, token: string, bufferMinutes: number, barberId?: string): HeldSlot {
  // The buffer after the slot is held too, so a neighbour's hold collides exactly when the two
  // appointments would be closer than the buffer, on either side.
  return {
    phone,
    token,
    start: slot.start,
    end: new Date(Date.parse(slot.end) + bufferMinutes * 60_000).toISOString(),
    ...barber(barberId),
  };
}

/** Holds as availability counts them: the slot itself (it adds the buffer on both sides). */
function withoutHeldBuffer(held: HeldSlot[], bufferMinutes: number): HeldSlot[] {
  return held.map((hold) => ({ ...hold, end: new Date(Date.parse(hold.end) - bufferMinutes * 60_000).toISOString() }));
}

/**
 * The appointment id for one booking attempt: the same hold always gives the same id, so a retry
 * can never write a second event. Base32hex, as Google Calendar requires of event ids.
 */
export function bookingIdFor(phone: string, hold: Pick<Hold, 'slot' | 'token'>): string {
  const digest = createHash('sha256').update(`${phone}|${hold.slot.start}|${hold.token}`).digest();
  let bits = '';
  for (const byte of digest.subarray(0, 20)) bits += byte.toString(2).padStart(8, '0');
  return Array.from({ length: 32 }, (_, i) => Number.parseInt(bits.slice(i * 5, i * 5 + 5), 2).toString(32)).join('');
}

/** The slot with `minutes` more on each side, as UTC instants (what Luxon's toUTC().toISO() wrote, without a DateTime per call). */
function widen(slot: Slot, minutes: number) {
  return {
    start: new Date(Date.parse(slot.start) - minutes * 60_000).toISOString(),
    end: new Date(Date.parse(slot.end) + minutes * 60_000).toISOString(),
  };
}
