import { createHash, randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import {
  barberById,
  barberHours,
  openingHoursOn,
  type ShopConfig,
  type StaffMember,
  serviceById,
} from '../../config/schema.ts';
import { WITH_STAFF } from '../../machines/booking.machine.ts';
import type { AgendaEntry, BlockRequest, Delivery, ResolvedBlock } from '../../machines/staff.context.ts';
import { searchWindow } from '../availability/slots.ts';
import {
  type Appointment,
  type BookingHistory,
  type Calendar,
  type Clock,
  type ConversationStore,
  type HistoryEntry,
  INTERNAL_ID_PREFIX,
  type InboundMessage,
  type Inbox,
  type Messenger,
  type NoticeSettings,
  type OptOuts,
  type ReminderSchedule,
} from '../engine/ports.ts';
import { log, phoneRef } from '../log.ts';
import { cleanCustomerName } from '../messages/customer-name.ts';
import { noShowsWithin, remindersAndConfirmation } from '../no-shows/policy.ts';
import { cancelForShop as cancelAppointment } from './cancel.ts';
import { tellCustomer } from './customer-messages.ts';
import type { StaffNotices } from './notices.ts';

export interface StaffStepDependencies {
  shop: ShopConfig;
  clock: Clock;
  calendar: Calendar;
  conversations: ConversationStore;
  history: BookingHistory;
  reminders: ReminderSchedule;
  /** Who said "no más avisos", marked in the agenda. */
  optOuts?: OptOuts;
  /** Where customers are written to (an appointment cancelled by the shop). */
  messenger: Messenger;
  /** Where a hand-back is queued, in the customer's own order. */
  /** The shop's own inbox: what it accepts is the shop's (a hand-back is queued for its customer). */
  inbox: { accept(message: Omit<InboundMessage, 'shop'>): ReturnType<Inbox['accept']> };
  noticeSettings: NoticeSettings;
  /** Tells the rest of the staff of an appointment cancelled for the shop. */
  notices?: StaffNotices;
}

/** Thrown when the asked-for time holds no opening hours at all (a closed day, "de 16 a 15"). */
export class NothingToBlock extends Error {}

/**
 * What the staff machine's actors do for one staff member, as plain functions. Each may run again
 * after a crash with the same input: a block has an id made of what it blocks, cancelling an
 * appointment already gone is a no-op, and a hand-back to a customer no longer with a person does nothing.
 */
export function staffStepsFor(member: StaffMember, deps: StaffStepDependencies) {
  const { shop, clock, calendar } = deps;

  // The owner's agenda comes a barber at a time, in the config's order, so its pages keep the groups together.
  const chairOrder = (barberId: string | undefined) => {
    const at = shop.barbers.findIndex((barber) => barber.id === barberId);
    return member.role !== 'owner' || at === -1 ? shop.barbers.length : at;
  };

  /**
   * Appointments this staff member sees, in the order the agenda lists them: their own chair's
   * (when bookings name one), or everyone's for the owner.
   */
  function theirs(appointments: (Appointment & { barberId?: string })[]): AgendaEntry[] {
    return appointments
      .filter((a) => member.role === 'owner' || !member.barberId || !a.barberId || a.barberId === member.barberId)
      .sort((a, b) => chairOrder(a.barberId) - chairOrder(b.barberId) || a.start.localeCompare(b.start))
      .map((a) => ({
        id: a.id,
        serviceId: a.serviceId,
        ...(serviceById(shop, a.serviceId) ? {} : { serviceName: a.serviceName }),
        start: a.start,
        end: a.end,
        phone: a.phone,
        ...(cleanCustomerName(a.customerName) && { customerName: cleanCustomerName(a.customerName) }),
        ...(a.barberId && { barberId: a.barberId }),
      }));
  }

  async function findAgenda({ date }: { date: string }): Promise<AgendaEntry[]> {
    const entries = theirs(await calendar.between(searchWindow(shop.timezone, [date])));
    // The staff see who asked for no more messages (so nobody writes to them by hand either).
    return Promise.all(
      entries.map(async (entry) =>
        (await deps.optOuts?.isOptedOut(entry.phone).catch(() => false)) ? { ...entry, optedOut: true } : entry,
      ),
    );
  }

  async function cancelForShop({ appointmentId }: { appointmentId: string }): Promise<Delivery> {
    const appointment = await calendar.get(appointmentId);
    if (!appointment) throw new Error(`no appointment ${appointmentId} to cancel`);
    const delivery = await cancelAppointment(appointment, deps, { staffPhone: member.phone });
    log.info({ event: 'booking.cancelled_by_shop', bookingId: appointmentId, by: member.role });
    return delivery;
  }

  async function askToMove({ appointmentId }: { appointmentId: string }): Promise<Delivery> {
    const appointment = await calendar.get(appointmentId);
    if (!appointment) throw new Error(`no appointment ${appointmentId} to move`);
    log.info({ event: 'booking.move_asked_by_shop', bookingId: appointmentId, by: member.role });
    return tellCustomer('moveRequest', appointment, deps, member.phone);
  }

  /**
   * Writes the no-show to the customer's history, once however often it is marked, and answers how
   * many they have in the shop's window. One who reaches the limit of a shop that asks for a
   * confirmation is asked about their appointments already booked as well.
   */
  async function recordNoShow({ appointmentId }: { appointmentId: string }): Promise<{ noShows?: number }> {
    const appointment = await calendar.get(appointmentId);
    if (!appointment) throw new Error(`no appointment ${appointmentId} to mark`);
    const now = clock();
    if (Date.parse(appointment.start) > now.getTime()) throw new Error(`appointment ${appointmentId} has not started`);
    const known = await deps.history.list(appointment.phone);
    const entry: HistoryEntry = {
      bookingId: appointment.id,
      serviceId: appointment.serviceId,
      start: appointment.start,
      end: appointment.end,
      status: 'noShow',
      at: now.toISOString(),
      ...(appointment.barberId !== undefined && { barberId: appointment.barberId }),
    };
    if (!known.some((e) => e.bookingId === appointment.id && e.status === 'noShow')) {
      await deps.history.record(appointment.phone, entry);
    }
    log.info({ event: 'booking.no_show', bookingId: appointmentId, by: member.role });
    const policy = shop.noShows;
    if (!policy) return {};
    const noShows = noShowsWithin([...known, entry], now, policy.windowDays);
    if (policy.policy === 'confirm' && noShows >= policy.limit) {
      for (const upcoming of await calendar.upcomingFor(appointment.phone, now)) {
        // Planned afresh: the question takes the place of the 24-hour reminder already planned.
        await deps.reminders.cancelFor(upcoming.id);
        await deps.reminders.plan(await remindersAndConfirmation(upcoming, deps, now));
      }
    }
    return { noShows };
  }

  /** The chair a block is for: the owner closing the shop, or the staff member's own (the shop's in a one-chair shop). */
  function chairOf(wholeShop: boolean): string | undefined {
    return wholeShop && member.role === 'owner' ? undefined : member.barberId;
  }

  async function checkBlock({ request }: { request: BlockRequest }) {
    const barberId = chairOf(request.wholeShop === true);
    const block = resolveBlock(request, shop, barberId);
    // What the block would clash with is that chair's, whatever the staff member may see.
    const affected = theirs(await calendar.between(block)).filter(
      (entry) => barberId === undefined || entry.barberId === undefined || entry.barberId === barberId,
    );
    return { block, affected };
  }

  async function blockTime({
    block,
    wholeShop,
    cancel,
  }: {
    block: ResolvedBlock;
    wholeShop: boolean;
    cancel: string[];
  }) {
    const barberId = chairOf(wholeShop);
    await calendar.block({
      id: blockIdFor(block, barberId),
      start: block.start,
      end: block.end,
      by: member.name,
      barberId,
    });
    let cancelled = 0;
    let notTold = 0;
    for (const appointmentId of cancel) {
      const delivery = await cancelForShop({ appointmentId });
      cancelled += 1;
      if (delivery === 'notSent') notTold += 1;
    }
    log.info({ event: 'time.blocked', wholeShop, cancelled, notTold });
    return { cancelled, notTold };
  }

  async function handBack({ phone }: { phone: string }): Promise<boolean> {
    const { conversation } = await deps.conversations.load(phone);
    const withStaff = (conversation?.snapshot as { value?: unknown } | undefined)?.value === WITH_STAFF;
    if (!withStaff) return false;
    // Queued as the customer's next message, so it cannot cross one of theirs being handled.
    await deps.inbox.accept({
      id: `${INTERNAL_ID_PREFIX}handback:${randomUUID()}`,
      phone,
      receivedAt: clock().toISOString(),
      content: { kind: 'handedBack' },
    });
    log.info({ event: 'handoff.handed_back', phoneRef: phoneRef(phone) });
    return true;
  }

  async function setNotices({ on }: { on: boolean }): Promise<boolean> {
    await deps.noticeSettings.setMuted(member.phone, !on);
    return on;
  }

  return { findAgenda, cancelForShop, askToMove, recordNoShow, checkBlock, blockTime, handBack, setNotices };
}

/**
 * The asked-for time within the day's opening hours (the barber's own, for one chair): no "from"
 * is opening time, no "to" closing time. Throws NothingToBlock when the chair is not open at all in it.
 */
export function resolveBlock(request: BlockRequest, shop: ShopConfig, barberId?: string): ResolvedBlock {
  const barber = barberById(shop, barberId);
  const hours = openingHoursOn(barber ? barberHours(shop, barber) : shop, request.date);
  if (hours.length === 0) throw new NothingToBlock(`closed on ${request.date}`);
  const from = request.from ?? hours[0]!.from;
  const to = request.to ?? hours.at(-1)!.to;
  if (from >= to) throw new NothingToBlock(`${from}–${to} is empty`);
  // Inside a closure (a lunch break, after hours) the chair is closed already: nothing to block.
  if (!hours.some((open) => open.from < to && from < open.to)) throw new NothingToBlock(`closed ${from}–${to}`);
  const at = (time: string) =>
    DateTime.fromISO(`${request.date}T${time}`, { zone: shop.timezone })
      .toUTC()
      .toISO({ suppressMilliseconds: false })!;
  return { date: request.date, from, to, start: at(from), end: at(to) };
}

/** The same time blocked for the same chair twice is one block: base32hex, as calendar ids must be. */
function blockIdFor(block: ResolvedBlock, barberId: string | undefined): string {
  const digest = createHash('sha256')
    .update(`block|${block.start}|${block.end}|${barberId ?? 'shop'}`)
    .digest('hex');
  return BigInt(`0x${digest.slice(0, 40)}`)
    .toString(32)
    .padStart(32, '0');
}
