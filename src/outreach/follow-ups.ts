import { randomUUID } from 'node:crypto';
import type { Language, ShopConfig } from '../../config/schema.ts';
import type {
  Appointment,
  BookingHistory,
  Calendar,
  Clock,
  ConversationStore,
  HistoryEntry,
  Messenger,
  OptOuts,
  Waitlist,
} from '../engine/ports.ts';
import { everySeconds } from '../engine/rounds.ts';
import { log, phoneRef } from '../log.ts';
import { rebookNudgeMessage, thankYouMessage } from '../messages/follow-ups.ts';
import type { OutboundMessage } from '../messages/whatsapp.ts';
import type { CitaMetrics } from '../metrics/registry.ts';
import { customerReach, isQuietHour, sendOutreach } from './outreach.ts';

const DAY_MS = 24 * 60 * 60_000;

/** A thank-you more than a day late (cita was down, or quiet hours) is not sent: it would puzzle. */
export const THANK_YOU_LATE_MS = DAY_MS;

/** A *¿Repetimos?* more than a week late is not sent: switching the nudge on does not write to every past customer. */
export const NUDGE_LATE_MS = 7 * DAY_MS;

/** How long one process may take for a round of follow-ups before another may. */
const FOLLOW_UP_LEAD_MS = 5 * 60_000;

export interface FollowUpDependencies {
  shop: ShopConfig;
  clock: Clock;
  calendar: Calendar;
  history: BookingHistory;
  conversations: ConversationStore;
  messenger: Messenger;
  optOuts: OptOuts;
  /** Its lead keeps the round to one process at a time, as for the waitlist's offers. */
  waitlist: Pick<Waitlist, 'lead' | 'stepDown'>;
  metrics?: CitaMetrics;
}

type FollowUpKind = 'rebook_nudge' | 'thank_you';

/** What a round of follow-ups did, for logs and tests. */
export interface FollowUpRound {
  nudged: number;
  thanked: number;
  /** Another process had the round, or it is quiet hours: nothing sent, the messages wait. */
  skipped: boolean;
}

/**
 * Follows up visits: one *¿Repetimos?* a service's `rebookAfterDays` after a visit with no later
 * booking, and a thank-you with the review link `afterVisit.minutesAfter` after an appointment
 * ends (at most one per customer every `afterVisit.minDaysBetween` days; off without `afterVisit`).
 * Each is sent at most once per visit (written in the customer's history before it goes out), never
 * to a customer who said "no más avisos", never in quiet hours (it waits), and as a template
 * outside the 24-hour window.
 */
export async function followUpVisits(deps: FollowUpDependencies): Promise<FollowUpRound> {
  const { shop, clock, waitlist } = deps;
  const round: FollowUpRound = { nudged: 0, thanked: 0, skipped: false };
  const nudging = shop.services.some((service) => service.rebookAfterDays !== undefined);
  if (!nudging && !shop.afterVisit) return round;
  if (isQuietHour(shop, clock())) return { ...round, skipped: true };
  const owner = `follow-ups:${randomUUID()}`;
  if (!(await waitlist.lead(owner, FOLLOW_UP_LEAD_MS, clock()))) return { ...round, skipped: true };
  try {
    if (shop.afterVisit) round.thanked = await thankVisits(shop.afterVisit, deps);
    if (nudging) round.nudged = await nudgeVisits(deps);
  } finally {
    await waitlist.stepDown(owner).catch(() => {});
  }
  if (round.nudged + round.thanked > 0) log.info({ event: 'follow_ups.round', ...round });
  return round;
}

async function thankVisits(afterVisit: NonNullable<ShopConfig['afterVisit']>, deps: FollowUpDependencies) {
  const now = deps.clock().getTime();
  const dueUntil = now - afterVisit.minutesAfter * 60_000;
  const visits = await deps.calendar.between({
    start: new Date(dueUntil - THANK_YOU_LATE_MS).toISOString(),
    end: new Date(dueUntil).toISOString(),
  });
  let sent = 0;
  for (const visit of visits) {
    const end = Date.parse(visit.end);
    if (end > dueUntil || end <= dueUntil - THANK_YOU_LATE_MS) continue;
    const history = await deps.history.list(visit.phone);
    const lastThanks = history.findLast((entry) => entry.status === 'thanked');
    if (lastThanks && Date.parse(lastThanks.at) > now - afterVisit.minDaysBetween * DAY_MS) continue;
    const message = (windowOpen: boolean, language: Language) =>
      thankYouMessage(deps.shop, afterVisit, { language, windowOpen });
    if (await followUp('thank_you', 'thanked', visit, message, deps)) sent++;
  }
  return sent;
}

