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
import { TRANSCRIPT_REFRESH_SLACK_MS } from './schema.ts';

/** The expiry of the customer's newest row: the transcript's own (`?` shop, `?` phone). */
const NEWEST_EXPIRY = 'SELECT expires_at FROM transcripts WHERE shop = ? AND phone = ? ORDER BY seq DESC LIMIT 1';

/**
 * Each customer's conversation in messages, in SQLite: one row per message, in the order added.
 * An id already there is ignored (a redelivered turn), the oldest rows beyond `maxEntries` are
 * deleted, and the customer's transcript lives `ttlMs` past their latest entry, as on Redis: the
 * newest row carries that time, and the older rows are kept within TRANSCRIPT_REFRESH_SLACK_MS of it.
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
    const now = Date.now();
    const expiresAt = now + this.#ttlMs;
    const slack = Math.min(TRANSCRIPT_REFRESH_SLACK_MS, Math.floor(this.#ttlMs / 2));
    await this.#db.transaction(() => {
      // A transcript that expired is forgotten before anything is added: its rows, not yet swept,
      // must not come back to life with the new ones.
      this.#db.run(
        `DELETE FROM transcripts WHERE shop = ? AND phone = ? AND (${NEWEST_EXPIRY}) <= ?`,
        this.#shop,
        customer,
        this.#shop,
        customer,
        now,
      );
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
      // The newest row takes the transcript's new expiry (it may be an older row when every id was
      // there already); older rows only once they have fallen `slack` behind.
      this.#db.run(
        `UPDATE transcripts SET expires_at = ? WHERE shop = ? AND phone = ? AND expires_at < ?
         AND (expires_at < ? OR seq = (SELECT max(seq) FROM transcripts WHERE shop = ? AND phone = ?))`,
        expiresAt,
        this.#shop,
        customer,
        expiresAt,
        expiresAt - slack,
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
      `SELECT seq, body FROM transcripts WHERE shop = ? AND phone = ? AND seq > ? AND (${NEWEST_EXPIRY}) > ?
       ORDER BY seq`,
      this.#shop,
      customer,
      after,
      this.#shop,
      customer,
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
