import type { Language, ShopConfig } from '../../config/schema.ts';
import type { Booking } from '../../machines/booking.context.ts';
import { log, phoneRef } from '../log.ts';
import { calendarDocument } from '../messages/calendar-file.ts';
import type { OutboundMessage } from '../messages/whatsapp.ts';
import type { BookingHistory } from './ports.ts';

/** History entries that moved an appointment: each makes its calendar file's SEQUENCE one higher. */
const MOVES = new Set(['moved', 'movedByShop']);

/**
 * The customer's calendar file of appointments just booked or moved, each with its SEQUENCE: how
 * many times the history says it was moved (by the customer in the chat or by the shop in its
 * calendar). Read after the move is recorded, so a moved appointment's file always outranks the one
 * before it. Undefined when the history cannot be read: a file with a SEQUENCE too low would be
 * taken by some calendars as older than the one the customer has, so none is sent.
 *
 * @example
 * const file = await calendarFileFor([booking], phone, deps.history, shop, 'es', clock());
 */
export async function calendarFileFor(
  bookings: Pick<Booking, 'id' | 'serviceId' | 'serviceName' | 'start' | 'end' | 'barberId'>[],
  phone: string,
  history: BookingHistory,
  shop: ShopConfig,
  language: Language,
  stamp: Date,
): Promise<OutboundMessage | undefined> {
  if (bookings.length === 0) return undefined;
  try {
    const entries = await history.list(phone);
    const sequence = (id: string) =>
      entries.filter((entry) => entry.bookingId === id && MOVES.has(entry.status)).length;
    return calendarDocument(
      bookings.map((booking) => ({ ...booking, sequence: sequence(booking.id) })),
      shop,
      language,
      stamp,
    );
  } catch (error) {
    log.warn({ event: 'calendar_file.not_made', phoneRef: phoneRef(phone), error: String(error) });
    return undefined;
  }
}
