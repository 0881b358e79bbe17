import { z } from 'zod';
import { DEFAULT_SHOP_ID } from '../../config/shop-id.ts';
import type { HeldSlot, Interval, SlotHolds } from '../../src/engine/ports.ts';
import { evalReplicated, type RedisClient } from './client.ts';
import { DEFAULT_PREFIX, redisKeys } from './keys.ts';
import { defineScript, type Script } from './script.ts';

/** Holds are taken in cells of this many minutes; slot times and durations sit on this grid. */
export const CELL_MINUTES = 5;
/** A hold longer than this is a mistake, not a haircut (and would mean thousands of keys). */
const MAX_HOLD_MS = 24 * 60 * 60_000;

/**
 * KEYS: the hold index, this hold's record, then every cell of the interval.
 * ARGV: phone, token, ttl ms, record JSON, record key prefix, end ms.
 *
 * All or nothing: if another phone owns any cell, nothing changes. The phone's own holds that
 * share a cell are replaced whole (all their cells, found through their records), so a customer
 * who picks another time never blocks themselves.
 */
const ACQUIRE = `
local phone, token, ttl = ARGV[1], ARGV[2], ARGV[3]
local owner = phone .. ' ' .. token
local replaced = { [token] = true }
for i = 3, #KEYS do
  local held = redis.call('GET', KEYS[i])
  if held and held ~= owner then
    local sep = string.find(held, ' ', 1, true)
    if string.sub(held, 1, sep - 1) ~= phone then return 0 end
    replaced[string.sub(held, sep + 1)] = true
  end
end
for oldToken in pairs(replaced) do
  local recordKey = ARGV[5] .. oldToken
  local record = redis.call('GET', recordKey)
  if record then
    for _, cell in ipairs(cjson.decode(record).cells) do
      if redis.call('GET', cell) == phone .. ' ' .. oldToken then redis.call('DEL', cell) end
    end
    redis.call('DEL', recordKey)
  end
  redis.call('ZREM', KEYS[1], oldToken)
end
for i = 3, #KEYS do redis.call('SET', KEYS[i], owner, 'PX', ttl) end
redis.call('SET', KEYS[2], ARGV[4], 'PX', ttl)
redis.call('ZADD', KEYS[1], ARGV[6], token)
return 1`;

/** KEYS as for ACQUIRE; ARGV: phone, token. Frees only the cells this token still owns. */
const RELEASE = `
local owner = ARGV[1] .. ' ' .. ARGV[2]
for i = 3, #KEYS do
  if redis.call('GET', KEYS[i]) == owner then redis.call('DEL', KEYS[i]) end
end
local record = redis.call('GET', KEYS[2])
if record and cjson.decode(record).phone == ARGV[1] then redis.call('DEL', KEYS[2]) end
redis.call('ZREM', KEYS[1], ARGV[2])
return 1`;

const HoldRecord = z.object({
  phone: z.string(),
  token: z.string(),
  start: z.string(),
  end: z.string(),
  barberId: z.string().optional(),
  cells: z.array(z.string()),
});

export interface RedisSlotHoldsOptions {
  prefix?: string;
  /** The shop whose data this is (default: the single-shop set-up's). */
  shop?: string;
  cellMinutes?: number;
}

/**
 * Slot holds on Redis. A hold owns every cell of its interval in its barber's chair (a 60-minute cut at 10:00 owns the
 * twelve 5-minute cells 10:00…10:55), so a 30-minute hold at 10:30 collides on the 10:30 cell
 * and is refused, all in one Lua script. Each cell key and the hold's record expire on their own.
 *
 * The shop's hold keys share the hash tag `{holds}` (a shop's holds are one slot on Redis
 * Cluster, which also lets the script reach the records of holds it replaces). Intervals are
 * widened to whole cells: two holds that only share a cell without overlapping collide, which the
 * shop's 5-minute grid never produces.
 */
export class RedisSlotHolds implements SlotHolds {
  readonly #redis: RedisClient;
  readonly #keys;
  readonly #cellMs: number;
  readonly #acquire: Script;
  readonly #release: Script;

  constructor(redis: RedisClient, options: RedisSlotHoldsOptions = {}) {
    this.#redis = redis;
    this.#keys = redisKeys(options.prefix ?? DEFAULT_PREFIX, 1, options.shop ?? DEFAULT_SHOP_ID);
    this.#cellMs = (options.cellMinutes ?? CELL_MINUTES) * 60_000;
    this.#acquire = defineScript(redis, 'citaHoldAcquire', ACQUIRE);
    this.#release = defineScript(redis, 'citaHoldRelease', RELEASE);
  }

  async acquire(hold: HeldSlot, ttlMs: number): Promise<boolean> {
    const cells = this.#cells(hold);
    const { phone, token, start, end, barberId } = hold;
    const record = JSON.stringify({ phone, token, start, end, ...(barberId !== undefined && { barberId }), cells });
    const args = [
      hold.phone,
      hold.token,
      Math.max(1, Math.ceil(ttlMs)),
      record,
      this.#record(''),
      Date.parse(hold.end),
    ];
    // Copied to a replica before it counts: a hold lost with its master would let a second customer take the slot.
    const keys = [this.#index, this.#record(hold.token), ...cells];
    return (await evalReplicated(this.#redis, this.#acquire, keys, args)) === 1;
  }

  async release(hold: HeldSlot): Promise<void> {
    await this.#release([this.#index, this.#record(hold.token), ...this.#cells(hold)], [hold.phone, hold.token]);
  }

  async overlapping(window: Interval): Promise<HeldSlot[]> {
    const [windowStart, windowEnd] = [Date.parse(window.start), Date.parse(window.end)];
    // Indexed by end: every hold ending after the window starts, then filtered by start.
    const tokens = await this.#redis.zrangebyscore(this.#index, `(${windowStart}`, '+inf');
    if (tokens.length === 0) return [];
    const records = await this.#redis.mget(tokens.map((token) => this.#record(token)));
    const expired = tokens.filter((_, i) => records[i] === null);
    if (expired.length > 0) await this.#redis.zrem(this.#index, ...expired);
    return records.flatMap((json) => {
      if (json === null) return [];
      const { cells: _, ...hold } = HoldRecord.parse(JSON.parse(json));
      return Date.parse(hold.start) < windowEnd && windowStart < Date.parse(hold.end) ? [hold] : [];
    });
  }

  get #index() {
    return this.#keys.slot('holds', 'index');
  }

  #record(token: string) {
    return this.#keys.slot('holds', 'hold', token);
  }

  /** The cell keys covering [start, end) of the hold's chair, widened to whole cells. */
  #cells(interval: Interval & { barberId?: string }): string[] {
    const [start, end] = [Date.parse(interval.start), Date.parse(interval.end)];
    if (!(start < end) || end - start > MAX_HOLD_MS) {
      throw new RangeError(`a hold must run forwards and last at most a day: ${interval.start} → ${interval.end}`);
    }
    const cells: string[] = [];
    for (let cell = Math.floor(start / this.#cellMs); cell * this.#cellMs < end; cell++) {
      const at = String(cell * this.#cellMs);
      // Each barber's chair has its own cells; a shop without barbers keeps the one chair's.
      cells.push(
        interval.barberId === undefined
          ? this.#keys.slot('holds', 'cell', at)
          : this.#keys.slot('holds', 'cell', interval.barberId, at),
      );
    }
    return cells;
  }
}
