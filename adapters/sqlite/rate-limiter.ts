import { DEFAULT_SHOP_ID } from '../../config/shop-id.ts';
import type { InboundMessage, RateLimiter, RateVerdict } from '../../src/engine/ports.ts';
import { type RateLimitOptions, rateLimitOptions } from '../../src/engine/rate-limit.ts';
import type { CitaDatabase } from './database.ts';

/**
 * The rate limiter in SQLite, so a burst is counted across every process on the file: a sliding
 * window per phone of the message ids first counted in it (a redelivery counts once), and the
 * message that got the "slow down" reply. Time is when the message is handled (see `rate-limit.ts`).
 */
export class SqliteRateLimiter implements RateLimiter {
  /** The file it counts in: an inbox on the same one can count in its own transaction. */
  readonly database: CitaDatabase;
  readonly #db: CitaDatabase;
  readonly #shop: string;
  readonly #options: ReturnType<typeof rateLimitOptions>;

  constructor(db: CitaDatabase, options: RateLimitOptions & { shop?: string } = {}) {
    this.database = db;
    this.#db = db;
    this.#shop = options.shop ?? DEFAULT_SHOP_ID;
    this.#options = rateLimitOptions(options);
  }

  async check(message: Pick<InboundMessage, 'id' | 'phone'>): Promise<RateVerdict> {
    const counting = this.counting(message);
    return this.#db.transaction(counting);
  }

  /** Counts the message, timed now, when called inside a write transaction on `database`. */
  counting({ id, phone }: Pick<InboundMessage, 'id' | 'phone'>): () => RateVerdict {
    const { limit, windowMs, now } = this.#options;
    const at = now();
    return () => {
      this.#db.run(
        'INSERT OR IGNORE INTO rate_seen (shop, phone, id, at) VALUES (?, ?, ?, ?)',
        this.#shop,
        phone,
        id,
        at,
      );
      this.#db.run('DELETE FROM rate_seen WHERE shop = ? AND phone = ? AND at <= ?', this.#shop, phone, at - windowMs);
      const { count } = this.#db.get<{ count: number }>(
        'SELECT count(*) AS count FROM rate_seen WHERE shop = ? AND phone = ?',
        this.#shop,
        phone,
      )!;
      if (count <= limit) return 'allowed';
      const warned = this.#db.get<{ id: string; at: number }>(
        'SELECT id, at FROM rate_warned WHERE shop = ? AND phone = ?',
        this.#shop,
        phone,
      );
      // A redelivered "slow down" message is answered the same way again.
      if (warned?.id === id) return 'slowDown';
      if (warned && warned.at > at - windowMs) return 'dropped';
      this.#db.run(
        'INSERT OR REPLACE INTO rate_warned (shop, phone, id, at) VALUES (?, ?, ?, ?)',
        this.#shop,
        phone,
        id,
        at,
      );
      return 'slowDown';
    };
  }
}
