import type { NoticeSettings } from '../../src/engine/ports.ts';
import type { CitaDatabase } from './database.ts';

/** Which staff phones muted their notices, in the shared database: it holds until they switch them on. */
export class SqliteNoticeSettings implements NoticeSettings {
  readonly #db: CitaDatabase;

  constructor(db: CitaDatabase) {
    this.#db = db;
  }

  async isMuted(phone: string): Promise<boolean> {
    return this.#db.get('SELECT phone FROM muted_staff WHERE phone = ?', phone) !== undefined;
  }

  async setMuted(phone: string, muted: boolean): Promise<void> {
    if (muted) await this.#db.write('INSERT OR IGNORE INTO muted_staff (phone) VALUES (?)', phone);
    else await this.#db.write('DELETE FROM muted_staff WHERE phone = ?', phone);
  }
}
