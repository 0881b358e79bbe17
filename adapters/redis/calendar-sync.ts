import { DEFAULT_SHOP_ID } from '../../config/shop-id.ts';
import { type CalendarSyncStore, WatchChannel, WrittenAppointment } from '../../src/engine/ports.ts';
import type { RedisClient } from './client.ts';
import { DEFAULT_PREFIX, redisKeys } from './keys.ts';
import { defineScript, type Script } from './script.ts';

/** KEYS: lease, position. ARGV: holder, ttl ms. Takes a free (or own) lease; answers the position, or false. */
const CLAIM = `
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then return false end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return { redis.call('GET', KEYS[2]) or '' }`;

/** KEYS: lease, position. ARGV: holder, position. Moves the position only while the lease is the holder's. */
const ADVANCE = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[2], ARGV[2])
return 1`;

/** KEYS: lease. ARGV: holder. */
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1`;

/**
 * Calendar sync state in Redis, shared by every process on it: a calendar's position is moved only
 * by the holder of its lease (checked in the same script), so a change is handled once. Each shop
 * has its own, under `<prefix>:<shop>:{calendar-sync}` (one slot per shop on Redis Cluster).
 */
export class RedisCalendarSyncStore implements CalendarSyncStore {
  readonly #redis: RedisClient;
  readonly #key: (...parts: string[]) => string;
  readonly #scripts: Record<'claim' | 'advance' | 'release', Script>;

  constructor(
    redis: RedisClient,
    { prefix = DEFAULT_PREFIX, shop = DEFAULT_SHOP_ID }: { prefix?: string; shop?: string } = {},
  ) {
    this.#redis = redis;
    const keys = redisKeys(prefix, 1, shop);
    this.#key = (...parts) => keys.slot('calendar-sync', ...parts);
    this.#scripts = {
      claim: defineScript(redis, 'citaCalendarSyncClaim', CLAIM),
      advance: defineScript(redis, 'citaCalendarSyncAdvance', ADVANCE),
      release: defineScript(redis, 'citaCalendarSyncRelease', RELEASE),
    };
  }

  async claim(source: string, holder: string, ttlMs: number) {
    const answer = await this.#scripts.claim(this.#sourceKeys(source), [holder, ttlMs]);
    if (!Array.isArray(answer)) return undefined;
    const position = String(answer[0]);
    return position === '' ? {} : { position };
  }

  async advance(source: string, holder: string, position: string): Promise<boolean> {
    return (await this.#scripts.advance(this.#sourceKeys(source), [holder, position])) === 1;
  }

  async release(source: string, holder: string): Promise<void> {
    await this.#scripts.release([this.#key('lease', source)], [holder]);
  }

  async requestAgain(source: string): Promise<void> {
    await this.#redis.set(this.#key('again', source), '1');
  }

  async takeRequest(source: string): Promise<boolean> {
    return (await this.#redis.getdel(this.#key('again', source))) !== null;
  }

  async rememberWrite(appointment: WrittenAppointment): Promise<void> {
    const valid = WrittenAppointment.parse(appointment);
    await this.#redis.hset(this.#key('writes'), valid.id, JSON.stringify(valid));
  }

  async lastWrite(bookingId: string): Promise<WrittenAppointment | undefined> {
    const stored = await this.#redis.hget(this.#key('writes'), bookingId);
    return stored === null ? undefined : WrittenAppointment.parse(JSON.parse(stored));
  }

  async saveChannel(channel: WatchChannel): Promise<void> {
    const valid = WatchChannel.parse(channel);
    await this.#redis.hset(this.#key('channels'), valid.id, JSON.stringify(valid));
  }

  async channel(id: string): Promise<WatchChannel | undefined> {
    const stored = await this.#redis.hget(this.#key('channels'), id);
    return stored === null ? undefined : WatchChannel.parse(JSON.parse(stored));
  }

  async channels(): Promise<WatchChannel[]> {
    const stored = await this.#redis.hvals(this.#key('channels'));
    return stored.map((json) => WatchChannel.parse(JSON.parse(json)));
  }

  async dropChannel(id: string): Promise<void> {
    await this.#redis.hdel(this.#key('channels'), id);
  }

  #sourceKeys(source: string) {
    return [this.#key('lease', source), this.#key('position', source)];
  }
}
