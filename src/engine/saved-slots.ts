import { z } from 'zod';
import { CalendarDate } from '../../config/schema.ts';
import { Slot } from '../../machines/booking.context.ts';

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
const recentlyUnpacked = new Map<string, readonly Slot[]>();
const RECENTLY_UNPACKED_KEPT = 2_000;
/** The packed form of a list unpacked or packed here, so an unchanged list is not packed again. */
const packedForm = new WeakMap<readonly Slot[], PackedSlots>();

function unpackedOnce(packed: PackedSlots): Slot[] {
  const key = `${packed.date}${JSON.stringify(packed.runs)}`;
  let slots = recentlyUnpacked.get(key);
  if (slots) recentlyUnpacked.delete(key);
  else {
    slots = Object.freeze(unpackSlots(packed).map((slot) => Object.freeze(slot)));
    packedForm.set(slots, packed);
    if (recentlyUnpacked.size >= RECENTLY_UNPACKED_KEPT) {
      recentlyUnpacked.delete(recentlyUnpacked.keys().next().value as string);
    }
  }
  // Most recently used last: the first key is the one to drop.
  recentlyUnpacked.set(key, slots);
  return slots as Slot[];
}

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
    const time = Number(slot.time.slice(0, 2)) * 60 + Number(slot.time.slice(3, 5));
    const start = Date.parse(slot.start) / MINUTE_MS;
    const duration = Date.parse(slot.end) / MINUTE_MS - start;
    if (slot.date !== first.date || !Number.isInteger(start) || !Number.isInteger(duration) || duration < 1) {
      return slots;
    }
    const run = runs.at(-1);
    if (run && continuesRun(run, time, start, duration)) {
      if (run[3] === 1) run[2] = time - run[0];
      run[3] += 1;
    } else runs.push([time, start, 1, 1, duration]);
  }
  const packed = { date: first.date, runs };
  // Packing is checked by unpacking: any slot that would not come back exactly keeps the list as it is.
  const back = unpackSlots(packed);
  const same = back.every(
    (slot, i) => slot.time === slots[i]?.time && slot.start === slots[i]?.start && slot.end === slots[i]?.end,
  );
  if (!same || back.length !== slots.length) return slots;
  packedForm.set(slots, packed);
  return packed;
}

/** Whether a slot continues the run: the next step on both clocks, and as long. */
function continuesRun([time0, start0, step, count, duration0]: SlotRun, time: number, start: number, duration: number) {
  if (duration !== duration0) return false;
  if (count === 1) return time > time0 && time - time0 === start - start0;
  return time === time0 + count * step && start === start0 + count * step;
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
        time: `${pad(Math.floor(minute / 60))}:${pad(minute % 60)}`,
        start: new Date(startMs).toISOString(),
        end: new Date(startMs + duration * MINUTE_MS).toISOString(),
      });
    }
  }
  return slots;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** A persisted booking snapshot with its slot list packed (everything else as it is). */
export function withPackedSlots(snapshot: unknown): unknown {
  const context = (snapshot as { context?: { slots?: unknown } } | undefined)?.context;
  if (!Array.isArray(context?.slots) || context.slots.length === 0) return snapshot;
  return { ...(snapshot as object), context: { ...context, slots: packSlots(context.slots as Slot[]) } };
}
