import type { calendar_v3 } from '@googleapis/calendar';
import { DateTime } from 'luxon';
import { z } from 'zod';
import type { Language } from '../../config/schema.ts';
import {
  Appointment,
  type BusyInterval,
  CalendarUnavailable,
  type Interval,
  type TimeBlock,
} from '../../src/engine/ports.ts';
import { quotedCustomerName } from '../../src/messages/customer-name.ts';

/**
 * How an appointment is written to, and read back from, a Google Calendar event. Only the fields
 * cita relies on are parsed; anything else the barber adds to the event is left alone.
 */

/** Minutes before the appointment the barber's phone pops up a reminder. */
export const REMINDER_MINUTES = 60;

const EventTime = z.object({ dateTime: z.string().optional(), date: z.string().optional() });

/** An event as the Calendar API returns it (events.get, events.list items, events.insert). */
export const CalendarEvent = z.object({
  id: z.string(),
  status: z.string().optional(),
  /** "transparent": shown as available, so it blocks nothing. */
  transparency: z.string().optional(),
  start: EventTime.optional(),
  end: EventTime.optional(),
  extendedProperties: z.object({ private: z.record(z.string(), z.string()).optional() }).optional(),
});
export type CalendarEvent = z.infer<typeof CalendarEvent>;

/** What cita keeps in an event's private extended properties: enough to rebuild the appointment and find it again. */
export const BookingProperties = z.object({
  bookingId: z.string(),
  phone: z.string(),
  serviceId: z.string(),
  serviceName: z.string(),
  customerName: z.string().optional(),
  /** Whose chair: the barber is recorded on the event, also when it sits in the shop's calendar. */
  barberId: z.string().optional(),
});
export type BookingProperties = z.infer<typeof BookingProperties>;

export const EventList = z.object({
  items: z.array(z.unknown()).default([]),
  nextPageToken: z.string().optional(),
});

const FreeBusyCalendar = z.object({
  busy: z
    .array(z.object({ start: z.iso.datetime({ offset: true }), end: z.iso.datetime({ offset: true }) }))
    .default([]),
  errors: z.array(z.object({ domain: z.string().optional(), reason: z.string().optional() })).default([]),
});
export const FreeBusyResponse = z.object({ calendars: z.record(z.string(), FreeBusyCalendar).default({}) });

/** The words of an event's description, in the shop's language: the barber reads it, not the customer. */
const DESCRIPTION: Record<
  Language,
  { barber: string; service: string; customer: string; noName: string; phone: string; booking: string; footer: string }
> = {
  es: {
    barber: 'Barbero',
    service: 'Servicio',
    customer: 'Cliente',
    noName: '(sin nombre)',
    phone: 'Teléfono',
    booking: 'Reserva',
    footer: 'Reservado por WhatsApp con cita.',
  },
  en: {
    barber: 'Barber',
    service: 'Service',
    customer: 'Customer',
    noName: '(no name given)',
    phone: 'Phone',
    booking: 'Booking',
    footer: 'Booked on WhatsApp through cita.',
  },
};

/**
 * A phone number as the calendar shows it: the country code and the last three digits, enough for
 * the barber to tell customers apart. Calendars are shared and synced to phones; the full number
 * stays in the event's private properties, which only cita reads.
 */
export function maskedPhone(phone: string): string {
  const hidden = Math.max(0, phone.length - 5);
  return `+${phone.slice(0, 2)} ${'•'.repeat(hidden)} ${phone.slice(2 + hidden)}`;
}

/**
 * The event cita inserts for an appointment: titled for the barber, described in the shop's
 * language, with a reminder, and nobody invited.
 */
export function eventFor(
  appointment: Appointment,
  timeZone: string,
  language: Language,
  barberName?: string,
): calendar_v3.Schema$Event {
  const words = DESCRIPTION[language];
  const phone = maskedPhone(appointment.phone);
  const properties: BookingProperties = {
    bookingId: appointment.id,
    phone: appointment.phone,
    serviceId: appointment.serviceId,
    serviceName: appointment.serviceName,
    ...(appointment.customerName ? { customerName: appointment.customerName } : {}),
    ...(appointment.barberId ? { barberId: appointment.barberId } : {}),
  };
  // The profile name is the customer's own words: quoted, so it never reads as cita's ("⚠️ CANCELADA").
  const named = appointment.customerName && quotedCustomerName(appointment.customerName);
  return {
    id: appointment.id,
    summary: `${appointment.serviceName} – ${named || phone}${barberName ? ` (${barberName})` : ''}`,
    description: [
      ...(barberName ? [`${words.barber}: ${barberName}`] : []),
      `${words.service}: ${appointment.serviceName}`,
      `${words.customer}: ${named || words.noName}`,
      `${words.phone}: ${phone}`,
      `${words.booking}: ${appointment.id}`,
      words.footer,
    ].join('\n'),
    start: { dateTime: appointment.start, timeZone },
    end: { dateTime: appointment.end, timeZone },
    extendedProperties: { private: properties },
    reminders: { useDefault: false, overrides: [{ method: 'popup', minutes: REMINDER_MINUTES }] },
  };
}

