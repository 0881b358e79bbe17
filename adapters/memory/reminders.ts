import type { Reminder, ReminderSchedule } from '../../src/engine/ports.ts';

const keyOf = (reminder: Reminder) => `${reminder.bookingId}:${reminder.minutesBefore}`;

/** The embedded reminder schedule: one process, so claiming is a plain remove. */
export class MemoryReminderSchedule implements ReminderSchedule {
  readonly #planned = new Map<string, Reminder>();

  async plan(reminders: Reminder[]): Promise<void> {
    for (const reminder of reminders) this.#planned.set(keyOf(reminder), reminder);
  }

  async cancelFor(bookingId: string): Promise<void> {
    for (const [key, reminder] of this.#planned) if (reminder.bookingId === bookingId) this.#planned.delete(key);
  }

  async claimDue(now: Date, limit: number): Promise<Reminder[]> {
    const due = [...this.#planned.values()]
      .filter((reminder) => Date.parse(reminder.dueAt) <= now.getTime())
      .sort((a, b) => a.dueAt.localeCompare(b.dueAt))
      .slice(0, limit);
    for (const reminder of due) this.#planned.delete(keyOf(reminder));
    return due;
  }
}
