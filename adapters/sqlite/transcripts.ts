import { DEFAULT_SHOP_ID } from '../../config/shop-id.ts';
import {
  type PlacedEntry,
  TRANSCRIPT_MAX_ENTRIES,
  TRANSCRIPT_TTL_MS,
  TranscriptEntry,
  type Transcripts,
} from '../../src/engine/ports.ts';
import { log, phoneRef } from '../../src/log.ts';
import type { CitaDatabase } from './database.ts';

/**
 * Each customer's conversation in messages, in SQLite: one row per message, in the order added.
 * An id already there is ignored (a redelivered turn), the oldest rows beyond `maxEntries` are
 * deleted, and every row of the customer lives `ttlMs` past their latest one, as on Redis.
 */
export class SqliteTranscripts implements Transcripts {
  readonly #db: CitaDatabase;
  readonly #shop: string;
  readonly #ttlMs: number;
  readonly #maxEntries: number;

  constructor(
    db: CitaDatabase,
    {
      shop = DEFAULT_SHOP_ID,
      ttlMs = TRANSCRIPT_TTL_MS,
      maxEntries = TRANSCRIPT_MAX_ENTRIES,
    }: { shop?: string; ttlMs?: number; maxEntries?: number } = {},
  ) {
    this.#db = db;
    this.#shop = shop;
    this.#ttlMs = ttlMs;
    this.#maxEntries = maxEntries;
  }

  async append(customer: string, entries: TranscriptEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const bodies = entries.map((entry) => ({ id: entry.id, body: JSON.stringify(TranscriptEntry.parse(entry)) }));
    const expiresAt = Date.now() + this.#ttlMs;
    await this.#db.transaction(() => {
      for (const { id, body } of bodies) {
        this.#db.run(
          'INSERT OR IGNORE INTO transcripts (shop, phone, id, body, expires_at) VALUES (?, ?, ?, ?, ?)',
          this.#shop,
          customer,
          id,
          body,
          expiresAt,
        );
      }
      this.#db.run(
        'UPDATE transcripts SET expires_at = ? WHERE shop = ? AND phone = ?',
        expiresAt,
        this.#shop,
        customer,
      );
      this.#db.run(
        `DELETE FROM transcripts WHERE shop = ? AND phone = ? AND seq <= (
          SELECT seq FROM transcripts WHERE shop = ? AND phone = ? ORDER BY seq DESC LIMIT 1 OFFSET ?)`,
        this.#shop,
        customer,
        this.#shop,
        customer,
        this.#maxEntries,
      );
    });
  }

  async read(customer: string, after = 0): Promise<PlacedEntry[]> {
    const rows = this.#db.all<{ seq: number; body: string }>(
      'SELECT seq, body FROM transcripts WHERE shop = ? AND phone = ? AND seq > ? AND expires_at > ? ORDER BY seq',
      this.#shop,
      customer,
      after,
      Date.now(),
    );
    return rows.flatMap(({ seq, body }) => {
      const entry = TranscriptEntry.safeParse(safeJson(body));
      if (entry.success) return [{ seq, entry: entry.data }];
      // Never the entry itself in the log: it is what the customer wrote.
      log.warn(
        { event: 'transcript.unreadable', phoneRef: phoneRef(customer) },
        'transcript entry unreadable; skipped',
      );
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
