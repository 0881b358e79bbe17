import { DEFAULT_SHOP_ID } from '../../config/shop-id.ts';
import { PROGRESS_TTL_MS } from '../redis/outbox.ts';
import {
  type DeliveryProgress,
  KEPT_MS,
  type KeptMessage,
  keptSeq,
  mayStart,
  RESEND_LEASE_MS,
  RESENDS_PER_ROUND,
} from '../whatsapp/delivery-progress.ts';
import type { CitaDatabase } from './database.ts';

/**
 * How far each WhatsApp turn got, and which messages WhatsApp confirmed, in SQLite, so a turn
 * taken over by another process on the file (a crash, a shutdown) resumes where the first one
 * stopped, and sends nothing WhatsApp already took.
 */
export class SqliteDeliveryProgress implements DeliveryProgress {
  readonly #db: CitaDatabase;
  readonly #shop: string;

  constructor(db: CitaDatabase, { shop = DEFAULT_SHOP_ID }: { shop?: string } = {}) {
    this.#db = db;
    this.#shop = shop;
  }

  async resume(_phone: string, inReplyTo: string) {
    const row = this.#db.get<{ delivered: number; started: number }>(
      'SELECT delivered, started FROM delivery_progress WHERE shop = ? AND in_reply_to = ?',
      this.#shop,
      inReplyTo,
    );
    return { delivered: row?.delivered ?? 0, started: row?.started ?? 0 };
  }

  async start(
    phone: string,
    inReplyTo: string,
    count: number,
    sender: string,
    takeOver = false,
    kept?: { outboxId: string; body: string },
  ) {
    return this.#db.transaction(() => {
      if (kept) this.#keep(phone, kept.outboxId, kept.body);
      const turn = this.#db.get<{ started: number; started_by: string | null }>(
        'SELECT started, started_by FROM delivery_progress WHERE shop = ? AND in_reply_to = ?',
        this.#shop,
        inReplyTo,
      );
      if (!mayStart({ started: turn?.started ?? 0, by: turn?.started_by }, count, sender, takeOver)) return false;
      this.#db.run(
        `INSERT INTO delivery_progress (shop, in_reply_to, delivered, started, started_by, expires_at) VALUES (?, ?, 0, ?, ?, ?)
         ON CONFLICT (shop, in_reply_to) DO UPDATE SET started = excluded.started, started_by = excluded.started_by,
           expires_at = excluded.expires_at`,
        this.#shop,
        inReplyTo,
        count,
        sender,
        Date.now() + PROGRESS_TTL_MS,
      );
      return true;
    });
  }

  async unstart(_phone: string, inReplyTo: string, count: number, sender: string): Promise<void> {
    await this.#db.write(
      'UPDATE delivery_progress SET started = ? WHERE shop = ? AND in_reply_to = ? AND started_by = ? AND started = ?',
      count,
      this.#shop,
      inReplyTo,
      sender,
      count + 1,
    );
  }

  async record(phone: string, inReplyTo: string, count: number, sentId?: string): Promise<void> {
    await this.#db.transaction(() => {
      if (sentId !== undefined) this.#rememberSent(phone, [sentId]);
      this.#db.run(
        `INSERT INTO delivery_progress (shop, in_reply_to, delivered, started, expires_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (shop, in_reply_to) DO UPDATE SET delivered = excluded.delivered,
           started = max(started, excluded.started), expires_at = excluded.expires_at`,
        this.#shop,
        inReplyTo,
        count,
        count,
        Date.now() + PROGRESS_TTL_MS,
      );
    });
  }

  async confirm(_phone: string, outboxId: string, wamid: string): Promise<void> {
    await this.#db.write(
      'INSERT OR IGNORE INTO delivery_confirmations (shop, outbox_id, wamid, expires_at) VALUES (?, ?, ?, ?)',
      this.#shop,
      outboxId,
      wamid,
      Date.now() + PROGRESS_TTL_MS,
    );
  }

  async confirmation(_phone: string, outboxId: string): Promise<string | undefined> {
    return this.#db.get<{ wamid: string }>(
      'SELECT wamid FROM delivery_confirmations WHERE shop = ? AND outbox_id = ?',
      this.#shop,
      outboxId,
    )?.wamid;
  }

  async rememberSent(phone: string, messageIds: string[]): Promise<void> {
    await this.#db.transaction(() => this.#rememberSent(phone, messageIds));
  }

  #rememberSent(phone: string, messageIds: string[]) {
    const expiresAt = Date.now() + PROGRESS_TTL_MS;
    for (const id of messageIds) {
      this.#db.run(
        'INSERT OR REPLACE INTO sent_messages (shop, message_id, phone, expires_at) VALUES (?, ?, ?, ?)',
        this.#shop,
        id,
        phone,
        expiresAt,
      );
    }
  }

  async sentByCita(phone: string, messageId: string): Promise<boolean> {
    return (
      this.#db.get(
        'SELECT 1 AS found FROM sent_messages WHERE shop = ? AND message_id = ? AND phone = ?',
        this.#shop,
        messageId,
        phone,
      ) !== undefined
    );
  }

  async keep(phone: string, outboxId: string, body: string): Promise<void> {
    await this.#db.transaction(() => this.#keep(phone, outboxId, body));
  }

  #keep(phone: string, outboxId: string, body: string) {
    this.#db.run(
      `INSERT OR REPLACE INTO kept_messages (shop, outbox_id, phone, body, seq, resend_at, tries, expires_at)
       VALUES (?, ?, ?, ?, ?, NULL, 0, ?)`,
      this.#shop,
      outboxId,
      phone,
      body,
      keptSeq(),
      Date.now() + KEPT_MS,
    );
  }

  async queueResend(_phone: string, outboxId: string, notBefore: number): Promise<boolean> {
    const changed = await this.#db.transaction(() =>
      this.#db.run(
        `UPDATE kept_messages SET resend_at = ?, tries = tries + 1, expires_at = ?
         WHERE shop = ? AND outbox_id = ? AND expires_at > ?`,
        notBefore,
        Math.max(notBefore, Date.now()) + KEPT_MS,
        this.#shop,
        outboxId,
        Date.now(),
      ),
    );
    return changed > 0;
  }

  async takeResends(now: number, limit = RESENDS_PER_ROUND): Promise<KeptMessage[]> {
    return this.#db.transaction(() => {
      const due = this.#db.all<{ phone: string; outbox_id: string; body: string }>(
        `SELECT phone, outbox_id, body FROM kept_messages WHERE shop = ? AND resend_at IS NOT NULL AND resend_at <= ?
         ORDER BY phone, seq LIMIT ?`,
        this.#shop,
        now,
        limit,
      );
      const lease = now + RESEND_LEASE_MS;
      for (const row of due) {
        this.#db.run(
          'UPDATE kept_messages SET resend_at = ? WHERE shop = ? AND outbox_id = ?',
          lease,
          this.#shop,
          row.outbox_id,
        );
      }
      return due.map((row) => ({ phone: row.phone, outboxId: row.outbox_id, body: row.body, lease }));
    });
  }

  async resent(_phone: string, outboxId: string, lease: number): Promise<void> {
    await this.#db.write(
      'UPDATE kept_messages SET resend_at = NULL WHERE shop = ? AND outbox_id = ? AND resend_at = ?',
      this.#shop,
      outboxId,
      lease,
    );
  }
}
