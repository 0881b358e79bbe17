import { DEFAULT_SHOP_ID } from '../../config/shop-id.ts';
import type { NoticeSettings } from '../../src/engine/ports.ts';
import type { CitaDatabase } from './database.ts';

/** Which staff phones muted their notices, in the shared database: it holds until they switch them on. */
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
}
