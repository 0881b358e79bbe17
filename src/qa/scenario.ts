import { DateTime } from 'luxon';
import { atLocation, NoShows, type ShopConfig, shopToday } from '../../config/schema.ts';
import type { Booking, DayAvailability, Hold, Slot } from '../../machines/booking.context.ts';
import { byFewestAppointments, type ChairInterval, chairsAvailability, chairsFor } from '../availability/chairs.ts';
import { groupAvailability } from '../availability/group.ts';
import { dayAvailability, lastBookableDay, openingSpans } from '../availability/slots.ts';
import type { Interval } from '../engine/ports.ts';

/**
 * The fixed world every generated path plays in: one shop, one instant, one customer, and the
 * days, times and appointments the event table draws its payloads from. Everything is derived
 * from the shop's configuration and the clock, so a new opening hour or service moves the
 * scenario with it instead of breaking it.
 */
export interface Scenario {
  shop: ShopConfig;
  /** The instant of every message (ISO UTC); the machine's `receivedAt`. */
  now: string;
  phone: string;
  customerName: string;
  /** The service the customer books, and one the shop does not offer (a stale list row). */
  serviceId: string;
  unknownServiceId: string;
  /** Days by what the availability check answers for them. */
  dates: { free: string; closed: string; past: string; beyondWindow: string };
  /** A time free on the free day in an empty calendar, and one that is never a start time. */
  times: { free: string; notFree: string };
  /** The customer's appointments the calendar may hold: one far off, one inside the cancellation notice. */
  appointments: { later: Booking; soon: Booking };
  /** An appointment id that is not the customer's (a forged or stale reminder button). */
  foreignBookingId: string;
  /** A chain's service its first location does not do (chains only). */
  notAtFirstLocation?: string;
  /** A service some barber does not do, and that barber (shops with barbers only). */
  partlyOffered?: { serviceId: string; barberId: string };
}

/** Tuesday 24 Nov 2026, 10:00 in Madrid: the instant tests/support/cita.ts's fake clock starts at. */
export const SCENARIO_NOW = '2026-11-24T09:00:00.000Z';
export const SCENARIO_PHONE = '34600000042';

/** The staff phone of the paths' shop when its config lists none: someone to hand a customer to. */
export const SCENARIO_STAFF = { phone: '34611000099', name: 'QA', role: 'owner' as const };

/** The no-show policy of the paths' shop when its config has none. */
export const SCENARIO_NO_SHOWS = NoShows.parse({ limit: 2, windowDays: 90, confirmByHours: 3, policy: 'staff' });

export function scenarioFor(base: ShopConfig, now: string = SCENARIO_NOW): Scenario {
  const withStaff = base.staff.length > 0 ? base : { ...base, staff: [SCENARIO_STAFF] };
  // The staff book for a customer who missed appointments: a path arranges the no-shows.
  const shop: ShopConfig = withStaff.noShows ? withStaff : { ...withStaff, noShows: SCENARIO_NO_SHOWS };
  const instant = new Date(now);
  const today = shopToday(shop, instant);
  const service = shop.services[0];
  const day = (offset: number) => DateTime.fromISO(today).plus({ days: offset }).toISODate() as string;
  const last = lastBookableDay(shop, instant);
  const daysAhead = Array.from({ length: shop.booking.daysAhead }, (_, i) => day(i + 1));
  const free = daysAhead.find((date) => freeSlots(shop, service.id, date, now, []).length > 0);
  const closed = daysAhead.find((date) => openingSpans(shop, date).length === 0);
  if (!free || !closed) {
    throw new Error(
      `the shop needs an open and a closed day in the next ${shop.booking.daysAhead} days to generate paths`,
    );
  }
  const slots = freeSlots(shop, service.id, free, now, []);
  const closing = openingSpans(shop, free).at(-1)!;
  const appointmentAt = (date: string, minutesFromNow: number | undefined, id: string): Booking => {
    const start = minutesFromNow
      ? DateTime.fromJSDate(instant).plus({ minutes: minutesFromNow })
      : DateTime.fromISO(`${date}T${slots[0].time}`, { zone: shop.timezone });
    return {
      id,
      serviceId: service.id,
      start: start.toUTC().toISO()!,
      end: start.plus({ minutes: service.durationMinutes }).toUTC().toISO()!,
    };
  };
  // "Later" lies past the free day, so it never changes what the free day offers.
  const later = daysAhead.find((date) => date > free && openingSpans(shop, date).length > 0) ?? free;
  return {
    shop,
    now,
    phone: SCENARIO_PHONE,
    customerName: 'Carlos',
    serviceId: service.id,
    unknownServiceId: 'retired-service',
    dates: { free, closed, past: day(-1), beyondWindow: DateTime.fromISO(last).plus({ days: 1 }).toISODate()! },
    times: {
      free: slots[0].time,
      notFree: DateTime.fromMillis(closing.end, { zone: shop.timezone }).toFormat('HH:mm'),
    },
    appointments: {
      later: appointmentAt(later, undefined, 'qalaterappointment00000000000000'),
      soon: appointmentAt(
        today,
        Math.max(1, shop.booking.cancellationNoticeMinutes / 2),
        'qasoonappointment000000000000000',
      ),
    },
    foreignBookingId: 'qaforeignappointment000000000000',
    ...partlyOfferedService(shop),
    ...notAtFirstLocation(shop),
  };
}

type AvailabilitySearch = {
  locationId?: string;
  serviceId: string;
  date: string;
  now: string;
  busy: ChairInterval[];
  barberId?: string;
  wantedTime?: string;
  companions?: string[];
};

function notAtFirstLocation(shop: ShopConfig): Pick<Scenario, 'notAtFirstLocation'> {
  const first = shop.locations?.[0];
  const missing = first?.services && shop.services.find((s) => !first.services!.includes(s.id));
  return missing ? { notAtFirstLocation: missing.id } : {};
}

