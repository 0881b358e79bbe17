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
import { remindersFor } from '../reminders/plan.ts';
import type { BookingHistory, Calendar, Clock, HeldSlot, Interval, ReminderSchedule, SlotHolds } from './ports.ts';

export interface BookingDependencies {
  shop: ShopConfig;
  clock: Clock;
  calendar: Calendar;
  holds: SlotHolds;
  history: BookingHistory;
  reminders: ReminderSchedule;
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
    return dayAvailability({ ...search, busy: withoutOwn(busy, moving), holds: held });
  }

  async function holdSlot({ slot }: { serviceId: string; slot: Slot }): Promise<Hold> {
    const held = heldSlot(customer.phone, slot, `${customer.phone}:${randomUUID()}`);
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
    // Restored mid-step after the write: the appointment is already there as asked.
    const existing = await calendar.get(id);
    if (existing && existing.start === booking.start && existing.serviceId === serviceId) return booking;
    const held = heldSlot(customer.phone, hold.slot, hold.token);
    try {
      // The hold may have expired while the customer read; taking it again keeps the check and write exclusive.
      if (!(await holds.acquire(held, holdMs))) throw new BookingFailure('slotTaken');
      if (!isWithinBookingWindow(shop, hold.slot.start, clock())) throw new BookingFailure('tooLate');
      const busy = withoutOwn(await calendar.busy(widen(hold.slot, shop.booking.bufferMinutes)), moving);
      if (busy.length > 0) throw new BookingFailure('slotTaken');
      const appointment = {
        id,
        serviceId,
        serviceName: service.name[shop.languages.default],
        phone: customer.phone,
        customerName: customer.name,
        start: hold.slot.start,
        end: hold.slot.end,
      };
      // A move rewrites the one appointment in place: never a moment with none or two.
      if (moving) await calendar.reschedule(appointment);
      else await calendar.create(appointment);
      // Reminders of the old time are dropped; the sender also checks the time before sending.
      if (moving) await reminders.cancelFor(id);
      await reminders.plan(remindersFor(appointment, shop, clock()));
      await history.record(customer.phone, {
        bookingId: id,
        serviceId,
        start: booking.start,
        end: booking.end,
        status: moving ? 'moved' : 'booked',
        at: clock().toISOString(),
      });
      return booking;
    } finally {
      await holds.release(held);
    }
  }

  async function findUpcomingBookings(): Promise<Booking[]> {
    const appointments = await calendar.upcomingFor(customer.phone, clock());
    return appointments.map(({ id, serviceId, start, end }) => ({ id, serviceId, start, end }));
  }

  async function cancelBooking({ booking }: { booking: Booking }): Promise<Booking> {
    const notice = shop.booking.cancellationNoticeMinutes * 60_000;
    if (Date.parse(booking.start) - clock().getTime() < notice) throw new BookingFailure('tooLateToCancel');
    await calendar.cancel(booking.id);
    await reminders.cancelFor(booking.id);
    await history.record(customer.phone, {
      bookingId: booking.id,
      serviceId: booking.serviceId,
      start: booking.start,
      end: booking.end,
      status: 'cancelled',
      at: clock().toISOString(),
    });
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

/** Busy time without the appointment being moved: its own old time must not block its new one. */
function withoutOwn(busy: Interval[], moving: Booking | undefined): Interval[] {
  if (!moving) return busy;
  return busy.filter(
    (interval) =>
      Date.parse(interval.start) !== Date.parse(moving.start) || Date.parse(interval.end) !== Date.parse(moving.end),
  );
}

/** The hold's slot as the holds port sees it. */
export function heldSlot(phone: string, slot: Slot, token: string): HeldSlot {
  return { phone, token, start: slot.start, end: slot.end };
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
