import {
  reminderKey as keyOf,
  REMINDER_LEASE_MS,
  type Reminder,
  type ReminderSchedule,
} from '../../src/engine/ports.ts';

/** The embedded reminder schedule: one process, so a claim is a plain change of a map. */
export class MemoryReminderSchedule implements ReminderSchedule {
  readonly #planned = new Map<string, { reminder: Reminder; leasedUntil: number }>();

  async plan(reminders: Reminder[]): Promise<void> {
    for (const reminder of reminders) this.#planned.set(keyOf(reminder), { reminder, leasedUntil: 0 });
  }

  async cancelFor(bookingId: string): Promise<void> {
    for (const [key, { reminder }] of this.#planned) if (reminder.bookingId === bookingId) this.#planned.delete(key);
  }

  async claimDue(now: Date, limit: number): Promise<Reminder[]> {
    const due = [...this.#planned.values()]
      .filter(
        ({ reminder, leasedUntil }) => Date.parse(reminder.dueAt) <= now.getTime() && leasedUntil <= now.getTime(),
      )
      .sort((a, b) => a.reminder.dueAt.localeCompare(b.reminder.dueAt))
      .slice(0, limit);
    for (const entry of due) entry.leasedUntil = now.getTime() + REMINDER_LEASE_MS;
    return due.map(({ reminder }) => reminder);
  }

  async done(reminder: Reminder): Promise<void> {
    this.#planned.delete(keyOf(reminder));
  }
}
