import type { BookingHistory, HistoryEntry, SlotHolds } from '../engine/ports.ts';
import { log } from '../log.ts';
import type { CitaMetrics } from './registry.ts';

const CHANGES: Record<Exclude<HistoryEntry['status'], 'rebookNudged' | 'thanked'>, string> = {
  booked: 'created',
  cancelled: 'cancelled',
  moved: 'moved',
  attendanceConfirmed: 'attendance_confirmed',
  notReached: 'not_reached',
  movedByShop: 'moved_by_shop',
  cancelledByShop: 'cancelled_by_shop',
  noShow: 'no_show',
  attendanceAsked: 'attendance_asked',
};

/**
 * The booking history, counting each change as it is recorded: every booking, cancellation and
 * move is recorded there exactly once, whichever calendar holds the appointment.
 */
export function meteredHistory(history: BookingHistory, metrics: CitaMetrics, shop?: string): BookingHistory {
  return {
    async record(phone, entry) {
      await history.record(phone, entry);
      // A follow-up message sent is counted with the messages cita starts, not as a booking change.
      if (entry.status === 'rebookNudged' || entry.status === 'thanked') return;
      metrics.bookings.inc({ change: CHANGES[entry.status] });
      if (shop !== undefined) metrics.shopBookings.inc({ shop, change: CHANGES[entry.status] });
      log.info(
        {
          event: 'booking.recorded',
          change: CHANGES[entry.status],
          serviceId: entry.serviceId,
          ...(entry.barberId && { barberId: entry.barberId }),
        },
        'booking change',
      );
    },
    list: (phone) => history.list(phone),
  };
}

/**
 * Slot holds, counting each attempt as taken or refused (someone else holds part of the slot).
 * Booking takes the customer's hold once more right before writing, and that counts too.
 */
export function meteredHolds(holds: SlotHolds, metrics: CitaMetrics): SlotHolds {
  return {
    async acquire(hold, ttlMs) {
      const taken = await holds.acquire(hold, ttlMs);
      metrics.holds.inc({ result: taken ? 'taken' : 'refused' });
      log.debug({ event: 'hold.acquire', taken }, taken ? 'slot held' : 'slot held by someone else');
      return taken;
    },
    release: (hold) => holds.release(hold),
    overlapping: (window) => holds.overlapping(window),
  };
}
