import type { OptOuts } from '../../src/engine/ports.ts';
import type { CitaDatabase } from './database.ts';

/** Customers who opted out of what cita sends on its own, per shop, in the shared database. */
export class SqliteOptOuts implements OptOuts {
  readonly #db: CitaDatabase;
  readonly #shop: string;

  constructor(db: CitaDatabase, { shop = 'default' }: { shop?: string } = {}) {
    this.#db = db;
    this.#shop = shop;
  }

  async optOut(phone: string, at: Date): Promise<void> {
    await this.#db.write(
      'INSERT OR IGNORE INTO opt_outs (shop, phone, at_ms) VALUES (?, ?, ?)',
      this.#shop,
      phone,
      at.getTime(),
    );
  }

  async isOptedOut(phone: string): Promise<boolean> {
    return this.#db.get('SELECT 1 FROM opt_outs WHERE shop = ? AND phone = ?', this.#shop, phone) !== undefined;
  }

  async list(): Promise<{ phone: string; at: string }[]> {
    return this.#db
      .all<{ phone: string; at_ms: number }>(
        'SELECT phone, at_ms FROM opt_outs WHERE shop = ? ORDER BY at_ms',
        this.#shop,
      )
      .map(({ phone, at_ms }) => ({ phone, at: new Date(at_ms).toISOString() }));
  }
}
