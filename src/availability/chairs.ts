import { ANY_BARBER, barberHours, barbersFor, type ShopConfig } from '../../config/schema.ts';
import type { DayAvailability, NoSlotsReason, Slot } from '../../machines/booking.context.ts';
import {
  type BookingRules,
  type DaySearch,
  dayAvailability,
  dayShutReason,
  type HeldInterval,
  type Interval,
} from './slots.ts';

/** One chair that can take the appointment: a barber and their hours, or the shop itself when it has no barbers. */
export interface Chair {
  barberId?: string;
  rules: BookingRules;
}

/** Busy time or a hold, of one barber's chair or (no barber) of every chair. */
export type ChairInterval = Interval & { barberId?: string };

export interface ChairsSearch extends Omit<DaySearch, 'rules' | 'busy' | 'holds'> {
  chairs: Chair[];
  busy: ChairInterval[];
  holds: (HeldInterval & { barberId?: string })[];
}

/** The day's free times over several chairs, and who is free at each. */
export interface ChairsDay extends DayAvailability {
  /** Per offered time ("17:00"), the barbers free then, in the config's order; none listed for a shop without barbers. */
  freeAt: Record<string, string[]>;
}

/**
 * The chairs that can do the service: the barbers who do it (only `barberId`, when the customer
 * named one), or the shop as one chair when it has no barbers.
 *
 * @example
 * chairsFor(shop, 'corte', 'any') // [{ barberId: 'javi', rules }, { barberId: 'lucia', rules }, …]
 */
export function chairsFor(shop: ShopConfig, serviceId: string, barberId?: string): Chair[] {
  if (shop.barbers.length === 0) return [{ rules: shop }];
  return barbersFor(shop, serviceId)
    .filter((barber) => barberId === undefined || barberId === ANY_BARBER || barber.id === barberId)
    .map((barber) => ({ barberId: barber.id, rules: barberHours(shop, barber) }));
}

/**
 * The free start times of one day over several chairs: each chair's own availability (its hours,
 * its busy time and holds, and what blocks every chair), joined by time. A pure function like
 * `dayAvailability`, which it runs once per chair.
 *
 * @example
 * chairsAvailability({ chairs: chairsFor(shop, 'corte', 'any'), date, durationMinutes: 30, busy, holds, phone, now })
 * // { slots: [...], freeAt: { '17:00': ['javi', 'marcos'], ... } }
 */
export function chairsAvailability(search: ChairsSearch): ChairsDay {
  const { chairs, busy, holds, ...day } = search;
  if (chairs.length === 1) return oneChair(chairs[0], search);
  const bySlot = new Map<string, { slot: Slot; barbers: string[] }>();
  const reasons = new Set<NoSlotsReason>();
  for (const chair of chairs) {
    const ofChair = (interval: { barberId?: string }) =>
      chair.barberId === undefined || interval.barberId === undefined || interval.barberId === chair.barberId;
    const answer = dayAvailability({
      ...day,
      rules: chair.rules,
      busy: busy.filter(ofChair),
      holds: holds.filter(ofChair),
    });
    if (answer.reason) reasons.add(answer.reason);
    for (const slot of answer.slots) {
      const entry = bySlot.get(slot.time) ?? { slot, barbers: [] };
      if (chair.barberId !== undefined) entry.barbers.push(chair.barberId);
      bySlot.set(slot.time, entry);
    }
  }
  // Instants written alike compare as plain strings (a collating `localeCompare` was a visible cost).
  const joined = [...bySlot.values()].sort((a, b) =>
    a.slot.start < b.slot.start ? -1 : a.slot.start > b.slot.start ? 1 : 0,
  );
  const freeAt = Object.fromEntries(joined.map(({ slot, barbers }) => [slot.time, barbers]));
  const slots = joined.map(({ slot }) => slot);
  if (slots.length > 0) return { slots, freeAt };
  // Past and too far ahead are the same for every chair; a day some barbers work but are full is full.
  const reason = (['past', 'beyondWindow', 'full', 'closed'] as const).find((r) => reasons.has(r)) ?? 'closed';
  return { slots, reason, freeAt };
}

/**
 * One chair (a shop without barbers, or the barber the customer named): its own day as it is, for
 * `dayAvailability` gives the times in order, once each. Joining one chair by time built a map, a
 * sort and an object of every time (288 on a 24-hour day at 5-minute steps) for nothing, on most
 * messages. A shop without barbers has no one to list as free at a time: `freeAt` is empty.
 */
function oneChair(chair: Chair, { chairs: _, ...search }: ChairsSearch): ChairsDay {
  const mine = (interval: { barberId?: string }) =>
    chair.barberId === undefined || interval.barberId === undefined || interval.barberId === chair.barberId;
  const answer = dayAvailability({
    ...search,
    rules: chair.rules,
    busy: chair.barberId === undefined ? search.busy : search.busy.filter(mine),
    holds: chair.barberId === undefined ? search.holds : search.holds.filter(mine),
  });
  const { barberId } = chair;
  const freeAt: Record<string, string[]> =
    barberId === undefined ? {} : Object.fromEntries(answer.slots.map((slot) => [slot.time, [barberId]]));
  return answer.reason ? { slots: answer.slots, reason: answer.reason, freeAt } : { slots: answer.slots, freeAt };
}

/**
 * Why no chair can take anything on the day, whatever the calendar holds (see `dayShutReason`);
 * undefined when one is open. Answers what `chairsAvailability` would, without working out a slot.
 */
export function chairsShutReason(chairs: Chair[], date: string, now: Date): NoSlotsReason | undefined {
  const reasons = new Set<NoSlotsReason>();
  for (const chair of chairs) {
    const reason = dayShutReason(chair.rules, date, now);
    if (!reason) return undefined;
    reasons.add(reason);
  }
  return (['past', 'beyondWindow', 'closed'] as const).find((r) => reasons.has(r)) ?? 'closed';
}

/**
 * The order an "anyone" booking tries the free barbers in: fewest appointments that day first,
 * ties by the config's order (`free` is in that order), so work spreads across the chairs.
 */
export function byFewestAppointments(free: string[], appointmentsThatDay: ChairInterval[]): string[] {
  const count = (barberId: string) => appointmentsThatDay.filter((a) => a.barberId === barberId).length;
  return free
    .map((id, order) => ({ id, order, count: count(id) }))
    .sort((a, b) => a.count - b.count || a.order - b.order)
    .map(({ id }) => id);
}
