import { PROGRESS_TTL_MS } from '../redis/outbox.ts';
import type { DeliveryProgress } from '../whatsapp/delivery-progress.ts';
import type { CitaDatabase } from './database.ts';

/**
 * How far each WhatsApp turn got, in SQLite, so a turn taken over by another process on the file
 * (a crash, a shutdown) resumes where the first one stopped.
 */
export class SqliteDeliveryProgress implements DeliveryProgress {
  readonly #db: CitaDatabase;

  constructor(db: CitaDatabase) {
    this.#db = db;
  }

  async delivered(_phone: string, inReplyTo: string): Promise<number> {
    const row = this.#db.get<{ delivered: number }>(
      'SELECT delivered FROM delivery_progress WHERE in_reply_to = ?',
      inReplyTo,
    );
    return row?.delivered ?? 0;
  }

  async record(_phone: string, inReplyTo: string, count: number): Promise<void> {
    await this.#db.write(
      'INSERT OR REPLACE INTO delivery_progress (in_reply_to, delivered, expires_at) VALUES (?, ?, ?)',
      inReplyTo,
      count,
      Date.now() + PROGRESS_TTL_MS,
    );
  }

  async rememberSent(phone: string, messageIds: string[]): Promise<void> {
    const expiresAt = Date.now() + PROGRESS_TTL_MS;
    await this.#db.transaction(() => {
      for (const id of messageIds) {
        this.#db.run(
          'INSERT OR REPLACE INTO sent_messages (message_id, phone, expires_at) VALUES (?, ?, ?)',
          id,
          phone,
          expiresAt,
        );
      }
    });
  }

  async sentByCita(phone: string, messageId: string): Promise<boolean> {
    return (
      this.#db.get('SELECT 1 AS found FROM sent_messages WHERE message_id = ? AND phone = ?', messageId, phone) !==
      undefined
    );
  }
}