/** The event for time nobody may book: titled for the barber, opaque so free/busy counts it. */
export function blockEventFor(block: TimeBlock, timeZone: string): calendar_v3.Schema$Event {
  return {
    id: block.id,
    summary: `Bloqueado – ${block.by}`,
    description: 'Blocked through cita: no appointments are offered in this time.',
    start: { dateTime: block.start, timeZone },
    end: { dateTime: block.end, timeZone },
    transparency: 'opaque',
    extendedProperties: { private: { citaBlock: block.id, ...(block.barberId ? { barberId: block.barberId } : {}) } },
    reminders: { useDefault: false },
  };
}

/**
 * The appointment an event stands for, or undefined when the event is cancelled or was not written
 * by cita. Times come from the event itself, so an appointment the barber moved reads as moved.
 */
export function appointmentFrom(raw: unknown): Appointment | undefined {
  const event = CalendarEvent.parse(raw);
  if (event.status === 'cancelled') return undefined;
  const properties = BookingProperties.safeParse(event.extendedProperties?.private ?? {});
  const [start, end] = [event.start?.dateTime, event.end?.dateTime];
  if (!properties.success || !start || !end) return undefined;
  const { bookingId, customerName, barberId, ...rest } = properties.data;
  return Appointment.parse({
    ...rest,
    id: event.id,
    ...(customerName ? { customerName } : {}),
    ...(barberId ? { barberId } : {}),
    start: utc(start),
    end: utc(end),
  });
}

/** The booking id an event carries, if cita wrote it. */
export function bookingIdOf(raw: unknown): string | undefined {
  return CalendarEvent.parse(raw).extendedProperties?.private?.bookingId;
}

/** Whether the event is one that was deleted (Google keeps deleted events, with this status). */
export function isCancelled(raw: unknown): boolean {
  return CalendarEvent.parse(raw).status === 'cancelled';
}

/**
 * Busy intervals of one calendar from a free/busy answer. Google reports a calendar it could not
 * read with an `errors[]` entry and no busy time: that means "unknown", never "free". `hint` is
 * added when the reason is `notFound`, which is how an unshared calendar looks.
 */
export function busyFrom(raw: unknown, calendarId: string, hint = ''): Interval[] {
  const answer = FreeBusyResponse.safeParse(raw);
  if (!answer.success)
    throw new CalendarUnavailable(`free/busy answered something unexpected: ${answer.error.message}`);
  const calendar = answer.data.calendars[calendarId];
  if (!calendar) throw new CalendarUnavailable(`free/busy answered nothing for calendar ${calendarId}`);
  if (calendar.errors.length > 0) {
    const reasons = calendar.errors.map((e) => e.reason ?? 'unknown').join(', ');
    const unshared = calendar.errors.some((e) => e.reason === 'notFound');
    throw new CalendarUnavailable(`free/busy could not read calendar ${calendarId}: ${reasons}${unshared ? hint : ''}`);
  }
  return calendar.busy.map(({ start, end }) => ({ start: utc(start), end: utc(end) }));
}

/** Google answers in the calendar's offset ("…T10:00:00+01:00"); cita stores instants as UTC. */
function utc(dateTime: string): string {
  return new Date(dateTime).toISOString();
}

/**
 * Busy time of a calendar several barbers share, from its events: an event cita wrote for a
 * barber takes only that barber's chair; anything else (the owner's own blocks, a holiday) takes
 * every chair. Free/busy cannot tell them apart, so the shared calendar is read this way.
 */
export function busyByBarberFrom(items: unknown[], timeZone: string): BusyInterval[] {
  return items.flatMap((raw) => {
    const event = CalendarEvent.parse(raw);
    if (event.status === 'cancelled' || event.transparency === 'transparent') return [];
    const start = instantOf(event.start, timeZone);
    const end = instantOf(event.end, timeZone);
    if (!start || !end) return [];
    const barberId = event.extendedProperties?.private?.barberId;
    return [{ start, end, ...(barberId ? { barberId } : {}) }];
  });
}

/** An event time as a UTC instant; an all-day event's date counts from midnight in the shop. */
function instantOf(time: z.infer<typeof EventTime> | undefined, timeZone: string): string | undefined {
  if (time?.dateTime) return utc(time.dateTime);
  if (time?.date) return DateTime.fromISO(time.date, { zone: timeZone }).toUTC().toISO() ?? undefined;
  return undefined;
}
