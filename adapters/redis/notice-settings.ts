import { DEFAULT_SHOP_ID } from '../../config/shop-id.ts';
import type { NoticeSettings } from '../../src/engine/ports.ts';
import type { RedisClient } from './client.ts';
import { DEFAULT_PREFIX, redisKeys } from './keys.ts';

/**
 * Which staff phones muted their notices, as one Redis set shared by every process. It never
 * expires, unlike conversations: "avisos off" holds until the staff member says "avisos on".
 */
export class RedisNoticeSettings implements NoticeSettings {
  readonly #redis: RedisClient;
  readonly #key: string;

  constructor(redis: RedisClient, options: { prefix?: string; shop?: string } = {}) {
    this.#redis = redis;
    this.#key = redisKeys(options.prefix ?? DEFAULT_PREFIX, 1, options.shop ?? DEFAULT_SHOP_ID).slot('staff', 'muted');
  }

  async isMuted(phone: string): Promise<boolean> {
    return (await this.#redis.sismember(this.#key, phone)) === 1;
  }

  async setMuted(phone: string, muted: boolean): Promise<void> {
    if (muted) await this.#redis.sadd(this.#key, phone);
    else await this.#redis.srem(this.#key, phone);
  }
}
