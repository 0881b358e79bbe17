import { DEFAULT_SHOP_ID } from '../../config/shop-id.ts';
import { type BookingHistory, HistoryEntry } from '../../src/engine/ports.ts';
import { log, phoneRef } from '../../src/log.ts';
import { HISTORY_TTL_MS } from '../redis/history.ts';
import type { CitaDatabase } from './database.ts';

/** Each phone's bookings in SQLite, oldest first, kept a year after the phone's latest entry. */
export class SqliteBookingHistory implements BookingHistory {
  readonly #db: CitaDatabase;
  readonly #shop: string;
  readonly #ttlMs: number;

  constructor(
    db: CitaDatabase,
    { ttlMs = HISTORY_TTL_MS, shop = DEFAULT_SHOP_ID }: { ttlMs?: number; shop?: string } = {},
  ) {
    this.#db = db;
    this.#shop = shop;
    this.#ttlMs = ttlMs;
  }

  async record(phone: string, entry: HistoryEntry): Promise<void> {
    const body = JSON.stringify(HistoryEntry.parse(entry));
    const expiresAt = Date.now() + this.#ttlMs;
    await this.#db.transaction(() => {
      this.#db.run(
        'INSERT INTO history (shop, phone, body, expires_at) VALUES (?, ?, ?, ?)',
        this.#shop,
        phone,
        body,
        expiresAt,
      );
      this.#db.run('UPDATE history SET expires_at = ? WHERE shop = ? AND phone = ?', expiresAt, this.#shop, phone);
    });
  }

  async list(phone: string): Promise<HistoryEntry[]> {
    const rows = this.#db.all<{ body: string }>(
      'SELECT body FROM history WHERE shop = ? AND phone = ? ORDER BY seq',
      this.#shop,
      phone,
    );
    return rows.flatMap(({ body }) => {
      const parsed = HistoryEntry.safeParse(safeJson(body));
      if (parsed.success) return [parsed.data];
      log.warn({ event: 'history.unreadable', phoneRef: phoneRef(phone) }, 'history entry unreadable; skipped');
      return [];
    });
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
