import type { ShopConfig } from '../../config/schema.ts';
import type { Delivery } from '../../machines/staff.context.ts';
import type {
  Appointment,
  BookingHistory,
  Calendar,
  Clock,
  ConversationStore,
  Messenger,
  ReminderSchedule,
} from '../engine/ports.ts';
import { log } from '../log.ts';
import { type ShopMessage, tellCustomer } from './customer-messages.ts';
import type { StaffNotices } from './notices.ts';

export interface ShopCancellationDependencies {
  shop: ShopConfig;
  clock: Clock;
  calendar: Calendar;
  reminders: ReminderSchedule;
  history: BookingHistory;
  conversations: ConversationStore;
  messenger: Messenger;
  notices?: StaffNotices;
}

/**
 * Cancels an appointment on the shop's behalf, the one way every such cancellation goes: the time
 * is freed in the calendar, its reminders dropped, the history marks it cancelled, the staff hear
 * of it (but `staffPhone`, who did it) and the customer is told `what` in their language. Run
 * again after a crash it only tells again; the appointment is gone already.
 *
 * @example
 * await cancelForShop(appointment, deps, { what: 'releasedUnconfirmed' });
 */
export async function cancelForShop(
  appointment: Appointment,
  deps: ShopCancellationDependencies,
  { what = 'cancelled', staffPhone }: { what?: ShopMessage; staffPhone?: string } = {},
): Promise<Delivery> {
  await deps.calendar.cancel(appointment.id);
  // The appointment is gone: what follows must not turn that into "could not cancel".
  try {
    await deps.reminders.cancelFor(appointment.id);
    await deps.history.record(appointment.phone, {
      bookingId: appointment.id,
      serviceId: appointment.serviceId,
      start: appointment.start,
      end: appointment.end,
      status: 'cancelled',
      at: deps.clock().toISOString(),
      ...(appointment.barberId !== undefined && { barberId: appointment.barberId }),
    });
    await deps.notices?.bookingChanged('cancelled', appointment, staffPhone ? { except: staffPhone } : {});
  } catch (error) {
    log.warn({ event: 'cancellation.after_delete_failed', bookingId: appointment.id, error: String(error) });
  }
  return tellCustomer(what, appointment, deps, staffPhone);
}
