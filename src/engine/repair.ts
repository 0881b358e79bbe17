import { z } from 'zod';
import {
  ANY_BARBER,
  barberHours,
  barbersFor,
  locationOfBarber,
  type ShopConfig,
  serviceById,
} from '../../config/schema.ts';
import { type BarberChoice, Slot } from '../../machines/booking.context.ts';
import { dayShutReason, openingSpans } from '../availability/slots.ts';
import { SavedSlots } from './saved-slots.ts';

/** States that only make sense with a service chosen, a day chosen, a slot chosen. */
const NEEDS_SERVICE = new Set([
  'choosingBarber',
  'choosingDate',
  'checkingAvailability',
  'choosingSlot',
  'holdingSlot',
  'confirming',
  'booking',
]);
const NEEDS_DAY = new Set(['checkingAvailability', 'choosingSlot', 'holdingSlot', 'confirming', 'booking']);
const NEEDS_SLOT = new Set(['holdingSlot', 'confirming', 'booking']);

/** What a saved snapshot must at least look like to be repaired; anything else is left to the restore. */
const SavedSnapshot = z.looseObject({
  value: z.union([z.string(), z.record(z.string(), z.unknown())]),
  context: z.looseObject({
    language: z.string().optional(),
    serviceId: z.string().optional(),
    companions: z.array(z.string()).optional().catch(undefined),
    barberId: z.string().optional().catch(undefined),
    date: z.string().optional(),
    slots: SavedSlots.catch([]),
    chosenSlot: Slot.optional().catch(undefined),
  }),
});

export interface Fitted {
  snapshot: unknown;
  /** True when a choice the customer had made is gone (a service, a day, a time): they are asked again. */
  repaired: boolean;
}

/**
 * A saved conversation made to fit the shop's config as it is now, so that a service removed, a
 * day closed or limits changed since it was saved never reach the machine or the replies:
 * - what the customer did not choose follows the config silently (the services offered, the
 *   cancellation notice, a language no longer offered);
 * - a choice that is gone is dropped with what depends on it (a service takes its day and time
 *   with it; a day past the booking horizon or now closed takes its times), and the conversation
 *   goes back to the question that asks for it again.
 * - a barber who left (or no longer does the service) is dropped with the times and hold that were
 *   theirs; the time they were asked for is kept, and the customer is asked who again.
 * A hold dropped this way is left to expire.
 *
 * @example
 * const { snapshot, repaired } = fitToShop(stored.snapshot, shop, clock());
 */
export function fitToShop(snapshot: unknown, shop: ShopConfig, now: Date): Fitted {
  const saved = SavedSnapshot.safeParse(snapshot);
  if (!saved.success) return { snapshot, repaired: false };
  const context: Record<string, unknown> & z.infer<typeof SavedSnapshot>['context'] = { ...saved.data.context };
  let repaired = false;

  context.serviceIds = shop.services.map((service) => service.id);
  context.cancellationNoticeMinutes = shop.booking.cancellationNoticeMinutes;
  if (!shop.languages.supported.includes(context.language as never)) context.language = shop.languages.default;
  const barbers = barberChoicesOf(shop);
  if (barbers) context.barbers = barbers;
  else delete context.barbers;
  // A location the chain closed is asked again (a remembered one simply follows the file).
  if (context.locationId !== undefined && !shop.locations?.some((location) => location.id === context.locationId)) {
    delete context.locationId;
  }

  const forgetDay = () => {
    Object.assign(context, { date: undefined, slots: [], slotPage: 0, chosenSlot: undefined, hold: undefined });
    repaired = true;
  };
  if (context.serviceId !== undefined && serviceById(shop, context.serviceId) === undefined) {
    forgetDay();
    context.serviceId = undefined;
  }
  if (context.companions?.some((id) => serviceById(shop, id) === undefined)) {
    context.companions = undefined;
    forgetDay();
  }
  let barberGone = false;
  if (context.barberId !== undefined && context.barberId !== ANY_BARBER) {
    const doing = context.serviceId === undefined ? shop.barbers : barbersFor(shop, context.serviceId);
    if (!doing.some((barber) => barber.id === context.barberId)) {
      Object.assign(context, {
        barberId: undefined,
        wantedTime: context.chosenSlot?.time ?? context.wantedTime,
        slots: [],
        slotPage: 0,
        chosenSlot: undefined,
        hold: undefined,
      });
      barberGone = true;
      repaired = true;
    }
  }
  if (context.barberId === ANY_BARBER && shop.barbers.length === 0) context.barberId = undefined;
  if (context.date !== undefined && !isBookableDay(context.date, shop, now)) forgetDay();
  const isWithinOpening = openingCheck(shop);
  const slots = slotsWithinOpening(context.slots, shop, isWithinOpening);
  if (slots.length !== context.slots.length) Object.assign(context, { slots, slotPage: 0 });
  if (context.chosenSlot && !isWithinOpening(context.chosenSlot)) {
    Object.assign(context, { wantedTime: context.chosenSlot.time, chosenSlot: undefined, hold: undefined });
    repaired = true;
  }

  const state = typeof saved.data.value === 'string' ? saved.data.value : undefined;
  let value: unknown = saved.data.value;
  const askWho =
    context.serviceId !== undefined && context.barberId === undefined && barbersFor(shop, context.serviceId).length > 1;
  if (state && NEEDS_SERVICE.has(state) && context.serviceId === undefined) value = 'choosingService';
  else if (state && barberGone && (NEEDS_SERVICE.has(state) || state === 'choosingBarber'))
    value = askWho ? 'choosingBarber' : 'choosingDate';
  else if (state === 'choosingBarber' && context.serviceId !== undefined && !askWho) value = 'choosingDate';
  else if (state && NEEDS_DAY.has(state) && context.date === undefined) value = 'choosingDate';
  else if (state && (NEEDS_SLOT.has(state) || state === 'choosingSlot') && !context.chosenSlot) {
    if (context.slots.length > 0) value = 'choosingSlot';
    else {
      forgetDay();
      value = 'choosingDate';
    }
  }
  // Without the barber their times are gone too: the day is asked again with the time wanted kept.
  if (value === 'choosingDate' && barberGone) forgetDay();
  if (value !== saved.data.value) repaired = true;
  // A state left behind takes its running actor (a calendar look-up, a hold) with it.
  const children = value === saved.data.value ? (snapshot as { children?: unknown }).children : {};
  return { snapshot: { ...saved.data, value, context, children }, repaired };
}

