import type { DeliveryProgress } from '../whatsapp/delivery-progress.ts';
import type { RedisClient } from './client.ts';
import { DEFAULT_PREFIX, redisKeys } from './keys.ts';

/** How long a turn's progress is kept: far longer than any retry or lease takeover takes. */
export const PROGRESS_TTL_MS = 48 * 60 * 60_000;

/**
 * The delivery record on Redis, so a turn taken over by another process (a crash, a shutdown)
 * also resumes where the first one stopped. One small key per turn, under the phone's hash tag.
 */
export class RedisDeliveryProgress implements DeliveryProgress {
  readonly #redis: RedisClient;
  readonly #keys;

  constructor(redis: RedisClient, { prefix = DEFAULT_PREFIX }: { prefix?: string } = {}) {
    this.#redis = redis;
    this.#keys = redisKeys(prefix);
  }

  async delivered(phone: string, inReplyTo: string): Promise<number> {
    const count = Number(await this.#redis.get(this.#keys.phone(phone, 'sent', inReplyTo)));
    return Number.isInteger(count) && count > 0 ? count : 0;
  }

  async record(phone: string, inReplyTo: string, count: number): Promise<void> {
    await this.#redis.set(this.#keys.phone(phone, 'sent', inReplyTo), count, 'PX', PROGRESS_TTL_MS);
  }

  /** One set per customer, under their hash tag, living as long as the progress records. */
  async rememberSent(phone: string, messageIds: string[]): Promise<void> {
    if (messageIds.length === 0) return;
    const key = this.#keys.phone(phone, 'sentIds');
    await this.#redis
      .multi()
      .sadd(key, ...messageIds)
      .pexpire(key, PROGRESS_TTL_MS)
      .exec();
  }

  async sentByCita(phone: string, messageId: string): Promise<boolean> {
    return (await this.#redis.sismember(this.#keys.phone(phone, 'sentIds'), messageId)) === 1;
  }
}
