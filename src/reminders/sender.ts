import { z } from 'zod';
import { Language, type ShopConfig } from '../../config/schema.ts';
import {
  type Appointment,
  type BookingHistory,
  type Calendar,
  type Clock,
  type ConversationStore,
  CustomerUnreachable,
  type Messenger,
  type OptOuts,
  OutsideCustomerWindow,
  REMINDER_LEASE_MS,
  type Reminder,
  type ReminderSchedule,
} from '../engine/ports.ts';
import { everySeconds } from '../engine/rounds.ts';
import { log, phoneRef } from '../log.ts';
import { reminderMessage } from '../messages/reminder.ts';
import type { CitaMetrics } from '../metrics/registry.ts';
import { confirmationOf } from '../no-shows/policy.ts';
import { cancelForShop } from '../staff/cancel.ts';
import { tellCustomer } from '../staff/customer-messages.ts';
import type { StaffNotices } from '../staff/notices.ts';

/** WhatsApp lets a business write freely for 24 hours after the customer's last message. */
export const CUSTOMER_WINDOW_MS = 24 * 60 * 60_000;

/** Reminders taken per look: a backlog after downtime goes out over a few ticks, not in one burst. */
const CLAIM_BATCH = 20;

/** The part of a claim's lease a round may spend sending; the rest is margin for the send under way. */
const LEASE_BUDGET_MS = REMINDER_LEASE_MS - 90_000;

export interface ReminderDependencies {
  shop: ShopConfig;
  clock: Clock;
  schedule: ReminderSchedule;
  calendar: Calendar;
  conversations: ConversationStore;
  messenger: Messenger;
  /** Who asked for no more messages; without it every reminder goes out. */
  optOuts?: OptOuts;
  metrics?: CitaMetrics;
  /** Where a confirmation asked for, and one given, are recorded (customers over the no-show limit). */
  history: BookingHistory;
  /** Told of an appointment released for want of a confirmation. */
  notices?: StaffNotices;
}

/** What a look at the schedule did, for logs and tests. */
export interface ReminderRound {
  sent: number;
  skipped: number;
  failed: number;
}

/** The saved conversation's language and last message time, read loosely: it may be from any machine version. */
const SpokenContext = z.object({
  context: z.object({ language: Language, receivedAt: z.iso.datetime().optional() }),
});

/**
 * Sends the reminders that are due. Each is claimed atomically for a lease, so with several
 * processes each goes out once, and one claimed by a process that crashed goes out after the
 * lease. One whose appointment was cancelled or moved since it was planned is dropped (the move
 * planned its own). When several of an appointment's reminders are due at once (after downtime)
 * only the latest is sent. A reminder WhatsApp would not take is planned again.
 */
export async function sendDueReminders(
  deps: ReminderDependencies,
  { shouldStop = () => false }: { shouldStop?: () => boolean } = {},
): Promise<ReminderRound> {
  const { clock, schedule } = deps;
  const now = clock();
  const claimedAt = performance.now();
  const due = await schedule.claimDue(now, CLAIM_BATCH);
  const toSend = latestPerAppointment(due);
  const round: ReminderRound = { sent: 0, skipped: due.length - toSend.length, failed: 0 };
  for (const reminder of due) if (!toSend.includes(reminder)) await forget(reminder, deps);
  for (const reminder of toSend) {
    // Past most of the lease (a slow WhatsApp or calendar), or shutting down: the rest are left to
    // be claimed again when the lease ends, rather than sent while another process may take them.
    if (shouldStop() || performance.now() - claimedAt > LEASE_BUDGET_MS) break;
    round[await sendOne(reminder, now, deps)] += 1;
  }
  if (due.length > 0) log.info({ event: 'reminders.round', ...round }, 'reminders sent');
  return round;
}

