import { DEFAULT_SHOP_ID } from '../../config/shop-id.ts';
import { REMINDER_LEASE_MS, Reminder, type ReminderSchedule, reminderKey } from '../../src/engine/ports.ts';
import { log } from '../../src/log.ts';
import type { CitaDatabase } from './database.ts';

/**
 * The reminder schedule in SQLite. Claiming moves each due reminder's time to the end of its lease
 * in the same transaction that finds it: two processes never take the same reminder, and one whose
 * taker crashed is due again when the lease ends.
 */
export class SqliteReminderSchedule implements ReminderSchedule {
  readonly #db: CitaDatabase;
  readonly #shop: string;

  constructor(db: CitaDatabase, { shop = DEFAULT_SHOP_ID }: { shop?: string } = {}) {
    this.#db = db;
    this.#shop = shop;
  }

  async plan(reminders: Reminder[]): Promise<void> {
    await this.#db.transaction(() => {
      for (const reminder of reminders) {
        this.#db.run(
          'INSERT OR REPLACE INTO reminders (shop, key, booking_id, due_ms, body) VALUES (?, ?, ?, ?, ?)',
          this.#shop,
          reminderKey(reminder),
          reminder.bookingId,
          Date.parse(reminder.dueAt),
          JSON.stringify(Reminder.parse(reminder)),
        );
      }
    });
  }

  async cancelFor(bookingId: string): Promise<void> {
    await this.#db.write('DELETE FROM reminders WHERE shop = ? AND booking_id = ?', this.#shop, bookingId);
  }

  async claimDue(now: Date, limit: number): Promise<Reminder[]> {
    const rows = await this.#db.transaction(() => {
      const due = this.#db.all<{ key: string; body: string }>(
        'SELECT key, body FROM reminders WHERE shop = ? AND due_ms <= ? ORDER BY due_ms, key LIMIT ?',
        this.#shop,
        now.getTime(),
        limit,
      );
      for (const { key } of due) {
        this.#db.run(
          'UPDATE reminders SET due_ms = ? WHERE shop = ? AND key = ?',
          now.getTime() + REMINDER_LEASE_MS,
          this.#shop,
          key,
        );
      }
      return due;
    });
    return rows.flatMap(({ body }) => {
      const parsed = Reminder.safeParse(JSON.parse(body));
      if (parsed.success) return [parsed.data];
      log.warn({ event: 'reminder.unreadable' }, 'a stored reminder no longer reads; it is skipped');
      return [];
    });
  }

  async done(reminder: Reminder): Promise<void> {
    await this.#db.write('DELETE FROM reminders WHERE shop = ? AND key = ?', this.#shop, reminderKey(reminder));
  }
}
