import { DEFAULT_SHOP_ID } from '../../config/shop-id.ts';
import { type CalendarSyncStore, WatchChannel, WrittenAppointment } from '../../src/engine/ports.ts';
import type { CitaDatabase } from './database.ts';

/**
 * Calendar sync state in the SQLite file, shared by every process on it: a calendar's position is
 * moved only by the holder of its lease, so two processes told of the same change handle it once.
 */
export class SqliteCalendarSyncStore implements CalendarSyncStore {
  readonly #db: CitaDatabase;
  readonly #shop: string;
  readonly #now: () => number;

  constructor(
    db: CitaDatabase,
    { shop = DEFAULT_SHOP_ID, now = Date.now }: { shop?: string; now?: () => number } = {},
  ) {
    this.#db = db;
    this.#shop = shop;
    this.#now = now;
  }

  async claim(source: string, holder: string, ttlMs: number) {
    return this.#db.transaction(() => {
      const now = this.#now();
      this.#db.run('INSERT OR IGNORE INTO calendar_sync (shop, source) VALUES (?, ?)', this.#shop, source);
      const taken = this.#db.run(
        'UPDATE calendar_sync SET holder = ?, lease_until = ? WHERE shop = ? AND source = ? AND (holder IS NULL OR holder = ? OR lease_until <= ?)',
        holder,
        now + ttlMs,
        this.#shop,
        source,
        holder,
        now,
      );
      if (taken === 0) return undefined;
      const row = this.#db.get<{ position: string | null }>(
        'SELECT position FROM calendar_sync WHERE shop = ? AND source = ?',
        this.#shop,
        source,
      );
      return row?.position == null ? {} : { position: row.position };
    });
  }

  async advance(source: string, holder: string, position: string): Promise<boolean> {
    const moved = await this.#db.write(
      'UPDATE calendar_sync SET position = ? WHERE shop = ? AND source = ? AND holder = ? AND lease_until > ?',
      position,
      this.#shop,
      source,
      holder,
      this.#now(),
    );
    return moved > 0;
  }

  async release(source: string, holder: string): Promise<void> {
    await this.#db.write(
      'UPDATE calendar_sync SET holder = NULL, lease_until = 0 WHERE shop = ? AND source = ? AND holder = ?',
      this.#shop,
      source,
      holder,
    );
  }

  async requestAgain(source: string): Promise<void> {
    await this.#db.write(
      'INSERT INTO calendar_sync (shop, source, again) VALUES (?, ?, 1) ON CONFLICT (shop, source) DO UPDATE SET again = 1',
      this.#shop,
      source,
    );
  }

  async takeRequest(source: string): Promise<boolean> {
    const taken = await this.#db.write(
      'UPDATE calendar_sync SET again = 0 WHERE shop = ? AND source = ? AND again = 1',
      this.#shop,
      source,
    );
    return taken > 0;
  }

  async rememberWrite(appointment: WrittenAppointment): Promise<void> {
    const valid = WrittenAppointment.parse(appointment);
    await this.#db.write(
      'INSERT OR REPLACE INTO calendar_writes (shop, booking_id, body) VALUES (?, ?, ?)',
      this.#shop,
      valid.id,
      JSON.stringify(valid),
    );
  }

  async lastWrite(bookingId: string): Promise<WrittenAppointment | undefined> {
    const row = this.#db.get<{ body: string }>(
      'SELECT body FROM calendar_writes WHERE shop = ? AND booking_id = ?',
      this.#shop,
      bookingId,
    );
    return row ? WrittenAppointment.parse(JSON.parse(row.body)) : undefined;
  }

  async saveChannel(channel: WatchChannel): Promise<void> {
    const valid = WatchChannel.parse(channel);
    await this.#db.write(
      'INSERT OR REPLACE INTO calendar_channels (shop, id, body) VALUES (?, ?, ?)',
      this.#shop,
      valid.id,
      JSON.stringify(valid),
    );
  }

  async channel(id: string): Promise<WatchChannel | undefined> {
    const row = this.#db.get<{ body: string }>(
      'SELECT body FROM calendar_channels WHERE shop = ? AND id = ?',
      this.#shop,
      id,
    );
    return row ? WatchChannel.parse(JSON.parse(row.body)) : undefined;
  }

  async channels(): Promise<WatchChannel[]> {
    return this.#db
      .all<{ body: string }>('SELECT body FROM calendar_channels WHERE shop = ?', this.#shop)
      .map(({ body }) => WatchChannel.parse(JSON.parse(body)));
  }

  async dropChannel(id: string): Promise<void> {
    await this.#db.write('DELETE FROM calendar_channels WHERE shop = ? AND id = ?', this.#shop, id);
  }
}
