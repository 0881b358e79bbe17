import type { ShopConfig } from '../../config/schema.ts';
import type { Appointment, Reminder } from '../engine/ports.ts';

/**
 * The reminders of an appointment, one per lead time of the shop's config, leaving out those
 * already past at `now` (an appointment booked for in an hour gets no 24-hour reminder).
 */
export function remindersFor(
  appointment: Pick<Appointment, 'id' | 'phone' | 'start'>,
  shop: ShopConfig,
  now: Date,
): Reminder[] {
  const start = Date.parse(appointment.start);
  return shop.reminders.minutesBefore
    .map((minutesBefore) => ({
      bookingId: appointment.id,
      phone: appointment.phone,
      start: appointment.start,
      dueAt: new Date(start - minutesBefore * 60_000).toISOString(),
      minutesBefore,
    }))
    .filter((reminder) => Date.parse(reminder.dueAt) > now.getTime());
}
