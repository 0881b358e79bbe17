import { DEFAULT_SHOP_ID } from '../../config/shop-id.ts';
import { ALIAS_TTL_MS, type CustomerAliases } from '../../src/engine/ports.ts';
import type { RedisClient } from './client.ts';
import { DEFAULT_PREFIX, redisKeys } from './keys.ts';

/**
 * Which customer each WhatsApp user id stands for at one shop (a user id is scoped to the business
 * account), one key per user id under its own hash tag (`{<shop>:<userId>}`).
 * `SET … NX GET` records the first customer and answers the one already recorded in one trip.
 */
export class RedisCustomerAliases implements CustomerAliases {
  readonly #redis: RedisClient;
  readonly #keys;

  constructor(
    redis: RedisClient,
    { prefix = DEFAULT_PREFIX, shop = DEFAULT_SHOP_ID }: { prefix?: string; shop?: string } = {},
  ) {
    this.#redis = redis;
    this.#keys = redisKeys(prefix, 1, shop);
  }

  async resolve(userId: string, customer: string): Promise<string> {
    const key = this.#keys.phone(userId, 'customer');
    const results = await this.#redis.multi().set(key, customer, 'NX', 'GET').pexpire(key, ALIAS_TTL_MS).exec();
    const [error, recorded] = results?.[0] ?? [new Error('the alias was not written')];
    if (error) throw error;
    return typeof recorded === 'string' ? recorded : customer;
  }
}
