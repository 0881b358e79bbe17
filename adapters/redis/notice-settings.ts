import { DEFAULT_SHOP_ID } from '../../config/shop-id.ts';
import type { NoticeSettings } from '../../src/engine/ports.ts';
import type { RedisClient } from './client.ts';
import { DEFAULT_PREFIX, type RedisKeys, redisKeys } from './keys.ts';

/**
 * Which staff phones muted their notices, as one Redis set shared by every process. It never
 * expires, unlike conversations: "avisos off" holds until the staff member says "avisos on". Each
 * warning given is a key of its own, living as long as it was claimed for.
 */
export class RedisNoticeSettings implements NoticeSettings {
  readonly #redis: RedisClient;
  readonly #key: string;
  readonly #keys: RedisKeys;

  constructor(redis: RedisClient, options: { prefix?: string; shop?: string } = {}) {
    this.#redis = redis;
    this.#keys = redisKeys(options.prefix ?? DEFAULT_PREFIX, 1, options.shop ?? DEFAULT_SHOP_ID);
    this.#key = this.#keys.slot('staff', 'muted');
  }

  async isMuted(phone: string): Promise<boolean> {
    return (await this.#redis.sismember(this.#key, phone)) === 1;
  }

  async setMuted(phone: string, muted: boolean): Promise<void> {
    if (muted) await this.#redis.sadd(this.#key, phone);
    else await this.#redis.srem(this.#key, phone);
  }

  async firstToTell(cause: string, forMs: number, note = ''): Promise<boolean> {
    return (await this.#redis.set(this.#keys.slot('staff', 'told', cause), note, 'PX', forMs, 'NX')) === 'OK';
  }

  async endClaim(cause: string): Promise<string | undefined> {
    return (await this.#redis.getdel(this.#keys.slot('staff', 'told', cause))) ?? undefined;
  }
}
