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
 */
const CHECK = `
local at, window, limit = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
redis.call('ZADD', KEYS[1], 'NX', at, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', at - window)
redis.call('PEXPIRE', KEYS[1], window)
if redis.call('ZCARD', KEYS[1]) <= limit then return 'allowed' end
local warned = redis.call('HMGET', KEYS[2], 'id', 'at')
if warned[1] == ARGV[1] then return 'slowDown' end
if warned[2] and tonumber(warned[2]) > at - window then return 'dropped' end
redis.call('HSET', KEYS[2], 'id', ARGV[1], 'at', at)
redis.call('PEXPIRE', KEYS[2], window)
return 'slowDown'`;

const Verdict = z.enum(['allowed', 'slowDown', 'dropped']);

/**
 * The rate limiter on Redis, so a burst is counted across every process. Same rules as the
 * SQLite one (`adapters/sqlite/rate-limiter.ts`); the time is this process's clock.
 */
export class RedisRateLimiter implements RateLimiter {
  readonly #keys;
  readonly #options: ReturnType<typeof rateLimitOptions>;
  readonly #check: Script;

  constructor(redis: RedisClient, options: RateLimitOptions & { prefix?: string; shop?: string } = {}) {
    this.#keys = redisKeys(options.prefix ?? DEFAULT_PREFIX, 1, options.shop ?? DEFAULT_SHOP_ID);
    this.#options = rateLimitOptions(options);
    this.#check = defineScript(redis, 'citaRateCheck', CHECK);
  }

  async check({ id, phone }: Pick<InboundMessage, 'id' | 'phone'>): Promise<RateVerdict> {
    const { limit, windowMs, now } = this.#options;
    const keys = [this.#keys.phone(phone, 'rate'), this.#keys.phone(phone, 'rate', 'warned')];
    return Verdict.parse(await this.#check(keys, [id, now(), windowMs, limit]));
  }
}
