import { DEFAULT_SHOP_ID } from '../../config/shop-id.ts';
import {
  type PlacedEntry,
  TRANSCRIPT_MAX_ENTRIES,
  TRANSCRIPT_TTL_MS,
  TranscriptEntry,
  type Transcripts,
} from '../../src/engine/ports.ts';
import { log, phoneRef } from '../../src/log.ts';
import type { RedisClient } from './client.ts';
import { DEFAULT_PREFIX, redisKeys } from './keys.ts';
import { defineScript, type Script } from './script.ts';

/**
 * Appends entries not seen before, each as "<seq> <json>" on the customer's list; the ids hash
 * maps each id kept to its seq and holds the last seq under the field "" (an id is never empty).
 * Entries beyond the newest ARGV[1] are dropped with their ids; both keys live ARGV[2] ms more.
 * KEYS: list, ids. ARGV: max, ttl, then id and json of each entry.
 */
const APPEND = `
if redis.call('HEXISTS', KEYS[2], '') == 0 then
  -- A new (or expired and new again) transcript counts on from the server's clock in milliseconds
  -- (13 digits: exact as a Lua number), so a reader that knew an old one's positions never takes
  -- the new one's for old.
  local now = redis.call('TIME')
  redis.call('HSET', KEYS[2], '', tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000))
end
for i = 3, #ARGV, 2 do
  if redis.call('HEXISTS', KEYS[2], ARGV[i]) == 0 then
    local seq = redis.call('HINCRBY', KEYS[2], '', 1)
    redis.call('HSET', KEYS[2], ARGV[i], seq)
    redis.call('RPUSH', KEYS[1], seq .. ' ' .. ARGV[i + 1])
  end
end
local excess = redis.call('LLEN', KEYS[1]) - tonumber(ARGV[1])
if excess > 0 then
  for _, item in ipairs(redis.call('LRANGE', KEYS[1], 0, excess - 1)) do
    local ok, entry = pcall(cjson.decode, string.sub(item, string.find(item, ' ') + 1))
    if ok and type(entry) == 'table' and entry.id then redis.call('HDEL', KEYS[2], entry.id) end
  end
  redis.call('LTRIM', KEYS[1], excess, -1)
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('PEXPIRE', KEYS[2], ARGV[2])
return 1`;

export interface RedisTranscriptsOptions {
  prefix?: string;
  /** The shop whose data this is (default: the single-shop set-up's). */
  shop?: string;
  ttlMs?: number;
  maxEntries?: number;
}

/**
 * Each customer's conversation in messages on Redis: a list under the conversation's hash tag (one
 * slot, so the append script runs on Redis Cluster), with the ids it holds beside it.
 */
export class RedisTranscripts implements Transcripts {
  readonly #redis: RedisClient;
  readonly #keys;
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #append: Script;

  constructor(redis: RedisClient, options: RedisTranscriptsOptions = {}) {
    this.#redis = redis;
    this.#keys = redisKeys(options.prefix ?? DEFAULT_PREFIX, 1, options.shop ?? DEFAULT_SHOP_ID);
    this.#ttlMs = options.ttlMs ?? TRANSCRIPT_TTL_MS;
    this.#maxEntries = options.maxEntries ?? TRANSCRIPT_MAX_ENTRIES;
    this.#append = defineScript(redis, 'citaTranscriptAppend', APPEND);
  }

  async append(customer: string, entries: TranscriptEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const args = entries.flatMap((entry) => [entry.id, JSON.stringify(TranscriptEntry.parse(entry))]);
    await this.#append(
      [this.#keys.phone(customer, 'transcript'), this.#keys.phone(customer, 'transcript-ids')],
      [this.#maxEntries, this.#ttlMs, ...args],
    );
  }

  async read(customer: string, after = 0): Promise<PlacedEntry[]> {
    const items = await this.#redis.lrange(this.#keys.phone(customer, 'transcript'), 0, -1);
    return items.flatMap((item) => {
      const space = item.indexOf(' ');
      const seq = Number(item.slice(0, space));
      if (seq <= after) return [];
      const entry = TranscriptEntry.safeParse(safeJson(item.slice(space + 1)));
      if (Number.isSafeInteger(seq) && entry.success) return [{ seq, entry: entry.data }];
      // Never the entry itself in the log: it is what the customer wrote.
      log.warn(
        { event: 'transcript.unreadable', phoneRef: phoneRef(customer) },
        'transcript entry unreadable; skipped',
      );
      return [];
    });
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