async function nudgeVisits(deps: FollowUpDependencies) {
  const now = deps.clock().getTime();
  let sent = 0;
  for (const service of deps.shop.services) {
    if (service.rebookAfterDays === undefined) continue;
    const dueUntil = now - service.rebookAfterDays * DAY_MS;
    const visits = await deps.calendar.between({
      start: new Date(dueUntil - NUDGE_LATE_MS).toISOString(),
      end: new Date(dueUntil).toISOString(),
    });
    for (const visit of visits) {
      const end = Date.parse(visit.end);
      if (visit.serviceId !== service.id || end > dueUntil || end <= dueUntil - NUDGE_LATE_MS) continue;
      // Booked again since (kept, or still to come): the nudge has nothing to say.
      const later = await deps.calendar.upcomingFor(visit.phone, new Date(end));
      if (later.some((appointment) => appointment.id !== visit.id)) continue;
      const message = (windowOpen: boolean, language: Language) =>
        rebookNudgeMessage(visit, deps.shop, { language, windowOpen });
      if (await followUp('rebook_nudge', 'rebookNudged', visit, message, deps)) sent++;
    }
  }
  return sent;
}

/**
 * Sends one follow-up of a visit unless it went out already or the customer opted out. It is
 * written in the history first: a crash between that and the send loses one message rather than
 * sending it twice. Answers whether it went out.
 */
async function followUp(
  kind: FollowUpKind,
  status: Extract<HistoryEntry['status'], 'rebookNudged' | 'thanked'>,
  visit: Appointment,
  message: (windowOpen: boolean, language: Language) => OutboundMessage,
  deps: FollowUpDependencies,
): Promise<boolean> {
  const history = await deps.history.list(visit.phone);
  if (history.some((entry) => entry.bookingId === visit.id && entry.status === status)) return false;
  // The staff marked it *No vino*: no visit to thank for or to repeat.
  if (history.some((entry) => entry.bookingId === visit.id && entry.status === 'noShow')) {
    deps.metrics?.outreach.inc({ kind, outcome: 'no_show' });
    return false;
  }
  if (await deps.optOuts.isOptedOut(visit.phone)) {
    // Counted once: the history says it was considered.
    await record(status, visit, deps);
    deps.metrics?.outreach.inc({ kind, outcome: 'opted_out' });
    return false;
  }
  await record(status, visit, deps);
  try {
    const { language, windowOpen } = await customerReach(visit.phone, deps, deps.clock());
    const outcome = await sendOutreach(visit.phone, (open) => message(open, language), windowOpen, deps.messenger);
    deps.metrics?.outreach.inc({ kind, outcome });
    log.info({ event: `follow_up.${kind}`, phoneRef: phoneRef(visit.phone), bookingId: visit.id, outcome });
    return true;
  } catch (error) {
    deps.metrics?.outreach.inc({ kind, outcome: 'failed' });
    log.warn({ event: 'follow_up.failed', kind, phoneRef: phoneRef(visit.phone), error: String(error) });
    return false;
  }
}

function record(status: HistoryEntry['status'], visit: Appointment, deps: FollowUpDependencies) {
  return deps.history.record(visit.phone, {
    bookingId: visit.id,
    serviceId: visit.serviceId,
    start: visit.start,
    end: visit.end,
    status,
    at: deps.clock().toISOString(),
    ...(visit.barberId !== undefined && { barberId: visit.barberId }),
  });
}

/**
 * Follows up visits every `messaging.followUpEverySeconds`, one round at a time.
 *
 * @example
 * const followUps = startFollowUpLoop(deps);
 * await followUps.stop();
 */
export function startFollowUpLoop(deps: FollowUpDependencies) {
  return everySeconds(deps.shop.messaging.followUpEverySeconds, 'follow_ups.round_failed', () => followUpVisits(deps));
}