/**
 * Whether a conversation `fitToShop` made fit this shop still fits it now: of what it checks, only
 * the day chosen depends on the time (a day that has passed, or is no longer bookable).
 */
export function stillFits(context: { date?: string }, shop: ShopConfig, now: Date): boolean {
  return context.date === undefined || isBookableDay(context.date, shop, now);
}

/** The shop's barbers as the machine knows them; undefined for a shop of one chair. */
export function barberChoicesOf(shop: ShopConfig): BarberChoice[] | undefined {
  if (shop.barbers.length === 0) return undefined;
  return shop.barbers.map((barber) => {
    const locationId = locationOfBarber(shop, barber.id)?.id;
    return {
      id: barber.id,
      ...(barber.services && { serviceIds: barber.services }),
      ...(locationId !== undefined && { locationId }),
    };
  });
}

function isBookableDay(date: string, shop: ShopConfig, now: Date): boolean {
  return chairHours(shop).some((rules) => dayShutReason(rules, date, now) === undefined);
}

/** The hours of every chair: the shop's, and each barber's own. */
function chairHours(shop: ShopConfig) {
  return [shop, ...shop.barbers.map((barber) => barberHours(shop, barber))];
}

/** Slot lists already checked against a shop's opening hours, and what was left of each. */
const checkedSlots = new WeakMap<ShopConfig, WeakMap<Slot[], Slot[]>>();

/**
 * The slots some chair is still open for, the same list when all are. A list is checked once per
 * shop config: the saved lists are shared while unchanged (see `SavedSlots`).
 */
function slotsWithinOpening(slots: Slot[], shop: ShopConfig, isWithinOpening: (slot: Slot) => boolean): Slot[] {
  const checked = checkedSlots.get(shop) ?? new WeakMap<Slot[], Slot[]>();
  checkedSlots.set(shop, checked);
  let kept = checked.get(slots);
  if (!kept) {
    kept = slots.every(isWithinOpening) ? slots : slots.filter(isWithinOpening);
    checked.set(slots, kept);
  }
  return kept;
}

/**
 * Whether some chair (the shop's, or a barber's own hours) is open for the whole slot. The
 * opening spans come worked out once per day and hours (`openingSpans`): asking the timezone
 * database per slot was a third of the server's CPU per message (benchmarked).
 */
function openingCheck(shop: ShopConfig): (slot: Slot) => boolean {
  const hours = chairHours(shop);
  return (slot) => {
    const [start, end] = [Date.parse(slot.start), Date.parse(slot.end)];
    return hours.some((rules) => openingSpans(rules, slot.date).some((span) => span.start <= start && end <= span.end));
  };
}
