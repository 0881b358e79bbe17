import { DEFAULT_SHOP_ID } from '../../config/shop-id.ts';
import type { HeldSlot, Interval, SlotHolds } from '../../src/engine/ports.ts';
import type { CitaDatabase } from './database.ts';

/** A hold longer than this is a mistake, not a haircut. */
const MAX_HOLD_MS = 24 * 60 * 60_000;

/**
 * Slot holds in SQLite, shared by every process on the file. Acquiring looks for another phone's
 * live hold overlapping the interval and writes its own in one `BEGIN IMMEDIATE` transaction: no
 * other process can write between the look and the write, so of two customers reaching for
 * overlapping times exactly one gets them. Expiry is the wall clock, as on Redis.
 */
export class SqliteSlotHolds implements SlotHolds {
  readonly #db: CitaDatabase;
  readonly #shop: string;
  readonly #now: () => number;

  constructor(
    db: CitaDatabase,
    { now = Date.now, shop = DEFAULT_SHOP_ID }: { now?: () => number; shop?: string } = {},
  ) {
    this.#db = db;
    this.#shop = shop;
    this.#now = now;
  }

  async acquire(hold: HeldSlot, ttlMs: number): Promise<boolean> {
    const [start, end] = bounds(hold);
    const now = this.#now();
    // Holds collide only in the same chair ('' is the one chair of a shop without barbers).
    const chair = hold.barberId ?? '';
    return this.#db.transaction(() => {
      const taken = this.#db.get(
        'SELECT 1 FROM holds WHERE shop = ? AND phone <> ? AND barber = ? AND expires_at > ? AND start_ms < ? AND end_ms > ? LIMIT 1',
        this.#shop,
        hold.phone,
        chair,
        now,
        end,
        start,
      );
      if (taken) return false;
      // The phone's own overlapping holds are replaced whole: a customer who picks another time never blocks themselves.
      this.#db.run(
        'DELETE FROM holds WHERE token = ? OR (shop = ? AND phone = ? AND barber = ? AND start_ms < ? AND end_ms > ?)',
        hold.token,
        this.#shop,
        hold.phone,
        chair,
        end,
        start,
      );
      this.#db.run(
        'INSERT INTO holds (shop, token, phone, start_ms, end_ms, expires_at, barber) VALUES (?, ?, ?, ?, ?, ?, ?)',
        this.#shop,
        hold.token,
        hold.phone,
        start,
        end,
        now + Math.max(1, Math.ceil(ttlMs)),
        chair,
      );
      return true;
    });
  }

  async release(hold: HeldSlot): Promise<void> {
    await this.#db.write('DELETE FROM holds WHERE token = ? AND phone = ?', hold.token, hold.phone);
  }

  async overlapping(window: Interval): Promise<HeldSlot[]> {
    const rows = this.#db.all<{ token: string; phone: string; start_ms: number; end_ms: number; barber: string }>(
      'SELECT token, phone, start_ms, end_ms, barber FROM holds WHERE shop = ? AND expires_at > ? AND end_ms > ? AND start_ms < ? ORDER BY start_ms',
      this.#shop,
      this.#now(),
      Date.parse(window.start),
      Date.parse(window.end),
    );
    return rows.map((row) => ({
      phone: row.phone,
      token: row.token,
      start: new Date(row.start_ms).toISOString(),
      end: new Date(row.end_ms).toISOString(),
      ...(row.barber !== '' && { barberId: row.barber }),
    }));
  }
}

function bounds(interval: Interval): [number, number] {
  const [start, end] = [Date.parse(interval.start), Date.parse(interval.end)];
  if (!(start < end) || end - start > MAX_HOLD_MS) {
    throw new RangeError(`a hold must run forwards and last at most a day: ${interval.start} → ${interval.end}`);
  }
  return [start, end];
}
