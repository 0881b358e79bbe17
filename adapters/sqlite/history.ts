import { type BookingHistory, HistoryEntry } from '../../src/engine/ports.ts';
import { log, phoneRef } from '../../src/log.ts';
import { HISTORY_TTL_MS } from '../redis/history.ts';
import type { CitaDatabase } from './database.ts';

/** Each phone's bookings in SQLite, oldest first, kept a year after the phone's latest entry. */
export class SqliteBookingHistory implements BookingHistory {
  readonly #db: CitaDatabase;
  readonly #ttlMs: number;

  constructor(db: CitaDatabase, { ttlMs = HISTORY_TTL_MS }: { ttlMs?: number } = {}) {
    this.#db = db;
    this.#ttlMs = ttlMs;
  }

  async record(phone: string, entry: HistoryEntry): Promise<void> {
    const body = JSON.stringify(HistoryEntry.parse(entry));
    const expiresAt = Date.now() + this.#ttlMs;
    await this.#db.transaction(() => {
      this.#db.run('INSERT INTO history (phone, body, expires_at) VALUES (?, ?, ?)', phone, body, expiresAt);
      this.#db.run('UPDATE history SET expires_at = ? WHERE phone = ?', expiresAt, phone);
    });
  }

  async list(phone: string): Promise<HistoryEntry[]> {
    const rows = this.#db.all<{ body: string }>('SELECT body FROM history WHERE phone = ? ORDER BY seq', phone);
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
