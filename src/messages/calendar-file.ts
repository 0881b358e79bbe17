import ical, { ICalCalendarMethod, ICalEventStatus } from 'ical-generator';
import type { Language, ShopConfig } from '../../config/schema.ts';
import { serviceById, whereBooked } from '../../config/schema.ts';
import { localDate } from './format.ts';
import { COPY, withBarber } from './views.ts';
import type { OutboundMessage } from './whatsapp.ts';

/**
 * The right-hand side of every event's UID. A UID must never change for the life of the
 * appointment (a moved one replaces the event in the customer's calendar only when it matches);
 * the booking id on the left is already unique (a hash over the customer, the time and a random
 * hold token), so the domain only has to stay the same. `.invalid` is reserved (RFC 2606) for names
 * that never resolve: nobody else's UIDs can end in it.
 */
export const CALENDAR_UID_DOMAIN = 'cita.invalid';

/** An appointment as the file shows it. */
export interface CalendarEntry {
  id: string;
  serviceId: string;
  /** The name it was booked under, for a service the shop has taken out since. */
  serviceName?: string;
  start: string;
  end: string;
  barberId?: string;
  /**
   * How many times the appointment was moved: iCalendar's SEQUENCE. A calendar replaces an event
   * it already has (same UID) only with a higher one.
   */
  sequence: number;
}

/** The event's UID: the booking id, which a move keeps. */
export function calendarUid(bookingId: string): string {
  return `${bookingId}@${CALENDAR_UID_DOMAIN}`;
}

/**
 * The appointments as an iCalendar file (RFC 5545) that Google, Apple and Outlook calendars open:
 * METHOD:PUBLISH (a file to keep, not an invitation: there is no organizer to answer), one VEVENT
 * per appointment with its UID, SEQUENCE, DTSTAMP, times in UTC (an appointment is one instant,
 * never repeated, so no VTIMEZONE is needed and every calendar shows it in the phone's own zone),
 * the service and the shop as SUMMARY and the shop's address as LOCATION. ical-generator writes
 * the lines: CRLF, folding at 75 octets and text escaping are its job.
 *
 * @example
 * calendarFile([{ id, serviceId: 'corte', start, end, sequence: 0 }], shop, 'es', new Date())
 */
export function calendarFile(entries: CalendarEntry[], shop: ShopConfig, language: Language, stamp: Date): string {
  const copy = COPY[language].calendarFile;
  const calendar = ical({
    prodId: { company: 'cita', product: 'cita', language: language.toUpperCase() },
    method: ICalCalendarMethod.PUBLISH,
  });
  for (const entry of entries) {
    const service = serviceById(shop, entry.serviceId)?.name[language] ?? entry.serviceName ?? entry.serviceId;
    // In a chain, where this appointment is: its location's address, pin and phone.
    const there = whereBooked(shop, entry.barberId);
    calendar.createEvent({
      id: calendarUid(entry.id),
      sequence: entry.sequence,
      stamp,
      start: new Date(entry.start),
      end: new Date(entry.end),
      summary: copy.summary(withBarber(service, entry.barberId, there, language), shop.name),
      location: there.location
        ? { title: there.address, geo: { lat: there.location.latitude, lon: there.location.longitude } }
        : there.address,
      description: copy.description(there.phone),
      status: ICalEventStatus.CONFIRMED,
    });
  }
  // Every content line ends with CRLF (RFC 5545 3.1), the last one too; the library leaves it off.
  return `${calendar.toString()}\r\n`;
}

/**
 * The file as a message: a document the customer taps to add the appointment to their calendar.
 * Named after the first appointment's day; the `.ics` ending is what makes phones open it with
 * their calendar.
 */
export function calendarDocument(
  entries: CalendarEntry[],
  shop: ShopConfig,
  language: Language,
  stamp: Date,
): OutboundMessage {
  const copy = COPY[language].calendarFile;
  const first = entries[0];
  const filename = `${copy.filename}${first ? `-${localDate(first.start, shop.timezone)}` : ''}.ics`;
  return {
    kind: 'document',
    filename,
    mimeType: 'text/calendar',
    content: calendarFile(entries, shop, language, stamp),
    caption: copy.caption,
    body: `📅 ${copy.caption}: ${filename}`,
  };
}
