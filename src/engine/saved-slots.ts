import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import { CalendarDate } from '../../config/schema.ts';
import { Slot } from '../../machines/booking.context.ts';
import { CLOCK_TIMES, isIsoInstant, isoInstant } from '../availability/instants.ts';

const MINUTE_MS = 60_000;
const DAY_MINUTES = 24 * 60;

/**
 * A stretch of the day's slots that follow one another on the grid: the first one's wall-clock
 * minute and UTC minute, the step between them, how many, and how long each lasts.
 */
const SlotRun = z.tuple([
  z.int().min(0).max(DAY_MINUTES),
  z.int(),
  z.int().min(1).max(DAY_MINUTES),
  z.int().min(1).max(DAY_MINUTES),
  z.int().min(1).max(DAY_MINUTES),
]);
type SlotRun = z.infer<typeof SlotRun>;

/**
 * The day's free slots as they are saved: a handful of runs instead of a few hundred objects.
 * A 24-hour day at five-minute steps was 20 KB in every saved conversation picking a time, parsed,
 * checked and written back on every message (issue 19); as runs it is well under a kilobyte.
 */
export const PackedSlots = z.object({ date: CalendarDate, runs: z.array(SlotRun).max(DAY_MINUTES) });
export type PackedSlots = z.infer<typeof PackedSlots>;

/**
 * Slot lists recently unpacked, by what was saved: a customer picking a time sends several
 * messages against the same list, and unpacking it on every one was a tenth of the CPU of a
 * message (benchmarked). The lists are frozen: conversations share them, and nothing changes one
 * in place (the machine assigns new lists).
 */
const recentlyUnpacked = new LRUCache<string, readonly Slot[], PackedSlots>({
  // About the phones in hand at once; 500 lists of a 24-hour day at 5-minute steps are some 30 MB.
  max: 500,
  memoMethod: (_key, _stale, { context: packed }) => {
    const slots = Object.freeze(unpackSlots(packed).map((slot) => Object.freeze(slot)));
    packedForm.set(slots, packed);
    return slots;
  },
});
/** The packed form of a list unpacked or packed here, so an unchanged list is not packed again. */
const packedForm = new WeakMap<readonly Slot[], PackedSlots>();

const unpackedOnce = (packed: PackedSlots) => recentlyUnpacked.memo(keyOf(packed), { context: packed }) as Slot[];

const keyOf = (packed: PackedSlots) => `${packed.date}${JSON.stringify(packed.runs)}`;

/** A saved slot list as the machine knows it, whether saved packed or, before packing existed, in full. */
export const SavedSlots = z.union([PackedSlots.transform(unpackedOnce), z.array(Slot)]);

/**
 * The slots packed into runs, in the same order (the nearest times come first). Slots that do not
 * fit the pattern (another day, an odd instant) are kept as they are, so packing never loses one.
 *
 * @example
 * packSlots(slots) // { date: '2026-12-09', runs: [[540, 29412300, 5, 144, 10]] }
 */
export function packSlots(slots: Slot[]): PackedSlots | Slot[] {
  const known = packedForm.get(slots);
  if (known) return known;
  const [first] = slots;
  if (!first) return slots;
  const runs: SlotRun[] = [];
  for (const slot of slots) {
    const time = MINUTE_OF.get(slot.time);
    if (slot.date !== first.date || time === undefined) return slots;
    const run = runs.at(-1);
    if (run && continuesRun(run, slot, time)) continue;
    const start = Date.parse(slot.start) / MINUTE_MS;
    const duration = Date.parse(slot.end) / MINUTE_MS - start;
    // Only what unpacks to the very same strings is packed: a wall-clock time, and instants in
    // the form `toISOString` writes, on whole minutes.
    const exact = Number.isInteger(start) && isCanonical(slot.start) && isCanonical(slot.end);
    if (!exact || !Number.isInteger(duration) || duration < 1) return slots;
    runs.push([time, start, 1, 1, duration]);
  }
  const packed = { date: first.date, runs };
  // The list itself stands for what it packs to: the next message's unpacking finds it (unless an
  // equal list is there already, which conversations go on sharing).
  for (const slot of slots) Object.freeze(slot);
  Object.freeze(slots);
  packedForm.set(slots, packed);
  const key = keyOf(packed);
  if (!recentlyUnpacked.has(key)) recentlyUnpacked.set(key, slots);
  return packed;
}

/**
 * The list shared by every conversation shown the same free times, this one if it is the first:
 * a live actor (kept between messages, see ConversationEngine) holds its list, and a day's list
 * on a 24-hour shop at 5-minute steps is some 57 KB. A list that does not pack is its own.
 */
export function sharedSlots(slots: Slot[]): Slot[] {
  const packed = packSlots(slots);
  if (Array.isArray(packed)) return slots;
  return (recentlyUnpacked.get(keyOf(packed)) as Slot[] | undefined) ?? slots;
}

const MINUTE_OF = new Map(CLOCK_TIMES.map((time, minute) => [time, minute]));

/** An instant as `toISOString` writes it (what unpacking writes): "2026-12-09T09:00:00.000Z". */
const isCanonical = (instant: string) => {
  const at = Date.parse(instant);
  return Number.isFinite(at) && isIsoInstant(instant, at);
};

/**
 * Adds the slot to the run if it is the run's next: the next step on both clocks, as long, and
 * written exactly as unpacking would write it. Compared as strings, so most slots of a day are
 * packed without parsing a date.
 */
function continuesRun(run: SlotRun, slot: Slot, time: number): boolean {
  const [time0, start0, step0, count, duration] = run;
  const step = count === 1 ? time - time0 : step0;
  if (step < 1 || time !== time0 + count * step) return false;
  const start = start0 + count * step;
  if (!isIsoInstant(slot.start, start * MINUTE_MS) || !isIsoInstant(slot.end, (start + duration) * MINUTE_MS)) {
    return false;
  }
  run[2] = step;
  run[3] = count + 1;
  return true;
}

/** The slots a packed list stands for, in order. */
export function unpackSlots({ date, runs }: PackedSlots): Slot[] {
  const slots: Slot[] = [];
  for (const [time, start, step, count, duration] of runs) {
    for (let i = 0; i < count; i++) {
      const minute = time + i * step;
      if (minute >= DAY_MINUTES) break;
      const startMs = (start + i * step) * MINUTE_MS;
      slots.push({
        date,
        time: CLOCK_TIMES[minute] as string,
        start: isoInstant(startMs),
        end: isoInstant(startMs + duration * MINUTE_MS),
      });
    }
  }
  return slots;
}

/** A persisted booking snapshot with its slot list packed (everything else as it is). */
export function withPackedSlots(snapshot: unknown): unknown {
  const context = (snapshot as { context?: { slots?: unknown } } | undefined)?.context;
  if (!Array.isArray(context?.slots) || context.slots.length === 0) return snapshot;
  return { ...(snapshot as object), context: { ...context, slots: packSlots(context.slots as Slot[]) } };
}
