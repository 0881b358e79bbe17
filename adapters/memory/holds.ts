import type { Clock, HeldSlot, Interval, SlotHolds } from '../../src/engine/ports.ts';

const overlaps = (a: Interval, b: Interval) =>
  Date.parse(a.start) < Date.parse(b.end) && Date.parse(b.start) < Date.parse(a.end);
/** Holds collide only in the same chair. */
const collide = (a: HeldSlot, b: HeldSlot) => a.barberId === b.barberId && overlaps(a, b);

/** The embedded slot holds: one process, so a plain list checked and changed synchronously is atomic. */
export class MemorySlotHolds implements SlotHolds {
  #holds: (HeldSlot & { expiresAt: number })[] = [];
  readonly #clock: Clock;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  async acquire(hold: HeldSlot, ttlMs: number): Promise<boolean> {
    const live = this.#live();
    if (live.some((other) => other.phone !== hold.phone && collide(other, hold))) return false;
    this.#holds = [
      ...live.filter((other) => !(other.phone === hold.phone && collide(other, hold))),
      { ...hold, expiresAt: this.#clock().getTime() + ttlMs },
    ];
    return true;
  }

  async release(hold: HeldSlot): Promise<void> {
    this.#holds = this.#holds.filter((other) => other.token !== hold.token);
  }

  async overlapping(window: Interval): Promise<HeldSlot[]> {
    return this.#live()
      .filter((hold) => overlaps(hold, window))
      .map(({ expiresAt: _, ...hold }) => hold);
  }

  #live() {
    const now = this.#clock().getTime();
    this.#holds = this.#holds.filter((hold) => hold.expiresAt > now);
    return this.#holds;
  }
}
