import { DateTime } from 'luxon';
import { ANY_BARBER, type ShopConfig, serviceById } from '../../config/schema.ts';
import type { NoSlotsReason, Slot } from '../../machines/booking.context.ts';
import { byFewestAppointments, type Chair, type ChairsSearch, chairsAvailability, chairsFor } from './chairs.ts';

/** One person's appointment in a group booking: their service, and whose chair at what time. */
export interface Seat {
  serviceId: string;
  barberId?: string;
  slot: Slot;
}

export interface GroupSearch extends Omit<ChairsSearch, 'chairs' | 'durationMinutes'> {
  shop: ShopConfig;
  /** One service per person, the customer's own first. */
  serviceIds: string[];
  /** A barber asked for (everyone goes to them, one after the other), "any", or none. */
  barberId?: string;
}

/** The times a whole group fits, and at each time the ways to seat it, best first. */
export interface GroupDay {
  /** The first person's slot at each time the whole group fits. */
  slots: Slot[];
  reason?: NoSlotsReason;
  placementsAt: Record<string, Seat[][]>;
}

/** Enough alternatives to get past a few customers racing for the same chairs. */
const MOST_PLACEMENTS = 6;

/**
 * When a group (two haircuts, "para mí y para mi hijo") can come: at a start time either each
 * person has a barber of their own at that time (anyone), or one barber takes them one after the
 * other, the buffer between (a barber asked for, or a shop of one chair). Pure, like the rest of
 * availability: each way is checked with `chairsAvailability` over the day's busy time and holds.
 *
 * @example
 * groupAvailability({ shop, serviceIds: ['corte', 'infantil'], barberId: 'any', date, busy, holds, phone, now })
 * // { slots: [...], placementsAt: { '17:00': [[{ serviceId: 'corte', barberId: 'javi', slot }, ...], ...] } }
 */
export function groupAvailability(search: GroupSearch): GroupDay {
  const { shop, serviceIds, barberId, ...day } = search;
  const services = serviceIds.map((id) => {
    const service = serviceById(shop, id);
    if (!service) throw new Error(`unknown service ${id}`);
    return service;
  });
  const named = barberId !== undefined && barberId !== ANY_BARBER;
  const placementsAt = new Map<string, { first: Slot; ways: Seat[][] }>();
  const add = (first: Slot, way: Seat[]) => {
    const entry = placementsAt.get(first.time) ?? { first, ways: [] };
    if (entry.ways.length < MOST_PLACEMENTS) entry.ways.push(way);
    placementsAt.set(first.time, entry);
  };

  // Side by side: a barber each, at the same time.
  if (!named && shop.barbers.length > 0) {
    const each = services.map((service) =>
      chairsAvailability({
        ...day,
        chairs: chairsFor(shop, service.id, ANY_BARBER),
        durationMinutes: service.durationMinutes,
      }),
    );
    const slotOf = each.map((answer) => new Map(answer.slots.map((slot) => [slot.time, slot])));
    for (const first of each[0].slots) {
      const free = each.map((answer) => byFewestAppointments(answer.freeAt[first.time] ?? [], day.busy));
      for (const barbers of distinctPicks(free)) {
        add(
          first,
          barbers.map((id, i) => ({ serviceId: services[i].id, barberId: id, slot: slotOf[i].get(first.time)! })),
        );
      }
    }
  }

  // One after the other in one chair that does every service of the group.
  const buffer = shop.booking.bufferMinutes;
  const total = services.reduce((sum, s) => sum + s.durationMinutes, 0) + buffer * (services.length - 1);
  const chairs = chairsFor(shop, services[0].id, barberId).filter(
    (chair) => chair.barberId === undefined || services.every((s) => doesService(shop, chair, s.id)),
  );
  const byLoad = byFewestAppointments(
    chairs.flatMap((c) => (c.barberId ? [c.barberId] : [])),
    day.busy,
  );
  const ordered =
    chairs.length === 1 && chairs[0].barberId === undefined
      ? chairs
      : byLoad.map((id) => chairs.find((c) => c.barberId === id)!);
  for (const chair of ordered) {
    const whole = chairsAvailability({ ...day, chairs: [chair], durationMinutes: total });
    for (const span of whole.slots) {
      let at = Date.parse(span.start);
      const seats = services.map((service) => {
        const seat = {
          serviceId: service.id,
          ...(chair.barberId && { barberId: chair.barberId }),
          slot: slotAt(at, service.durationMinutes, shop.timezone),
        };
        at += (service.durationMinutes + buffer) * 60_000;
        return seat;
      });
      add(seats[0].slot, seats);
    }
  }

  const joined = [...placementsAt.values()].sort((a, b) => a.first.start.localeCompare(b.first.start));
  const slots = joined.map(({ first }) => first);
  const result = { slots, placementsAt: Object.fromEntries(joined.map(({ first, ways }) => [first.time, ways])) };
  if (slots.length > 0) return result;
  const alone = chairsAvailability({
    ...day,
    chairs: chairsFor(shop, services[0].id, barberId),
    durationMinutes: services[0].durationMinutes,
  });
  return { ...result, reason: alone.reason ?? 'full' };
}

function doesService(shop: ShopConfig, chair: Chair, serviceId: string): boolean {
  return chairsFor(shop, serviceId, chair.barberId).length > 0;
}

/** Every way to give each person a different barber, each from their own list, in list order. */
function distinctPicks(free: string[][]): string[][] {
  const picks: string[][] = [];
  const walk = (i: number, taken: string[]) => {
    if (picks.length >= MOST_PLACEMENTS) return;
    if (i === free.length) {
      picks.push(taken);
      return;
    }
    for (const id of free[i]) if (!taken.includes(id)) walk(i + 1, [...taken, id]);
  };
  walk(0, []);
  return picks;
}

function slotAt(start: number, minutes: number, timezone: string): Slot {
  const local = DateTime.fromMillis(start, { zone: timezone });
  return {
    date: local.toISODate()!,
    time: local.toFormat('HH:mm'),
    start: new Date(start).toISOString(),
    end: new Date(start + minutes * 60_000).toISOString(),
  };
}
