import type { ShopConfig } from '../../config/schema.ts';
import { calendarFileFor } from '../engine/calendar-files.ts';
import type {
  Appointment,
  BookingHistory,
  Calendar,
  CalendarChange,
  CalendarSyncStore,
  Clock,
  ConversationStore,
  Messenger,
  ReminderSchedule,
  WrittenAppointment,
} from '../engine/ports.ts';
import { MESSAGE_STATUSES } from '../engine/ports.ts';
import { log, phoneRef } from '../log.ts';
import { remindersAndConfirmation } from '../no-shows/policy.ts';
import { tellCustomer } from '../staff/customer-messages.ts';

export interface ReconcileDependencies {
  shop: ShopConfig;
  clock: Clock;
  /** Read to see where an appointment stands now (a deletion in one calendar may be a move to another). */
  calendar: Calendar;
  store: CalendarSyncStore;
  history: BookingHistory;
  reminders: ReminderSchedule;
  conversations: ConversationStore;
  messenger: Messenger;
}

/** What a change in the calendar meant for cita. */
export type Reconciled =
  /** Not an appointment cita made (the owner's own event, a block): it only counts as busy time. */
  | 'notOurs'
  /** Nothing a customer cares about changed: cita's own write coming back, or a renamed event. */
  | 'unchanged'
  /** Over before or after the change: put on record, nobody told. */
  | 'past'
  | 'moved'
  | 'cancelled';

/**
 * Brings one calendar change home: an appointment cita made that the shop moved (new times, or
 * another barber's calendar) is moved in the booking, its reminders planned again and the
 * customer told, with buttons to keep, change or cancel it; one the shop deleted is cancelled
 * for the shop and the customer told, with a button to book another. What cita wrote itself, or a
 * change that leaves the customer's day, time and barber as they were, tells no one.
 *
 * The customer is told before the new state is remembered: a crash between the two tells them
 * again rather than not at all.
 */
export async function reconcileChange(change: CalendarChange, deps: ReconcileDependencies): Promise<Reconciled> {
  if (change.status === 'confirmed' && !change.appointment) return 'notOurs';
  const written = await deps.store.lastWrite(change.eventId);
  // A deleted event says nothing of whose it was: only one cita remembers writing is looked at again.
  if (change.status === 'cancelled' && !written) return 'notOurs';
  // A deletion in one calendar is a move when the event stands in another (a barber's own).
  const now =
    change.status === 'cancelled' ? await deps.calendar.get(change.eventId) : (change.appointment as Appointment);
  const before = written ?? (now && (await fromHistory(now, deps.history)));
  if (!before) return 'notOurs';
  if (!now) return before.cancelled ? 'unchanged' : cancelled(before, deps);
  if (before.cancelled || sameForTheCustomer(before, now)) return 'unchanged';
  return moved(before, now, deps);
}

function sameForTheCustomer(a: Appointment, b: Appointment): boolean {
  return (
    Date.parse(a.start) === Date.parse(b.start) &&
    Date.parse(a.end) === Date.parse(b.end) &&
    (a.barberId ?? '') === (b.barberId ?? '')
  );
}

/** The appointment's history gets what the shop did to it in its calendar. */
function recordShopChange(
  appointment: Appointment,
  status: 'movedByShop' | 'cancelledByShop',
  at: Date,
  deps: ReconcileDependencies,
): Promise<void> {
  return deps.history.record(appointment.phone, {
    bookingId: appointment.id,
    serviceId: appointment.serviceId,
    start: appointment.start,
    end: appointment.end,
    status,
    at: at.toISOString(),
    ...(appointment.barberId && { barberId: appointment.barberId }),
  });
}

async function moved(before: WrittenAppointment, now: Appointment, deps: ReconcileDependencies): Promise<Reconciled> {
  const at = deps.clock();
  const context = { bookingId: now.id, phoneRef: phoneRef(now.phone) };
  if (Math.max(Date.parse(before.start), Date.parse(now.start)) <= at.getTime()) {
    await deps.store.rememberWrite({ ...now, cancelled: false });
    return 'past';
  }
  await recordShopChange(now, 'movedByShop', at, deps);
  await deps.reminders.cancelFor(now.id);
  await deps.reminders.plan(await remindersAndConfirmation(now, deps, at));
  // The new time's calendar file goes with the news: same UID, one SEQUENCE higher (the move is recorded above).
  const delivery = await tellCustomer('moved', now, deps, undefined, (language) =>
    calendarFileFor([now], now.phone, deps.history, deps.shop, language, at),
  );
  await deps.store.rememberWrite({ ...now, cancelled: false });
  log.info({ event: 'booking.moved_by_shop', ...context, delivery }, 'the shop moved an appointment in its calendar');
  return 'moved';
}

async function cancelled(before: WrittenAppointment, deps: ReconcileDependencies): Promise<Reconciled> {
  const at = deps.clock();
  const context = { bookingId: before.id, phoneRef: phoneRef(before.phone) };
  await deps.reminders.cancelFor(before.id);
  if (Date.parse(before.start) <= at.getTime()) {
    await deps.store.rememberWrite({ ...before, cancelled: true });
    return 'past';
  }
  await recordShopChange(before, 'cancelledByShop', at, deps);
  const delivery = await tellCustomer('cancelled', before, deps);
  await deps.store.rememberWrite({ ...before, cancelled: true });
  log.info(
    { event: 'booking.cancelled_by_shop', ...context, delivery },
    'the shop deleted an appointment in its calendar',
  );
  return 'cancelled';
}

/** An appointment booked before cita remembered its writes: its last entry in the customer's history. */
async function fromHistory(now: Appointment, history: BookingHistory): Promise<WrittenAppointment | undefined> {
  // A "not reached" entry (or a follow-up sent) says how a message went, not where the appointment stands.
  const last = (await history.list(now.phone)).findLast(
    (entry) => entry.bookingId === now.id && !MESSAGE_STATUSES.has(entry.status),
  );
  if (!last) return undefined;
  const { barberId: _, ...rest } = now;
  return {
    ...rest,
    start: last.start,
    end: last.end,
    ...(last.barberId && { barberId: last.barberId }),
    cancelled: last.status === 'cancelled' || last.status === 'cancelledByShop',
  };
}
