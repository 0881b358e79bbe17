import {
  type Appointment,
  type BookingHistory,
  type Calendar,
  type Clock,
  MESSAGE_STATUSES,
  type Undelivered,
} from '../engine/ports.ts';
import { log, phoneRef } from '../log.ts';
import type { CitaMetrics } from '../metrics/registry.ts';
import type { StaffNotices } from './notices.ts';

/** A reply that fails this soon after a booking or a move was its confirmation. */
export const CONFIRMATION_WINDOW_MS = 15 * 60_000;

/** Customers remembered as already reported for a closed window. */
const TOLD_CUSTOMERS = 1_000;

export interface UndeliveredDependencies {
  clock: Clock;
  calendar: Pick<Calendar, 'get'>;
  history: BookingHistory;
  notices?: Pick<StaffNotices, 'customerNotReached' | 'templateRefused' | 'customerWindowClosed'>;
  metrics?: CitaMetrics;
}

/**
 * What cita does when WhatsApp refuses a message for good, at once (the send's error answer) or
 * later (a `failed` status): it counts it; a customer who could not be reached about an
 * appointment (its confirmation, reminder, or a change the shop made) gets a `notReached` entry in
 * the booking history; a change the shop made that never arrived is reported to the staff member
 * who made it (a refusal at once is already reported by the staff conversation itself); a refused
 * template is reported to the owners once per template, and a reply refused because the
 * customer's 24-hour window had closed (replies have no template) once per customer.
 *
 * @example
 * const report = undeliveredReporter({ clock, calendar, history, notices, metrics });
 * messenger.onUndelivered?.(report);
 */
export function undeliveredReporter(deps: UndeliveredDependencies) {
  const toldTemplates = new Set<string>();
  /** Customers the owners were told about, once each (a bounded set: the oldest are forgotten). */
  const toldWindows = new Set<string>();

  async function bookingOf(refusal: Undelivered): Promise<string | undefined> {
    if (refusal.bookingId) return refusal.bookingId;
    if (refusal.purpose !== 'reply') return undefined;
    const recent = deps.clock().getTime() - CONFIRMATION_WINDOW_MS;
    const entries = await deps.history.list(refusal.phone);
    const confirmed = entries.findLast(
      (entry) => (entry.status === 'booked' || entry.status === 'moved') && Date.parse(entry.at) >= recent,
    );
    return confirmed?.bookingId;
  }

  /** The appointment as the calendar has it, or, once cancelled, as the history last recorded it. */
  async function appointmentOf(phone: string, bookingId: string): Promise<Appointment | undefined> {
    const live = await deps.calendar.get(bookingId);
    if (live) return live;
    const entry = (await deps.history.list(phone)).findLast(
      (e) => e.bookingId === bookingId && !MESSAGE_STATUSES.has(e.status),
    );
    if (!entry) return undefined;
    const { serviceId, start, end, barberId } = entry;
    return { id: bookingId, serviceId, serviceName: serviceId, phone, start, end, ...(barberId ? { barberId } : {}) };
  }

  return async function reportUndelivered(refusal: Undelivered): Promise<void> {
    const { reason: kind, purpose } = refusal;
    deps.metrics?.undelivered.inc({ purpose, reason: kind });
    try {
      const customerMissed = kind === 'unreachable' || (kind === 'outsideWindow' && refusal.later);
      if (customerMissed && purpose !== 'staffNotice') {
        const bookingId = await bookingOf(refusal);
        const appointment = bookingId ? await appointmentOf(refusal.phone, bookingId) : undefined;
        if (appointment) {
          await deps.history.record(refusal.phone, {
            bookingId: appointment.id,
            serviceId: appointment.serviceId,
            start: appointment.start,
            end: appointment.end,
            status: 'notReached',
            at: deps.clock().toISOString(),
            ...(appointment.barberId ? { barberId: appointment.barberId } : {}),
          });
          if (purpose === 'customerNotice' && refusal.later)
            await deps.notices?.customerNotReached(appointment, refusal.staffPhone);
        }
        log.warn(
          {
            event: 'whatsapp.customer_not_reached',
            phoneRef: phoneRef(refusal.phone),
            purpose,
            code: refusal.code,
            bookingId,
          },
          'WhatsApp could not deliver to the customer',
        );
      }
      // A reply has no template to fall back on: the owners are told, once per customer.
      if (kind === 'outsideWindow' && purpose === 'reply' && !toldWindows.has(refusal.phone)) {
        toldWindows.add(refusal.phone);
        if (toldWindows.size > TOLD_CUSTOMERS) toldWindows.delete(toldWindows.values().next().value!);
        await deps.notices?.customerWindowClosed(refusal.phone);
      }
      if (kind === 'template' && refusal.template && !toldTemplates.has(refusal.template)) {
        // Marked before telling: the notice may itself go as that template and be refused.
        toldTemplates.add(refusal.template);
        await deps.notices?.templateRefused(refusal.template, refusal.details ?? `code ${refusal.code}`);
      }
    } catch (error) {
      log.warn(
        { event: 'whatsapp.undelivered_unrecorded', error: String(error) },
        'could not record an undelivered message',
      );
    }
  };
}
