import { DEFAULT_SHOP_ID } from '../../config/shop-id.ts';
import { type ConversationStore, StoredConversation } from '../../src/engine/ports.ts';
import { log, phoneRef } from '../../src/log.ts';
import { CONVERSATION_TTL_MS } from '../redis/conversations.ts';
import type { CitaDatabase } from './database.ts';

/**
 * The conversation store in SQLite: one row per phone with the snapshot and its version. A save
 * checks the version and writes in one transaction, so of two writers from one version one wins.
 * A conversation nobody touched for `ttlMs` is forgotten, as on Redis.
 */
export class SqliteConversationStore implements ConversationStore {
  readonly #db: CitaDatabase;
  readonly #shop: string;
  readonly #ttlMs: number;

  constructor(
    db: CitaDatabase,
    { ttlMs = CONVERSATION_TTL_MS, shop = DEFAULT_SHOP_ID }: { ttlMs?: number; shop?: string } = {},
  ) {
    this.#db = db;
    this.#shop = shop;
    this.#ttlMs = ttlMs;
  }

  async load(phone: string): Promise<{ conversation?: StoredConversation; version: number }> {
    const row = this.#db.get<{ body: string; version: number }>(
      'SELECT body, version FROM conversations WHERE shop = ? AND phone = ? AND expires_at > ?',
      this.#shop,
      phone,
      Date.now(),
    );
    if (!row) return { version: 0 };
    try {
      return { conversation: StoredConversation.parse(JSON.parse(row.body)), version: row.version };
    } catch (error) {
      // Unreadable data must not block the phone forever: start afresh, and the next save replaces it.
      log.warn({ event: 'conversation.unreadable', phoneRef: phoneRef(phone), error: String(error) });
      return { version: row.version };
    }
  }

  async save(phone: string, conversation: StoredConversation, version: number): Promise<boolean> {
    // Made by the engine from parsed parts: checked when read back, not again on the way in.
    const body = JSON.stringify(conversation);
    const now = Date.now();
    // One statement, compare and write together: the version saved over must be the one loaded and
    // still live; version 0 means none (or only an expired one) may be there.
    const changed =
      version === 0
        ? await this.#db.write(
            `INSERT INTO conversations (shop, phone, version, body, expires_at) VALUES (?, ?, 1, ?, ?)
             ON CONFLICT (shop, phone) DO UPDATE SET version = 1, body = excluded.body, expires_at = excluded.expires_at
             WHERE conversations.expires_at <= ?`,
            this.#shop,
            phone,
            body,
            now + this.#ttlMs,
            now,
          )
        : await this.#db.write(
            `UPDATE conversations SET version = version + 1, body = ?, expires_at = ?
             WHERE shop = ? AND phone = ? AND version = ? AND expires_at > ?`,
            body,
            now + this.#ttlMs,
            this.#shop,
            phone,
            version,
            now,
          );
    return changed === 1;
  }
}
