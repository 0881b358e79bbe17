import type { PartOfDay, Slot } from './booking.context.ts';

const minutes = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

/**
 * The day's free slots with the ones nearest `wanted` on the first page, in time order: around a
 * time that is taken (before and after it), or inside a part of the day, then whatever is nearest
 * it. The later pages hold the rest of the day in time order.
 *
 * @example
 * nearestFirst(slots, { from: '17:00', to: '17:00' }, 9) // 15:00 … 19:00 first, not 10:00 …
 */
export function nearestFirst(slots: Slot[], wanted: PartOfDay, perPage: number): Slot[] {
  const from = minutes(wanted.from);
  const last = Math.max(from, minutes(wanted.to) - (wanted.to > wanted.from ? 1 : 0));
  const distance = (slot: Slot) => {
    const at = minutes(slot.time);
    return at < from ? from - at : at > last ? at - last : 0;
  };
  const inTimeOrder = (a: Slot, b: Slot) => a.time.localeCompare(b.time);
  const byNearness = [...slots].sort((a, b) => distance(a) - distance(b) || inTimeOrder(a, b));
  const first = byNearness.slice(0, perPage).sort(inTimeOrder);
  return [...first, ...byNearness.slice(perPage).sort(inTimeOrder)];
}
