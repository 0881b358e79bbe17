import { randomBytes, randomUUID } from 'node:crypto';
import { type ShopConfig, shopToday } from '../../config/schema.ts';
import type { Slot } from '../../machines/booking.context.ts';
import { type BookingDependencies, bookingStepsFor, heldSlot } from '../engine/booking-actors.ts';
import type { ConversationStore, Messenger, Waitlist, WaitlistEntry, WaitlistOffer } from '../engine/ports.ts';
import { everySeconds } from '../engine/rounds.ts';
import { log, phoneRef } from '../log.ts';
import { waitlistOfferMessage } from '../messages/waitlist-offer.ts';
import type { CitaMetrics } from '../metrics/registry.ts';
import { customerReach, isQuietHour, sendOutreach } from '../outreach/outreach.ts';

/** How long one process may take to offer a shop's freed time before another may (it steps down sooner). */
export const OFFER_ROUND_LEAD_MS = 2 * 60_000;

export interface WaitlistDependencies extends BookingDependencies {
  waitlist: Waitlist;
  conversations: ConversationStore;
  messenger: Messenger;
  metrics?: CitaMetrics;
}

/** What a look at the waitlists did, for logs and tests. */
export interface WaitlistRound {
  /** Freed times held and offered to the first customer on a day's list whose wish fits. */
  offered: number;
  /** Offers nobody answered in time: the customer goes to the back of the list, the time to the next. */
  unanswered: number;
  /** Entries of days that have passed, dropped. */
  expired: number;
  /** Another process is offering right now, or it is quiet hours: nothing new offered. */
  skipped: boolean;
}

/**
 * One look at the shop's waitlists: entries of past days are dropped; offers left unanswered past
 * their hold put their customer at the back of the list and let the time go; then each day's free
 * time is offered, held for `booking.waitlistHoldMinutes`, to the first customer whose wish
 * (service, barber or anyone, part of the day) it fits, one offer per customer at a time. Nothing
 * new goes out in quiet hours. One process at a time makes offers (the waitlist's lead), so a
 * freed time is offered once, whichever process saw it free; a customer booking it directly meanwhile
 * is kept out by the hold, as with any held slot.
 */
export async function offerFreedTime(deps: WaitlistDependencies): Promise<WaitlistRound> {
  const { shop, clock, waitlist } = deps;
  const round: WaitlistRound = { offered: 0, unanswered: 0, expired: 0, skipped: false };
  // Each round leads on its own, so two rounds of one process do not run together either.
  const owner = randomUUID();
  if (!(await waitlist.lead(owner, OFFER_ROUND_LEAD_MS, clock()))) return { ...round, skipped: true };
  try {
    const today = shopToday(shop, clock());
    const quiet = isQuietHour(shop, clock());
    for (const date of await waitlist.days()) {
      const entries = await waitlist.waiting(date);
      if (date < today) {
        for (const entry of entries) if (await release(await waitlist.leave(entry.phone, date), deps)) round.expired++;
        continue;
      }
      for (const entry of entries.filter((e) => e.offer && Date.parse(e.offer.expiresAt) <= clock().getTime())) {
        const ended = await waitlist.endOffer(entry.phone, entry.offer!.id, { requeue: true });
        if (!ended) continue;
        await release(ended, deps);
        round.unanswered++;
        deps.metrics?.outreach.inc({ kind: 'waitlist_offer', outcome: 'unanswered' });
      }
      if (quiet) {
        round.skipped = true;
        continue;
      }
      round.offered += await offerDay(date, deps);
    }
  } finally {
    await waitlist.stepDown(owner).catch(() => {});
  }
  if (round.offered + round.unanswered + round.expired > 0) log.info({ event: 'waitlist.round', ...round });
  return round;
}

