import { z } from 'zod';
import { DEFAULT_SHOP_ID } from '../../config/shop-id.ts';
import type { InboundMessage, RateLimiter, RateVerdict } from '../../src/engine/ports.ts';
import { type RateLimitOptions, rateLimitOptions } from '../../src/engine/rate-limit.ts';
import type { RedisClient } from './client.ts';
import { DEFAULT_PREFIX, redisKeys } from './keys.ts';
import { defineScript, type Script } from './script.ts';

/**
 * A sliding window per phone: a sorted set of message ids scored by when they were first counted
 * (NX, so a redelivery counts once), and the id of the message that got the "slow down" reply.
 * A Lua function, so the inbox's accept can count in its own script (`acceptCounted`).
 */
export const COUNT_RATE = `
local function countRate(window_key, warned_key, id, at, window, limit)
  redis.call('ZADD', window_key, 'NX', at, id)
  redis.call('ZREMRANGEBYSCORE', window_key, '-inf', at - window)
  redis.call('PEXPIRE', window_key, window)
  if redis.call('ZCARD', window_key) <= limit then return 'allowed' end
  local warned = redis.call('HMGET', warned_key, 'id', 'at')
  if warned[1] == id then return 'slowDown' end
  if warned[2] and tonumber(warned[2]) > at - window then return 'dropped' end
  redis.call('HSET', warned_key, 'id', id, 'at', at)
  redis.call('PEXPIRE', warned_key, window)
  return 'slowDown'
end`;

/** KEYS and ARGV as `counting` gives them. */
const CHECK = `${COUNT_RATE}
return countRate(KEYS[1], KEYS[2], ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]))`;

const Verdict = z.enum(['allowed', 'slowDown', 'dropped']);

/**
 * The rate limiter on Redis, so a burst is counted across every process. Same rules as the
 * SQLite one (`adapters/sqlite/rate-limiter.ts`); the time is this process's clock.
 */
export class RedisRateLimiter implements RateLimiter {
  /** The connection it counts on: an inbox on the same one can count in its own script. */
  readonly redis: RedisClient;
  readonly #keys;
  readonly #options: ReturnType<typeof rateLimitOptions>;
  readonly #check: Script;

  constructor(redis: RedisClient, options: RateLimitOptions & { prefix?: string; shop?: string } = {}) {
    this.redis = redis;
    this.#keys = redisKeys(options.prefix ?? DEFAULT_PREFIX, 1, options.shop ?? DEFAULT_SHOP_ID);
    this.#options = rateLimitOptions(options);
    this.#check = defineScript(redis, 'citaRateCheck', CHECK);
  }

  async check(message: Pick<InboundMessage, 'id' | 'phone'>): Promise<RateVerdict> {
    const { keys, args } = this.counting(message);
    return Verdict.parse(await this.#check(keys, args));
  }

  /** The keys (under the phone's hash tag) and arguments of `countRate` (`COUNT_RATE`) for the message, counted now. */
  counting({ id, phone }: Pick<InboundMessage, 'id' | 'phone'>) {
    const { limit, windowMs, now } = this.#options;
    return {
      keys: [this.#keys.phone(phone, 'rate'), this.#keys.phone(phone, 'rate', 'warned')],
      args: [id, now(), windowMs, limit],
    };
  }
}
