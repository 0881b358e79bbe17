import type { OptOuts } from '../../src/engine/ports.ts';
import type { RedisClient } from './client.ts';
import { DEFAULT_PREFIX, redisKeys } from './keys.ts';

/**
 * Customers who opted out of what cita sends on its own, as one Redis hash per shop (phone → when),
 * shared by every process and never expiring: "no más avisos" holds for good.
 */
export class RedisOptOuts implements OptOuts {
  readonly #redis: RedisClient;
  readonly #key: string;

  constructor(
    redis: RedisClient,
    { prefix = DEFAULT_PREFIX, shop = 'default' }: { prefix?: string; shop?: string } = {},
  ) {
    this.#redis = redis;
    this.#key = redisKeys(prefix).slot(`opt-outs:${shop}`);
  }

  async optOut(phone: string, at: Date): Promise<void> {
    await this.#redis.hsetnx(this.#key, phone, at.toISOString());
  }

  async isOptedOut(phone: string): Promise<boolean> {
    return (await this.#redis.hexists(this.#key, phone)) === 1;
  }

  async list(): Promise<{ phone: string; at: string }[]> {
    const all = await this.#redis.hgetall(this.#key);
    return Object.entries(all)
      .map(([phone, at]) => ({ phone, at }))
      .sort((a, b) => a.at.localeCompare(b.at));
  }
}
