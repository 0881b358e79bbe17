import { createHash, randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import { fromPromise } from 'xstate';
import { type ShopConfig, serviceById } from '../../config/schema.ts';
import {
  type Booking,
  BookingFailure,
  type DayAvailability,
  type Hold,
  type Slot,
} from '../../machines/booking.context.ts';
import { dayAvailability, isWithinBookingWindow, searchWindow } from '../availability/slots.ts';
import { log } from '../log.ts';
import { remindersFor } from '../reminders/plan.ts';
import type { StaffNotices } from '../staff/notices.ts';
import type {
  Appointment,
  BookingHistory,
  Calendar,
  Clock,
  HeldSlot,
  Interval,
  ReminderSchedule,
  SlotHolds,
} from './ports.ts';

export interface BookingDependencies {
  shop: ShopConfig;
  clock: Clock;
  calendar: Calendar;
  holds: SlotHolds;
  history: BookingHistory;
  reminders: ReminderSchedule;
  /** Tells the staff of bookings made, moved and cancelled; without it nobody is told. */
  notices?: StaffNotices;
}

export interface Customer {
  phone: string;
  name?: string;
}

/**
 * The booking machine's actors for one customer, as the machine invokes them.
 *
 * @example
 * bookingMachine.provide({ actors: bookingActorsFor({ phone, name }, deps) })
 */
export function bookingActorsFor(customer: Customer, deps: BookingDependencies) {
  const steps = bookingStepsFor(customer, deps);
  return {
    findFreeSlots: fromPromise<DayAvailability, FreeSlotsInput>(({ input }) => steps.findFreeSlots(input)),
    holdSlot: fromPromise<Hold, { serviceId: string; slot: Slot }>(({ input }) => steps.holdSlot(input)),
    bookAppointment: fromPromise<Booking, BookInput>(({ input }) => steps.bookAppointment(input)),
    findUpcomingBookings: fromPromise<Booking[], void>(() => steps.findUpcomingBookings()),
    cancelBooking: fromPromise<Booking, { booking: Booking }>(({ input }) => steps.cancelBooking(input)),
    recordAttendance: fromPromise<void, { bookingId: string }>(({ input }) => steps.recordAttendance(input)),
  };
}

/**
 * What the actors do, as plain functions. Each may run again with the same input when a
 * conversation is restored mid-step, so each is idempotent.
 */
export function bookingStepsFor(customer: Customer, deps: BookingDependencies) {
  const { shop, clock, calendar, holds, history, reminders } = deps;
  const holdMs = shop.booking.holdMinutes * 60_000;

  async function findFreeSlots({ serviceId, date, moving }: FreeSlotsInput): Promise<DayAvailability> {
    const service = requireService(shop, serviceId);
    const search = {
      rules: shop,
      date,
      durationMinutes: service.durationMinutes,
      busy: [],
      holds: [],
      phone: customer.phone,
      now: clock(),
    };
    // A closed, past or too-far day needs no calendar call.
    const withoutCalendar = dayAvailability(search);
    if (withoutCalendar.reason && withoutCalendar.reason !== 'full') return withoutCalendar;
    const window = searchWindow(shop.timezone, [date]);
    const [busy, held] = await Promise.all([calendar.busy(window), holds.overlapping(window)]);
    return dayAvailability({
      ...search,
      busy: withoutOwn(busy, moving),
      holds: withoutHeldBuffer(held, shop.booking.bufferMinutes),
    });
  }

  async function holdSlot({ slot }: { serviceId: string; slot: Slot }): Promise<Hold> {
    const held = heldSlot(customer.phone, slot, `${customer.phone}:${randomUUID()}`, shop.booking.bufferMinutes);
    if (!(await holds.acquire(held, holdMs))) throw new BookingFailure('slotTaken');
    return { token: held.token, slot, expiresAt: new Date(clock().getTime() + holdMs).toISOString() };
  }

  async function bookAppointment({ serviceId, hold, moving }: BookInput): Promise<Booking> {
    const service = requireService(shop, serviceId);
    const id = moving?.id ?? bookingIdFor(customer.phone, hold);
    const booking: Booking = {
      id,
      serviceId,
      start: hold.slot.start,
      end: hold.slot.end,
      ...(moving && { moved: true }),
    };
    const appointment: Appointment = {
      id,
      serviceId,
      serviceName: service.name[shop.languages.default],
      phone: customer.phone,
      customerName: customer.name,
      start: hold.slot.start,
      end: hold.slot.end,
    };
    // Restored mid-step after the write (a crash): the appointment is there; finish what follows it.
    if (await isWritten(appointment)) return afterWrite(appointment, booking, moving);
    const held = heldSlot(customer.phone, hold.slot, hold.token, shop.booking.bufferMinutes);
    try {
      // The hold may have expired while the customer read; taking it again keeps the check and write exclusive.
      if (!(await holds.acquire(held, holdMs))) throw new BookingFailure('slotTaken');
      if (!isWithinBookingWindow(shop, hold.slot.start, clock())) throw new BookingFailure('tooLate');
      const busy = withoutOwn(await calendar.busy(widen(hold.slot, shop.booking.bufferMinutes)), moving);
      if (busy.length > 0) throw new BookingFailure('slotTaken');
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
  async function afterWrite(appointment: Appointment, booking: Booking, moving: Booking | undefined) {
    try {
      // Reminders of the old time are dropped; the sender also checks the time before sending.
      if (moving) await reminders.cancelFor(appointment.id);
      await reminders.plan(remindersFor(appointment, shop, clock()));
      const status = moving ? 'moved' : 'booked';
      const known = await history.list(customer.phone);
      const recorded = known.some(
        (e) => e.bookingId === appointment.id && e.status === status && e.start === booking.start,
      );
      if (!recorded) {
        await history.record(customer.phone, {
          bookingId: appointment.id,
          serviceId: appointment.serviceId,
          start: booking.start,
          end: booking.end,
          status,
          at: clock().toISOString(),
        });
        // Once per change, as the history entry: a step run again after a crash does not announce it twice.
        await deps.notices?.bookingChanged(moving ? 'moved' : 'booked', appointment);
      }
    } catch (error) {
      log.warn({ event: 'booking.after_write_failed', bookingId: appointment.id, error: String(error) });
    }
    return booking;
  }

  async function findUpcomingBookings(): Promise<Booking[]> {
    const appointments = await calendar.upcomingFor(customer.phone, clock());
    return appointments.map(({ id, serviceId, start, end }) => ({ id, serviceId, start, end }));
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
      });
      const service = requireService(shop, booking.serviceId);
      await deps.notices?.bookingChanged('cancelled', {
        ...booking,
        serviceName: service.name[shop.languages.default],
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
    });
  }

  return { findFreeSlots, holdSlot, bookAppointment, findUpcomingBookings, cancelBooking, recordAttendance };
}

type FreeSlotsInput = { serviceId: string; date: string; moving?: Booking };
type BookInput = { serviceId: string; hold: Hold; moving?: Booking };

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
function withoutOwn(busy: Interval[], moving: Booking | undefined): Interval[] {
  if (!moving) return busy;
  const [ownStart, ownEnd] = [Date.parse(moving.start), Date.parse(moving.end)];
  return busy.flatMap((interval) => {
    const [start, end] = [Date.parse(interval.start), Date.parse(interval.end)];
    if (end <= ownStart || start >= ownEnd) return [interval];
    const left = start < ownStart ? [{ start: interval.start, end: moving.start }] : [];
    const right = end > ownEnd ? [{ start: moving.end, end: interval.end }] : [];
    return [...left, ...right];
  });
}

/** The hold's slot as the holds port sees it. */
export function heldSlot(phone: string, slot: Slot, token: string, bufferMinutes: number): HeldSlot {
  // The buffer after the slot is held too, so a neighbour's hold collides exactly when the two
  // appointments would be closer than the buffer, on either side.
  return {
    phone,
    token,
    start: slot.start,
    end: new Date(Date.parse(slot.end) + bufferMinutes * 60_000).toISOString(),
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
export function bookingIdFor(phone: string, hold: Hold): string {
  const digest = createHash('sha256').update(`${phone}|${hold.slot.start}|${hold.token}`).digest();
  let bits = '';
  for (const byte of digest.subarray(0, 20)) bits += byte.toString(2).padStart(8, '0');
  return Array.from({ length: 32 }, (_, i) => Number.parseInt(bits.slice(i * 5, i * 5 + 5), 2).toString(32)).join('');
}

function widen(slot: Slot, minutes: number) {
  return {
    start: DateTime.fromISO(slot.start).minus({ minutes }).toUTC().toISO()!,
    end: DateTime.fromISO(slot.end).plus({ minutes }).toUTC().toISO()!,
  };
}
