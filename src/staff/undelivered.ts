import {
  type Appointment,
  type BookingHistory,
  type Calendar,
  type Clock,
  MESSAGE_STATUSES,
  type NoticeSettings,
  type Undelivered,
} from '../engine/ports.ts';
import { log, phoneRef } from '../log.ts';
import type { CitaMetrics } from '../metrics/registry.ts';
import type { StaffNotices } from './notices.ts';

/** A reply that fails this soon after a booking or a move was its confirmation. */
export const CONFIRMATION_WINDOW_MS = 15 * 60_000;

/**
 * How long the staff, once told of a refused template or of a customer whose window closed, are
 * not told of it again: by any process, after a restart too. A template still refused a day later
 * is told again.
 */
export const TOLD_AGAIN_AFTER_MS = 24 * 60 * 60_000;
/**
 * How long a refused token (190) is remembered, waiting for a message to go through again (then
 * the owners are told): longer than anyone takes to replace a token and restart.
 */
export const TOKEN_REFUSAL_KEPT_MS = 7 * 24 * 60 * 60_000;

/** The claim that holds the first refusal of the token, until a message goes through. */
const TOKEN_REFUSED = 'tokenRefused';

export interface UndeliveredDependencies {
  clock: Clock;
  calendar: Pick<Calendar, 'get'>;
  history: BookingHistory;
  /** Where the warnings given are kept, shared by every process of the shop. */
  noticeSettings: Pick<NoticeSettings, 'firstToTell' | 'endClaim'>;
  notices?: Pick<StaffNotices, 'customerNotReached' | 'templateRefused' | 'customerWindowClosed' | 'tokenRefused'>;
  metrics?: CitaMetrics;
}

/**
 * What cita does when WhatsApp refuses a message for good, at once (the send's error answer) or
 * later (a `failed` status): it counts it; a customer who could not be reached about an
 * appointment (its confirmation, reminder, or a change the shop made) gets a `notReached` entry in
 * the booking history; a change the shop made that never arrived is reported to the staff member
 * who made it (a refusal at once is already reported by the staff conversation itself); a refused
 * template is reported to the owners once per template, and a reply refused because the
 * customer's 24-hour window had closed (replies have no template) once per customer, each once a
 * day for the shop, whichever process sees it (`firstToTell`). A refused token (190) cannot be told
 * while it is refused: its first refusal is kept in the shared store, and `tokenTaken` tells the
 * owners once a message goes through again, in whichever process, after a restart too.
 *
 * @example
 * const report = undeliveredReporter({ clock, calendar, history, noticeSettings, notices, metrics });
 * messenger.onUndelivered?.(report);
 * messenger.onTokenTaken?.(report.tokenTaken);
 */
export function undeliveredReporter(deps: UndeliveredDependencies) {
  /** Whether this process is the one to tell the staff of `cause` (checked, so the claim comes first). */
  const firstToTell = (cause: string, forMs = TOLD_AGAIN_AFTER_MS, note?: string) =>
    deps.noticeSettings.firstToTell(cause, forMs, note);

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

  async function reportUndelivered(refusal: Undelivered): Promise<void> {
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
      if (kind === 'outsideWindow' && purpose === 'reply' && (await firstToTell(`window:${refusal.phone}`))) {
        await deps.notices?.customerWindowClosed(refusal.phone);
      }
      // The first refusal is when answers stopped going: kept until one goes through (`tokenTaken`).
      if (kind === 'tokenExpired') {
        await firstToTell(TOKEN_REFUSED, TOKEN_REFUSAL_KEPT_MS, deps.clock().toISOString());
      }
      // Claimed before telling: the notice may itself go as that template and be refused.
      if (kind === 'template' && refusal.template && (await firstToTell(`template:${refusal.template}`))) {
        await deps.notices?.templateRefused(refusal.template, refusal.details ?? `code ${refusal.code}`);
      }
    } catch (error) {
      log.warn(
        { event: 'whatsapp.undelivered_unrecorded', error: String(error) },
        'could not record an undelivered message',
      );
    }
  }

  /**
   * WhatsApp took a message: a refusal of the token kept from before is over, and the one process
   * that ends it tells the owners (the answers meanwhile were not sent).
   */
  async function tokenTaken(): Promise<void> {
    try {
      const since = await deps.noticeSettings.endClaim(TOKEN_REFUSED);
      if (since === undefined) return;
      log.warn(
        { event: 'whatsapp.token_works_again', refusedSince: since },
        'WhatsApp takes the access token again; the owners are told the answers meanwhile were not sent',
      );
      await deps.notices?.tokenRefused(since);
    } catch (error) {
      log.warn({ event: 'whatsapp.token_notice_failed', error: String(error) }, 'could not tell of the refused token');
    }
  }

  return Object.assign(reportUndelivered, { tokenTaken });
}
