import { z } from 'zod';
import { DEFAULT_SHOP_ID } from '../../config/shop-id.ts';
import {
  Appointment,
  type BusyInterval,
  type Calendar,
  CalendarChange,
  type CalendarChanges,
  type ChangesRead,
  type Interval,
  TimeBlock,
} from '../../src/engine/ports.ts';
import type { CitaDatabase } from './database.ts';

/** The embedded calendar's one source of changes. */
export const STORE_SOURCE = 'store';

/** What a busy-time look-up reads of a stored appointment (`Appointment`'s fields of the same names). */
const AppointmentTime = z.object({
  start: Appointment.shape.start,
  end: Appointment.shape.end,
  barberId: Appointment.shape.barberId.nullable().transform((id) => id ?? undefined),
});

/**
 * The shop's appointments in SQLite, used when no Google Calendar is configured: every process on
 * the file sees every booking the moment it is committed (nobody keeps a copy of their own). Every
 * write is also logged, in the same transaction, as a change read by position (`changesSince`), as
 * Google's sync tokens are: whoever changed the store (the chat, the staff, an admin), it is seen.
 */
export class SqliteCalendar implements Calendar, CalendarChanges {
  readonly #db: CitaDatabase;
  readonly #shop: string;

  constructor(db: CitaDatabase, { shop = DEFAULT_SHOP_ID }: { shop?: string } = {}) {
    this.#db = db;
    this.#shop = shop;
  }

  sources(): string[] {
    return [STORE_SOURCE];
  }

  /** Positions are the log's sequence numbers; no position starts from the end (nothing is old news). */
  async changesSince(_source: string, position: string | undefined): Promise<ChangesRead> {
    if (position === undefined) {
      const last = this.#db.get<{ seq: number }>(
        'SELECT MAX(seq) AS seq FROM calendar_changes WHERE shop = ?',
        this.#shop,
      );
      return { changes: [], position: String(last?.seq ?? 0) };
    }
    const rows = this.#db.all<{ seq: number; body: string }>(
      'SELECT seq, body FROM calendar_changes WHERE shop = ? AND seq > ? ORDER BY seq',
      this.#shop,
      Number(position),
    );
    return {
      changes: rows.map(({ body }) => CalendarChange.parse(JSON.parse(body))),
      position: String(rows.at(-1)?.seq ?? position),
    };
  }

  #logChange(change: CalendarChange) {
    this.#db.run(
      'INSERT INTO calendar_changes (shop, at_ms, body) VALUES (?, ?, ?)',
      this.#shop,
      Date.now(),
      JSON.stringify(change),
    );
  }

  async busy(window: Interval): Promise<BusyInterval[]> {
    const blocks = this.#db
      .all<{ body: string }>(
        'SELECT body FROM time_blocks WHERE shop = ? AND end_ms > ? AND start_ms < ?',
        this.#shop,
        Date.parse(window.start),
        Date.parse(window.end),
      )
      .map(({ body }) => TimeBlock.parse(JSON.parse(body)));
    // Of an appointment only its time and chair: its body is neither parsed nor checked whole for
    // every look-up, only the three fields read out of it. Only appointments ending before the
    // window's end plus the shop's longest appointment can start before it ends: without that
    // bound the look-up read every appointment ending after the window's start, a month of
    // bookings on a busy shop.
    const windowEnd = Date.parse(window.end);
    const appointments = this.#db
      .all<{ start: unknown; end: unknown; barberId: unknown }>(
        `SELECT json_extract(body, '$.start') AS start, json_extract(body, '$.end') AS end,
         json_extract(body, '$.barberId') AS barberId
         FROM appointments WHERE shop = ? AND end_ms > ? AND start_ms < ?
         AND end_ms <= ? + (SELECT max(end_ms - start_ms) FROM appointments WHERE shop = ?)`,
        this.#shop,
        Date.parse(window.start),
        windowEnd,
        windowEnd,
        this.#shop,
      )
      .map((row) => AppointmentTime.parse(row));
    return (
      [...appointments, ...blocks]
        // A barber's appointment or block is that barber's busy time; one without a barber is the whole shop's.
        .map(({ start, end, barberId }) => ({ start, end, ...(barberId !== undefined && { barberId }) }))
        .sort((a, b) => Date.parse(a.start) - Date.parse(b.start))
    );
  }

  async between(window: Interval): Promise<Appointment[]> {
    return this.#db
      .all<{ body: string }>(
        'SELECT body FROM appointments WHERE shop = ? AND end_ms > ? AND start_ms < ? ORDER BY start_ms',
        this.#shop,
        Date.parse(window.start),
        Date.parse(window.end),
      )
      .map(({ body }) => Appointment.parse(JSON.parse(body)));
  }

  /** The same block written twice is one block. */
  async block(block: TimeBlock): Promise<void> {
    const valid = TimeBlock.parse(block);
    await this.#db.write(
      'INSERT OR IGNORE INTO time_blocks (shop, id, start_ms, end_ms, body) VALUES (?, ?, ?, ?, ?)',
      this.#shop,
      valid.id,
      Date.parse(valid.start),
      Date.parse(valid.end),
      JSON.stringify(valid),
    );
  }

  /** Writing an id that exists answers the stored appointment and writes nothing (idempotent booking). */
  async create(appointment: Appointment): Promise<Appointment> {
    const valid = Appointment.parse(appointment);
    return this.#db.transaction(() => {
      const stored = this.#read(valid.id);
      if (stored) return stored;
      this.#write(valid, 'INSERT');
      this.#logChange({ eventId: valid.id, status: 'confirmed', appointment: valid });
      return valid;
    });
  }

  async get(id: string): Promise<Appointment | undefined> {
    return this.#read(id);
  }

  async cancel(id: string): Promise<void> {
    await this.#db.transaction(() => {
      if (this.#db.run('DELETE FROM appointments WHERE shop = ? AND id = ?', this.#shop, id) > 0) {
        this.#logChange({ eventId: id, status: 'cancelled' });
      }
    });
  }

  /** One write: the customer never has zero or two appointments. */
  async reschedule(appointment: Appointment): Promise<Appointment> {
    const valid = Appointment.parse(appointment);
    return this.#db.transaction(() => {
      const stored = this.#read(valid.id);
      if (!stored) throw new Error(`no appointment ${valid.id} to move`);
      const moved = Appointment.parse({ ...stored, ...valid });
      this.#write(moved, 'REPLACE');
      this.#logChange({ eventId: moved.id, status: 'confirmed', appointment: moved });
      return moved;
    });
  }

  async upcomingFor(phone: string, from: Date): Promise<Appointment[]> {
    return this.#db
      .all<{ body: string }>(
        'SELECT body FROM appointments WHERE shop = ? AND phone = ? AND start_ms >= ? ORDER BY start_ms',
        this.#shop,
        phone,
        from.getTime(),
      )
      .map(({ body }) => Appointment.parse(JSON.parse(body)));
  }

  #read(id: string): Appointment | undefined {
    const row = this.#db.get<{ body: string }>(
      'SELECT body FROM appointments WHERE shop = ? AND id = ?',
      this.#shop,
      id,
    );
    return row ? Appointment.parse(JSON.parse(row.body)) : undefined;
  }

  #write(appointment: Appointment, verb: 'INSERT' | 'REPLACE') {
    this.#db.run(
      `${verb} INTO appointments (shop, id, phone, start_ms, end_ms, body) VALUES (?, ?, ?, ?, ?, ?)`,
      this.#shop,
      appointment.id,
      appointment.phone,
      Date.parse(appointment.start),
      Date.parse(appointment.end),
      JSON.stringify(appointment),
    );
  }
}
