import { bucketShape, DEFAULT_MAX_PER_SECOND, type SendPacer, SLOW_FOR_MS } from '../whatsapp/pacing.ts';
import type { CitaDatabase } from './database.ts';

export interface SqliteSendPacerOptions {
  /** The business phone number id: the cap is per number, so is the bucket. */
  phoneNumberId: string;
  maxPerSecond?: number;
  now?: () => number;
}

interface Bucket {
  tokens: number;
  at: number;
  slow_until: number;
}

/**
 * The token bucket of MemorySendPacer (adapters/whatsapp/pacing.ts) in one row, so every process
 * on the database file sending for the number draws from it.
 */
export class SqliteSendPacer implements SendPacer {
  readonly #db: CitaDatabase;
  readonly #id: string;
  readonly #shape;
  readonly #now: () => number;

  constructor(db: CitaDatabase, options: SqliteSendPacerOptions) {
    this.#db = db;
    this.#id = options.phoneNumberId;
    this.#shape = bucketShape(options.maxPerSecond ?? DEFAULT_MAX_PER_SECOND);
    this.#now = options.now ?? Date.now;
  }

  async reserve(): Promise<number> {
    const now = this.#now();
    return this.#db.transaction(() => {
      const bucket = this.#read();
      const slowed = now < (bucket?.slow_until ?? 0);
      const perMs = this.#shape.perMs * (slowed ? this.#shape.slowFactor : 1);
      const capacity = Math.max(1, this.#shape.capacity * (slowed ? this.#shape.slowFactor : 1));
      const at = bucket?.at ?? now;
      const tokens = Math.min(capacity, (bucket?.tokens ?? capacity) + Math.max(0, now - at) * perMs) - 1;
      this.#write(tokens, Math.max(now, at), bucket?.slow_until ?? 0);
      return tokens >= 0 ? 0 : Math.ceil(-tokens / perMs);
    });
  }

  async slowDown(): Promise<void> {
    const now = this.#now();
    await this.#db.transaction(() => {
      const bucket = this.#read();
      const slowUntil = Math.max(bucket?.slow_until ?? 0, now + SLOW_FOR_MS);
      // The burst that got refused is over: start from empty.
      const [tokens, at] = bucket && bucket.tokens <= 0 ? [bucket.tokens, bucket.at] : [0, now];
      this.#write(tokens, at, slowUntil);
    });
  }

  #read(): Bucket | undefined {
    return this.#db.get<Bucket>('SELECT tokens, at, slow_until FROM send_pacing WHERE phone_number_id = ?', this.#id);
  }

  #write(tokens: number, at: number, slowUntil: number) {
    this.#db.run(
      'INSERT OR REPLACE INTO send_pacing (phone_number_id, tokens, at, slow_until) VALUES (?, ?, ?, ?)',
      this.#id,
      tokens,
      at,
      slowUntil,
    );
  }
}
