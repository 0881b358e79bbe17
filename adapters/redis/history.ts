import { DEFAULT_SHOP_ID } from '../../config/shop-id.ts';
import { type BookingHistory, HistoryEntry } from '../../src/engine/ports.ts';
import { log, phoneRef } from '../../src/log.ts';
import type { RedisClient } from './client.ts';
import { DEFAULT_PREFIX, redisKeys } from './keys.ts';
import { defineScript, type Script } from './script.ts';

/** A phone's booking history is kept this long after its latest entry. */
export const HISTORY_TTL_MS = 365 * 24 * 60 * 60_000;

/** KEYS: the phone's history. ARGV: the entry, ttl. */
const RECORD = `
redis.call('RPUSH', KEYS[1], ARGV[1])
return redis.call('PEXPIRE', KEYS[1], ARGV[2])`;

export interface RedisBookingHistoryOptions {
  prefix?: string;
  /** The shop whose data this is (default: the single-shop set-up's). */
  shop?: string;
  ttlMs?: number;
}

/** Each phone's bookings as a Redis list, oldest first, kept much longer than conversations. */
export class RedisBookingHistory implements BookingHistory {
  readonly #redis: RedisClient;
  readonly #keys;
  readonly #ttlMs: number;
  readonly #record: Script;

  constructor(redis: RedisClient, options: RedisBookingHistoryOptions = {}) {
    this.#redis = redis;
    this.#keys = redisKeys(options.prefix ?? DEFAULT_PREFIX, 1, options.shop ?? DEFAULT_SHOP_ID);
    this.#ttlMs = options.ttlMs ?? HISTORY_TTL_MS;
    this.#record = defineScript(redis, 'citaHistoryRecord', RECORD);
  }

  /** A script rather than MULTI: one command to build and answer instead of four. */
  async record(phone: string, entry: HistoryEntry): Promise<void> {
    await this.#record([this.#key(phone)], [JSON.stringify(HistoryEntry.parse(entry)), this.#ttlMs]);
  }

  async list(phone: string): Promise<HistoryEntry[]> {
    const stored = await this.#redis.lrange(this.#key(phone), 0, -1);
    return stored.flatMap((json) => {
      const parsed = HistoryEntry.safeParse(safeJson(json));
      if (parsed.success) return [parsed.data];
      log.warn({ event: 'history.unreadable', phoneRef: phoneRef(phone) }, 'history entry unreadable; skipped');
      return [];
    });
  }

  #key(phone: string) {
    return this.#keys.phone(phone, 'history');
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
