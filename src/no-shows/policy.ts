import type { ShopConfig } from '../../config/schema.ts';
import type { Appointment, BookingHistory, HistoryEntry, Reminder } from '../engine/ports.ts';
import { remindersFor } from '../reminders/plan.ts';

/** The customer over the limit is asked this long before the start: the day before. */
export const ASK_MINUTES_BEFORE = 24 * 60;

/**
 * The customer's no-shows whose appointment started in the last `windowDays`: one per appointment,
 * however often it was marked.
 *
 * @example
 * noShowsWithin(await history.list(phone), now, 90) // 2
 */
export function noShowsWithin(entries: HistoryEntry[], now: Date, windowDays: number): number {
  const since = now.getTime() - windowDays * 24 * 60 * 60_000;
  const missed = entries.filter((entry) => entry.status === 'noShow' && Date.parse(entry.start) >= since);
  return new Set(missed.map((entry) => entry.bookingId)).size;
}

/** What the shop's `noShows` policy asks for this customer now: nothing, a confirmation, or the staff. */
export async function noShowPolicyFor(
  shop: ShopConfig,
  history: BookingHistory,
  phone: string,
  now: Date,
): Promise<'none' | 'confirm' | 'staff'> {
  const policy = shop.noShows;
  if (!policy) return 'none';
  const missed = noShowsWithin(await history.list(phone), now, policy.windowDays);
  return missed >= policy.limit ? policy.policy : 'none';
}

/**
 * The appointment's reminders and, for a customer the shop asks to confirm, the question the day
 * before (in place of the reminder of that lead time) and its deadline. An appointment booked
 * less than a day ahead is not asked about: the customer has just said yes to it.
 */
export async function remindersAndConfirmation(
  appointment: Pick<Appointment, 'id' | 'phone' | 'start'>,
  deps: { shop: ShopConfig; history: BookingHistory },
  now: Date,
): Promise<Reminder[]> {
  const { shop } = deps;
  const reminders = remindersFor(appointment, shop, now);
  const policy = shop.noShows;
  const start = Date.parse(appointment.start);
  const askAt = start - ASK_MINUTES_BEFORE * 60_000;
  if (!policy || askAt <= now.getTime()) return reminders;
  if ((await noShowPolicyFor(shop, deps.history, appointment.phone, now)) !== 'confirm') return reminders;
  const releaseMinutes = policy.confirmByHours * 60;
  const of = (minutesBefore: number, kind: NonNullable<Reminder['kind']>): Reminder => ({
    bookingId: appointment.id,
    phone: appointment.phone,
    start: appointment.start,
    dueAt: new Date(start - minutesBefore * 60_000).toISOString(),
    minutesBefore,
    kind,
  });
  return [
    ...reminders.filter((reminder) => reminder.minutesBefore !== ASK_MINUTES_BEFORE),
    of(ASK_MINUTES_BEFORE, 'confirmAttendance'),
    of(releaseMinutes, 'releaseUnconfirmed'),
  ];
}

/** When the customer was first asked to confirm this appointment (at this start), and whether they did. */
export function confirmationOf(entries: HistoryEntry[], bookingId: string, start: string) {
  const about = entries.filter(
    (entry) => entry.bookingId === bookingId && Date.parse(entry.start) === Date.parse(start),
  );
  return {
    askedAt: about.find((entry) => entry.status === 'attendanceAsked')?.at,
    confirmed: about.some((entry) => entry.status === 'attendanceConfirmed'),
  };
}
