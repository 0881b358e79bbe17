import { DEFAULT_SHOP_ID } from '../../config/shop-id.ts';
import { ALIAS_TTL_MS, type CustomerAliases } from '../../src/engine/ports.ts';
import type { CitaDatabase } from './database.ts';

/** Which customer each WhatsApp user id stands for at one shop (user ids are per business account), in the shared database. */
export class SqliteCustomerAliases implements CustomerAliases {
  readonly #db: CitaDatabase;
  readonly #shop: string;

  constructor(db: CitaDatabase, { shop = DEFAULT_SHOP_ID }: { shop?: string } = {}) {
    this.#db = db;
    this.#shop = shop;
  }

  async resolve(userId: string, customer: string): Promise<string> {
    const expiresAt = Date.now() + ALIAS_TTL_MS;
    // The first customer recorded stays; writing again only keeps the record alive.
    const row = await this.#db.transaction(() =>
      this.#db.get<{ customer: string }>(
        `INSERT INTO customer_aliases (shop, user_id, customer, expires_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (shop, user_id) DO UPDATE SET expires_at = excluded.expires_at RETURNING customer`,
        this.#shop,
        userId,
        customer,
        expiresAt,
      ),
    );
    return row?.customer ?? customer;
  }
}
