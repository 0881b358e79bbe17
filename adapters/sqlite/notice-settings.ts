import { DEFAULT_SHOP_ID } from '../../config/shop-id.ts';
import type { NoticeSettings } from '../../src/engine/ports.ts';
import type { CitaDatabase } from './database.ts';

/**
 * Which staff phones muted their notices, in the shared database: it holds until they switch them
 * on; and the warnings given, each for as long as it was claimed.
 */
export class SqliteNoticeSettings implements NoticeSettings {
  readonly #db: CitaDatabase;
  readonly #shop: string;

  constructor(db: CitaDatabase, { shop = DEFAULT_SHOP_ID }: { shop?: string } = {}) {
    this.#db = db;
    this.#shop = shop;
  }

  async isMuted(phone: string): Promise<boolean> {
    return this.#db.get('SELECT phone FROM muted_staff WHERE shop = ? AND phone = ?', this.#shop, phone) !== undefined;
  }

  async setMuted(phone: string, muted: boolean): Promise<void> {
    if (muted) await this.#db.write('INSERT OR IGNORE INTO muted_staff (shop, phone) VALUES (?, ?)', this.#shop, phone);
    else await this.#db.write('DELETE FROM muted_staff WHERE shop = ? AND phone = ?', this.#shop, phone);
  }

  async firstToTell(cause: string, forMs: number, note = ''): Promise<boolean> {
    const now = Date.now();
    // A claim that ran out is taken again, as if it were never there (the sweep deletes it later).
    const changed = await this.#db.transaction(() =>
      this.#db.run(
        `INSERT INTO staff_told (shop, cause, until_ms, note) VALUES (?, ?, ?, ?)
         ON CONFLICT (shop, cause) DO UPDATE SET until_ms = excluded.until_ms, note = excluded.note
         WHERE staff_told.until_ms <= ?`,
        this.#shop,
        cause,
        now + forMs,
        note,
        now,
      ),
    );
    return changed > 0;
  }

  async endClaim(cause: string): Promise<string | undefined> {
    return this.#db.transaction(() => {
      const claim = this.#db.get<{ note: string }>(
        'SELECT note FROM staff_told WHERE shop = ? AND cause = ? AND until_ms > ?',
        this.#shop,
        cause,
        Date.now(),
      );
      this.#db.run('DELETE FROM staff_told WHERE shop = ? AND cause = ?', this.#shop, cause);
      return claim?.note;
    });
  }
}