/** Offers the day's free time to those waiting on it, first come first. Answers how many were offered one. */
async function offerDay(date: string, deps: WaitlistDependencies): Promise<number> {
  let offered = 0;
  for (const entry of await deps.waitlist.waiting(date)) {
    if (entry.offer) continue;
    // Opted out since joining (or on another shop's side of a shared store): never written to.
    if (await deps.optOuts?.isOptedOut(entry.phone)) {
      await deps.waitlist.leave(entry.phone, date);
      deps.metrics?.outreach.inc({ kind: 'waitlist_offer', outcome: 'opted_out' });
      continue;
    }
    const offer = await holdFittingTime(entry, deps);
    if (!offer) continue;
    if (!(await deps.waitlist.startOffer(entry.phone, date, offer))) {
      await release({ ...entry, offer }, deps);
      continue;
    }
    offered++;
    await tellCustomer(entry, offer, deps);
  }
  return offered;
}

/** Holds the first free time of the day that fits the customer's wish, for the waitlist's hold time. */
async function holdFittingTime(entry: WaitlistEntry, deps: WaitlistDependencies): Promise<WaitlistOffer | undefined> {
  const shop: ShopConfig = {
    ...deps.shop,
    booking: { ...deps.shop.booking, holdMinutes: deps.shop.booking.waitlistHoldMinutes },
  };
  const steps = bookingStepsFor({ phone: entry.phone }, { ...deps, shop });
  const { slots } = await steps.findFreeSlots({
    serviceId: entry.serviceId,
    date: entry.date,
    barberId: entry.barberId,
  });
  for (const slot of slots.filter((s) => fits(s, entry))) {
    try {
      const hold = await steps.holdSlot({ serviceId: entry.serviceId, slot, barberId: entry.barberId });
      return {
        id: randomBytes(8).toString('hex'),
        serviceId: entry.serviceId,
        slot: hold.slot,
        ...(hold.barberId !== undefined && { barberId: hold.barberId }),
        holdToken: hold.token,
        expiresAt: hold.expiresAt,
      };
    } catch {
      // Taken between the look and the hold: the next free time may still fit.
    }
  }
  return undefined;
}

function fits(slot: Slot, entry: WaitlistEntry): boolean {
  return entry.from === undefined || entry.to === undefined || (slot.time >= entry.from && slot.time < entry.to);
}

async function tellCustomer(entry: WaitlistEntry, offer: WaitlistOffer, deps: WaitlistDependencies): Promise<void> {
  const { shop, messenger, clock } = deps;
  try {
    const { language, windowOpen } = await customerReach(entry.phone, deps, clock());
    const message = (open: boolean) => waitlistOfferMessage(offer, shop, { language, windowOpen: open });
    const outcome = await sendOutreach(entry.phone, message, windowOpen, messenger);
    deps.metrics?.outreach.inc({ kind: 'waitlist_offer', outcome });
    log.info({ event: 'waitlist.offered', phoneRef: phoneRef(entry.phone), date: entry.date, outcome });
  } catch (error) {
    // Not delivered: the offer stands until it expires, then the next customer is asked.
    deps.metrics?.outreach.inc({ kind: 'waitlist_offer', outcome: 'failed' });
    log.warn({ event: 'waitlist.offer_failed', phoneRef: phoneRef(entry.phone), error: String(error) });
  }
}

/** Lets go of the time an ended entry's offer held. Answers whether there was an entry. */
async function release(entry: WaitlistEntry | undefined, { holds, shop }: WaitlistDependencies): Promise<boolean> {
  if (!entry) return false;
  const offer = entry.offer;
  if (offer) {
    const held = heldSlot(entry.phone, offer.slot, offer.holdToken, shop.booking.bufferMinutes, offer.barberId);
    await holds.release(held).catch((error) => log.warn({ event: 'hold.release_failed', error: String(error) }));
  }
  return true;
}

/**
 * Looks at the waitlists every `waitlist.checkEverySeconds`, one look at a time.
 *
 * @example
 * const waitlist = startWaitlistLoop(deps);
 * await waitlist.stop();
 */
export function startWaitlistLoop(deps: WaitlistDependencies) {
  return everySeconds(deps.shop.waitlist.checkEverySeconds, 'waitlist.round_failed', () => offerFreedTime(deps));
}