function partlyOfferedService(shop: ShopConfig): Pick<Scenario, 'partlyOffered'> {
  for (const barber of shop.barbers) {
    const missing = shop.services.find((s) => barber.services !== undefined && !barber.services.includes(s.id));
    if (missing) return { partlyOffered: { serviceId: missing.id, barberId: barber.id } };
  }
  return {};
}

// The generator asks for the same few days with the same appointments at every one of thousands of
// graph states; the answer depends on nothing else.
const answered = new WeakMap<Scenario, Map<string, DayAvailability>>();

/** What the availability check answers for a day, exactly as the engine's actor computes it. */
export function availabilityOf(scenario: Scenario, search: AvailabilitySearch): DayAvailability {
  const known = answered.get(scenario) ?? new Map<string, DayAvailability>();
  answered.set(scenario, known);
  const key = JSON.stringify(search);
  const answer = known.get(key) ?? computedAvailability(scenario, search);
  known.set(key, answer);
  return answer;
}

function computedAvailability(scenario: Scenario, search: AvailabilitySearch): DayAvailability {
  const { slots, reason, othersFreeAt } = chairsDay(scenario, search);
  // A group: the times everyone fits, as the engine's actor computes them; the customer alone said apart.
  if (search.companions?.length && !(reason && reason !== 'full')) {
    const group = groupAvailability({
      shop: atLocation(scenario.shop, search.locationId),
      serviceIds: [search.serviceId, ...search.companions],
      barberId: search.barberId,
      date: search.date,
      busy: search.busy,
      holds: [],
      phone: scenario.phone,
      now: new Date(search.now),
    });
    const base = group.reason ? { slots: group.slots, reason: group.reason } : { slots: group.slots };
    if (search.wantedTime === undefined || group.slots.some((slot) => slot.time === search.wantedTime)) return base;
    return { ...base, ...(slots.some((slot) => slot.time === search.wantedTime) && { aloneFits: true }) };
  }
  if (!search.barberId || search.barberId === 'any' || search.wantedTime === undefined) {
    return reason ? { slots, reason } : { slots };
  }
  if (slots.some((slot) => slot.time === search.wantedTime)) return { slots };
  const others = (othersFreeAt[search.wantedTime] ?? []).filter((id) => id !== search.barberId);
  return { slots, ...(reason && { reason }), ...(others.length > 0 && { othersFreeAt: others }) };
}

/** The hold of a whole group as the engine takes it: the first way to seat everyone at the time. */
export function groupHoldOf(
  scenario: Scenario,
  search: {
    serviceIds: string[];
    slot: Slot;
    barberId?: string;
    now: string;
    busy: ChairInterval[];
    expiresAt: string;
    locationId?: string;
  },
): Hold | undefined {
  const { placementsAt } = groupAvailability({
    shop: atLocation(scenario.shop, search.locationId),
    serviceIds: search.serviceIds,
    barberId: search.barberId,
    date: search.slot.date,
    busy: search.busy,
    holds: [],
    phone: scenario.phone,
    now: new Date(search.now),
  });
  const seats = placementsAt[search.slot.time]?.[0];
  if (!seats) return undefined;
  const [first, ...others] = seats;
  return {
    token: 'qa-hold',
    slot: first.slot,
    expiresAt: search.expiresAt,
    ...(first.barberId !== undefined && { barberId: first.barberId }),
    companions: others.map((seat, i) => ({
      token: `qa-hold:${i + 2}`,
      serviceId: seat.serviceId,
      slot: seat.slot,
      ...(seat.barberId !== undefined && { barberId: seat.barberId }),
    })),
  };
}

/** The barber an "anyone" hold of `time` gets, as the engine picks it; undefined without barbers. */
export function barberForAnyone(scenario: Scenario, search: AvailabilitySearch & { time: string }): string | undefined {
  if (scenario.shop.barbers.length === 0) return undefined;
  if (search.barberId && search.barberId !== 'any') return search.barberId;
  const { othersFreeAt } = chairsDay(scenario, { ...search, barberId: 'any' });
  return byFewestAppointments(othersFreeAt[search.time] ?? [], search.busy)[0];
}

function chairsDay(scenario: Scenario, search: AvailabilitySearch) {
  const shop = atLocation(scenario.shop, search.locationId);
  const service = shop.services.find((s) => s.id === search.serviceId);
  if (!service) throw new Error(`the scenario has no service ${search.serviceId}`);
  const day = {
    date: search.date,
    durationMinutes: service.durationMinutes,
    busy: search.busy,
    holds: [],
    phone: scenario.phone,
    now: new Date(search.now),
  };
  const own = chairsAvailability({ ...day, chairs: chairsFor(shop, search.serviceId, search.barberId) });
  const everyone = chairsAvailability({ ...day, chairs: chairsFor(shop, search.serviceId, 'any') });
  return { slots: own.slots, reason: own.reason, othersFreeAt: everyone.freeAt };
}

function freeSlots(shop: ShopConfig, serviceId: string, date: string, now: string, busy: Interval[]) {
  const durationMinutes = shop.services.find((s) => s.id === serviceId)!.durationMinutes;
  return dayAvailability({ rules: shop, date, durationMinutes, busy, holds: [], phone: '', now: new Date(now) }).slots;
}

/** A busy interval covering the whole shop-local day: the calendar is fully booked. */
export function wholeDay(shop: ShopConfig, date: string): Interval {
  const start = DateTime.fromISO(date, { zone: shop.timezone }).startOf('day');
  return { start: start.toUTC().toISO()!, end: start.plus({ days: 1 }).toUTC().toISO()! };
}
