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

  constructor(db: CitaDatabase) {
    this.#db = db;
  }

  async plan(reminders: Reminder[]): Promise<void> {
    await this.#db.transaction(() => {
      for (const reminder of reminders) {
        this.#db.run(
          'INSERT OR REPLACE INTO reminders (key, booking_id, due_ms, body) VALUES (?, ?, ?, ?)',
          reminderKey(reminder),
          reminder.bookingId,
          Date.parse(reminder.dueAt),
          JSON.stringify(Reminder.parse(reminder)),
        );
      }
    });
  }

  async cancelFor(bookingId: string): Promise<void> {
    await this.#db.write('DELETE FROM reminders WHERE booking_id = ?', bookingId);
  }

  async claimDue(now: Date, limit: number): Promise<Reminder[]> {
    const rows = await this.#db.transaction(() => {
      const due = this.#db.all<{ key: string; body: string }>(
        'SELECT key, body FROM reminders WHERE due_ms <= ? ORDER BY due_ms, key LIMIT ?',
        now.getTime(),
        limit,
      );
      for (const { key } of due) {
        this.#db.run('UPDATE reminders SET due_ms = ? WHERE key = ?', now.getTime() + REMINDER_LEASE_MS, key);
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
    await this.#db.write('DELETE FROM reminders WHERE key = ?', reminderKey(reminder));
  }
}
