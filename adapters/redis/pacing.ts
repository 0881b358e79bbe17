import { z } from 'zod';
import { bucketShape, DEFAULT_MAX_PER_SECOND, type SendPacer, SLOW_FOR_MS } from '../whatsapp/pacing.ts';
import type { RedisClient } from './client.ts';
import { DEFAULT_PREFIX, redisKeys } from './keys.ts';
import { defineScript, type Script } from './script.ts';

/**
 * The token bucket of MemorySendPacer (adapters/whatsapp/pacing.ts) in one hash, so every process
 * sending for the number draws from it. ARGV: now (ms), refill per ms, capacity, slow factor.
 * Times come from the callers' clocks: NTP keeps them within milliseconds, which the bucket's
 * 10% headroom absorbs.
 */
const RESERVE = `
local now, perMs, capacity, factor = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at', 'slowUntil')
local slowUntil = tonumber(state[3]) or 0
if now < slowUntil then
  perMs = perMs * factor
  capacity = math.max(1, capacity * factor)
end
local tokens = tonumber(state[1]) or capacity
local at = tonumber(state[2]) or now
if now > at then tokens = math.min(capacity, tokens + (now - at) * perMs) end
tokens = tokens - 1
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(math.max(now, at)))
redis.call('PEXPIRE', KEYS[1], 120000)
if tokens >= 0 then return 0 end
return math.ceil(-tokens / perMs)`;

/** The script's answer: milliseconds to wait (a schema built once: building one per call was 1% of the CPU). */
const Wait = z.coerce.number().int().min(0);

const SLOW_DOWN = `
local now, slowFor = tonumber(ARGV[1]), tonumber(ARGV[2])
local slowUntil = tonumber(redis.call('HGET', KEYS[1], 'slowUntil')) or 0
redis.call('HSET', KEYS[1], 'slowUntil', tostring(math.max(slowUntil, now + slowFor)))
local tokens = tonumber(redis.call('HGET', KEYS[1], 'tokens'))
if not tokens or tokens > 0 then redis.call('HSET', KEYS[1], 'tokens', '0', 'at', tostring(now)) end
redis.call('PEXPIRE', KEYS[1], slowFor + 120000)
return 1`;

export interface RedisSendPacerOptions {
  /** The business phone number id: the cap is per number, so is the bucket. */
  phoneNumberId: string;
  maxPerSecond?: number;
  prefix?: string;
  now?: () => number;
}

/**
 * Outbound pacing shared by every process on one Redis.
 *
 * @example
 * const pacer = new RedisSendPacer(redis, { phoneNumberId, maxPerSecond: 80 });
 */
export class RedisSendPacer implements SendPacer {
  readonly #key: string;
  readonly #shape;
  readonly #now: () => number;
  readonly #reserve: Script;
  readonly #slowDown: Script;

  constructor(redis: RedisClient, options: RedisSendPacerOptions) {
    this.#key = redisKeys(options.prefix ?? DEFAULT_PREFIX).slot('pacing', options.phoneNumberId);
    this.#shape = bucketShape(options.maxPerSecond ?? DEFAULT_MAX_PER_SECOND);
    this.#now = options.now ?? Date.now;
    this.#reserve = defineScript(redis, 'citaPacingReserve', RESERVE);
    this.#slowDown = defineScript(redis, 'citaPacingSlowDown', SLOW_DOWN);
  }

  async reserve(): Promise<number> {
    const { perMs, capacity, slowFactor } = this.#shape;
    const wait = await this.#reserve([this.#key], [this.#now(), perMs, capacity, slowFactor]);
    return Wait.parse(wait);
  }

  async slowDown(): Promise<void> {
    await this.#slowDown([this.#key], [this.#now(), SLOW_FOR_MS]);
  }
}
