import { ALIAS_TTL_MS, type CustomerAliases } from '../../src/engine/ports.ts';
import type { CitaDatabase } from './database.ts';

/** Which customer each WhatsApp user id stands for, in the shared database. */
export class SqliteCustomerAliases implements CustomerAliases {
  readonly #db: CitaDatabase;

  constructor(db: CitaDatabase) {
    this.#db = db;
  }

  async resolve(userId: string, customer: string): Promise<string> {
    const expiresAt = Date.now() + ALIAS_TTL_MS;
    // The first customer recorded stays; writing again only keeps the record alive.
    const row = await this.#db.transaction(() =>
      this.#db.get<{ customer: string }>(
        `INSERT INTO customer_aliases (user_id, customer, expires_at) VALUES (?, ?, ?)
       ON CONFLICT (user_id) DO UPDATE SET expires_at = excluded.expires_at RETURNING customer`,
        userId,
        customer,
        expiresAt,
      ),
    );
    return row?.customer ?? customer;
  }
}
