import type { PartOfDay, Slot } from './booking.context.ts';

const minutes = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

/**
 * The day's free slots with the ones nearest `wanted` on the first page, in time order: around a
 * time that is taken (before and after it), or inside a part of the day, then whatever is nearest
 * it. Then come the times later than the first page, in time order, and last the earlier ones (in
 * time order too: `slotPages` pages them back from the first page).
 *
 * @example
 * nearestFirst(slots, { from: '17:00', to: '17:00' }, 9) // 15:00 … 19:00, then 19:15 …, then 10:00 …
 */
export function nearestFirst(slots: Slot[], wanted: PartOfDay, perPage: number): Slot[] {
  const from = minutes(wanted.from);
  const last = Math.max(from, minutes(wanted.to) - (wanted.to > wanted.from ? 1 : 0));
  const distance = (slot: Slot) => {
    const at = minutes(slot.time);
    return at < from ? from - at : at > last ? at - last : 0;
  };
  // "HH:mm" sorts as text: no collation needed (localeCompare was most of the sorting's cost).
  const inTimeOrder = (a: Slot, b: Slot) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0);
  const distances = new Map(slots.map((slot) => [slot, distance(slot)]));
  const byNearness = [...slots].sort((a, b) => distances.get(a)! - distances.get(b)! || inTimeOrder(a, b));
  const first = byNearness.slice(0, perPage).sort(inTimeOrder);
  const rest = byNearness.slice(perPage).sort(inTimeOrder);
  const firstTime = first[0]?.time ?? '';
  return [...first, ...rest.filter((slot) => slot.time > firstTime), ...rest.filter((slot) => slot.time < firstTime)];
}

/** Where a page of free times lies against the first one shown: the customer is told on each page. */
export type SlotPageWhere = 'first' | 'later' | 'earlier';

export interface SlotPage {
  where: SlotPageWhere;
  slots: Slot[];
}

/**
 * The slots as pages that follow the day from the first page: the later times page by page, then
 * the earlier ones, nearest first (the page just before the first page, then the one before it).
 * Slots in time order (no time asked for) are simply the day page by page.
 */
export function slotPages(slots: readonly Slot[], perPage: number): SlotPage[] {
  if (slots.length === 0) return [];
  const first = slots.slice(0, perPage);
  let split = first.length;
  while (split < slots.length && slots[split].time > slots[split - 1].time) split++;
  const later = slots.slice(first.length, split);
  const earlier = slots.slice(split);
  const pages: SlotPage[] = [{ where: 'first', slots: first }];
  for (let i = 0; i < later.length; i += perPage) pages.push({ where: 'later', slots: later.slice(i, i + perPage) });
  for (let end = earlier.length; end > 0; end -= perPage) {
    pages.push({ where: 'earlier', slots: earlier.slice(Math.max(0, end - perPage), end) });
  }
  return pages;
}
