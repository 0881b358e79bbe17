import { z } from 'zod';
import { type ShopConfig, serviceById, shopToday } from '../../config/schema.ts';
import { Slot } from '../../machines/booking.context.ts';
import { lastBookableDay, openingSpans } from '../availability/slots.ts';

/** States that only make sense with a service chosen, a day chosen, a slot chosen. */
const NEEDS_SERVICE = new Set([
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
    date: z.string().optional(),
    slots: z.array(Slot).catch([]),
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
 * A hold dropped this way is left to expire. Barbers will join the same way: drop the barber, ask again.
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

  const forgetDay = () => {
    Object.assign(context, { date: undefined, slots: [], slotPage: 0, chosenSlot: undefined, hold: undefined });
    repaired = true;
  };
  if (context.serviceId !== undefined && serviceById(shop, context.serviceId) === undefined) {
    forgetDay();
    context.serviceId = undefined;
  }
  if (context.date !== undefined && !isBookableDay(context.date, shop, now)) forgetDay();
  const slots = context.slots.filter((slot) => isWithinOpening(slot, shop));
  if (slots.length !== context.slots.length) Object.assign(context, { slots, slotPage: 0 });
  if (context.chosenSlot && !isWithinOpening(context.chosenSlot, shop)) {
    Object.assign(context, { wantedTime: context.chosenSlot.time, chosenSlot: undefined, hold: undefined });
    repaired = true;
  }

  const state = typeof saved.data.value === 'string' ? saved.data.value : undefined;
  let value: unknown = saved.data.value;
  if (state && NEEDS_SERVICE.has(state) && context.serviceId === undefined) value = 'choosingService';
  else if (state && NEEDS_DAY.has(state) && context.date === undefined) value = 'choosingDate';
  else if (state && (NEEDS_SLOT.has(state) || state === 'choosingSlot') && !context.chosenSlot) {
    if (context.slots.length > 0) value = 'choosingSlot';
    else {
      forgetDay();
      value = 'choosingDate';
    }
  }
  if (value !== saved.data.value) repaired = true;
  // A state left behind takes its running actor (a calendar look-up, a hold) with it.
  const children = value === saved.data.value ? (snapshot as { children?: unknown }).children : {};
  return { snapshot: { ...saved.data, value, context, children }, repaired };
}

function isBookableDay(date: string, shop: ShopConfig, now: Date): boolean {
  return date >= shopToday(shop, now) && date <= lastBookableDay(shop, now) && openingSpans(shop, date).length > 0;
}

function isWithinOpening(slot: Slot, shop: ShopConfig): boolean {
  const [start, end] = [Date.parse(slot.start), Date.parse(slot.end)];
  return openingSpans(shop, slot.date).some((span) => span.start <= start && end <= span.end);
}