async function sendOne(reminder: Reminder, now: Date, deps: ReminderDependencies): Promise<keyof ReminderRound> {
  const { shop, calendar, conversations, messenger, schedule } = deps;
  const context = { bookingId: reminder.bookingId, phoneRef: phoneRef(reminder.phone) };
  try {
    // "No más avisos" stops reminders too, unless the shop keeps them for those who booked.
    if (!shop.messaging.remindersAfterOptOut && (await deps.optOuts?.isOptedOut(reminder.phone))) {
      log.info({ event: 'reminder.skipped', ...context }, 'the customer opted out of messages');
      deps.metrics?.outreach.inc({ kind: 'reminder', outcome: 'opted_out' });
      await forget(reminder, deps);
      return 'skipped';
    }
    const appointment = await calendar.get(reminder.bookingId);
    const stillAsPlanned = appointment && Date.parse(appointment.start) === Date.parse(reminder.start);
    if (!stillAsPlanned || Date.parse(reminder.start) <= now.getTime()) {
      log.info({ event: 'reminder.skipped', ...context }, 'appointment cancelled, moved or already started');
      await forget(reminder, deps);
      return 'skipped';
    }
    if (reminder.kind) return await confirmationStep(reminder, appointment, deps);
    const { conversation } = await conversations.load(reminder.phone);
    const spoken = SpokenContext.safeParse(conversation?.snapshot);
    const lastMessage = spoken.success ? spoken.data.context.receivedAt : undefined;
    const windowOpen = lastMessage !== undefined && now.getTime() - Date.parse(lastMessage) < CUSTOMER_WINDOW_MS;
    const language = spoken.success ? spoken.data.context.language : shop.languages.default;
    const send = (open: boolean) =>
      messenger.send(reminder.phone, [reminderMessage(appointment, shop, { language, windowOpen: open })], undefined, {
        purpose: 'reminder',
        bookingId: reminder.bookingId,
      });
    let asTemplate = !windowOpen;
    try {
      await send(windowOpen);
    } catch (error) {
      // WhatsApp knows the window better than the last message we saw (131047): the template it is.
      if (!(windowOpen && error instanceof OutsideCustomerWindow)) throw error;
      await send(false);
      asTemplate = true;
    }
    deps.metrics?.outreach.inc({ kind: 'reminder', outcome: asTemplate ? 'template' : 'sent' });
    log.info({ event: 'reminder.sent', ...context, windowOpen, minutesBefore: reminder.minutesBefore });
    await forget(reminder, deps);
    return 'sent';
  } catch (error) {
    deps.metrics?.outreach.inc({ kind: 'reminder', outcome: 'failed' });
    // WhatsApp cannot reach this customer: trying again would fail again (the history says so).
    if (error instanceof CustomerUnreachable) {
      log.warn({ event: 'reminder.unreachable', ...context }, 'customer unreachable on WhatsApp; reminder not sent');
      await forget(reminder, deps);
      return 'failed';
    }
    // Claimed but not delivered: put it back so the next look tries again (or, if even that
    // fails, it is handed out again when its lease ends).
    const planned = await schedule.plan([reminder]).then(
      () => true,
      () => false,
    );
    log.warn(
      { event: 'reminder.failed', ...context, error: String(error), plannedAgain: planned },
      planned ? 'reminder not sent; planned again' : 'reminder not sent and could not be planned again',
    );
    return 'failed';
  }
}

/**
 * A customer over the shop's no-show limit: the question the day before (recorded as asked once
 * WhatsApp takes it), or at its deadline the release of the appointment, cancelled for the shop as
 * any cancellation is, and the customer told. Never released unless asked and unanswered.
 */
async function confirmationStep(
  reminder: Reminder,
  appointment: Appointment,
  deps: ReminderDependencies,
): Promise<keyof ReminderRound> {
  const { history, clock } = deps;
  const context = { bookingId: reminder.bookingId, phoneRef: phoneRef(reminder.phone) };
  const { askedAt, confirmed } = confirmationOf(await history.list(reminder.phone), appointment.id, appointment.start);
  // Asked only after the deadline (cita was down): the customer never had the time to answer.
  const askedInTime = askedAt !== undefined && Date.parse(askedAt) < Date.parse(reminder.dueAt);
  if (confirmed || (reminder.kind === 'releaseUnconfirmed' && !askedInTime)) {
    log.info({ event: 'no_show.confirmation_skipped', ...context, kind: reminder.kind, confirmed, askedAt });
    await forget(reminder, deps);
    return 'skipped';
  }
  if (reminder.kind === 'confirmAttendance') {
    const delivery = await tellCustomer('confirmAttendance', appointment, deps);
    // Not asked, never released: the appointment stands as booked.
    if (delivery === 'notSent') {
      log.warn({ event: 'no_show.confirmation_not_sent', ...context });
      await forget(reminder, deps);
      return 'failed';
    }
    if (askedAt === undefined) {
      await history.record(reminder.phone, {
        bookingId: appointment.id,
        serviceId: appointment.serviceId,
        start: appointment.start,
        end: appointment.end,
        status: 'attendanceAsked',
        at: clock().toISOString(),
        ...(appointment.barberId !== undefined && { barberId: appointment.barberId }),
      });
    }
    log.info({ event: 'no_show.confirmation_asked', ...context, delivery });
  } else {
    const delivery = await cancelForShop(
      appointment,
      { ...deps, reminders: deps.schedule },
      { what: 'releasedUnconfirmed' },
    );
    log.info({ event: 'no_show.released_unconfirmed', ...context, delivery });
  }
  await forget(reminder, deps);
  return 'sent';
}

/** Done with a reminder; if Redis cannot hear it now, the lease ends and the sender's checks catch a repeat. */
async function forget(reminder: Reminder, { schedule }: ReminderDependencies): Promise<void> {
  await schedule.done(reminder).catch((error) => log.warn({ event: 'reminder.done_failed', error: String(error) }));
}

/** Of the reminders of one appointment due at once, the latest; a confirmation's steps each go. */
function latestPerAppointment(reminders: Reminder[]): Reminder[] {
  const latest = new Map<string, Reminder>();
  for (const reminder of reminders) {
    const key = `${reminder.bookingId}:${reminder.kind ?? 'reminder'}`;
    const kept = latest.get(key);
    if (!kept || reminder.minutesBefore < kept.minutesBefore) latest.set(key, reminder);
  }
  return [...latest.values()];
}

/**
 * Looks for due reminders every `checkEverySeconds` of the shop's config, one look at a time.
 *
 * @example
 * const reminders = startReminderLoop(deps);
 * await reminders.stop();
 */
export function startReminderLoop(deps: ReminderDependencies) {
  // A round stopped early ends after the reminder it is sending.
  return everySeconds(deps.shop.reminders.checkEverySeconds, 'reminders.failed', (shouldStop) =>
    sendDueReminders(deps, { shouldStop }),
  );
}
