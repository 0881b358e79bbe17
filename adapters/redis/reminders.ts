import { z } from 'zod';
import { DEFAULT_SHOP_ID } from '../../config/shop-id.ts';
import { REMINDER_LEASE_MS, Reminder, type ReminderSchedule, reminderKey } from '../../src/engine/ports.ts';
import { log } from '../../src/log.ts';
import type { RedisClient } from './client.ts';
import { DEFAULT_PREFIX, type RedisKeys, redisKeys } from './keys.ts';
import { defineScript, type Script } from './script.ts';

// KEYS: due (zset member → due time), data (hash member → reminder JSON), planned (set of the booking's members)
// ARGV: member, due ms, JSON
const PLAN = `
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
redis.call('SADD', KEYS[3], ARGV[1])
return 1
`;

// KEYS: due, data, planned set of the booking
const CANCEL = `
local members = redis.call('SMEMBERS', KEYS[3])
for _, member in ipairs(members) do
  redis.call('ZREM', KEYS[1], member)
  redis.call('HDEL', KEYS[2], member)
end
redis.call('DEL', KEYS[3])
return #members
`;

// KEYS: due, data; ARGV: now ms, limit, lease end ms.
// Taking is moving the reminder's time to the end of the lease, in one script: two processes can
// never claim the same reminder, and one whose taker crashed becomes due again when the lease ends.
const CLAIM = `
local members = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
local claimed = {}
for _, member in ipairs(members) do
  local json = redis.call('HGET', KEYS[2], member)
  if json then
    redis.call('ZADD', KEYS[1], ARGV[3], member)
    table.insert(claimed, json)
  else
    redis.call('ZREM', KEYS[1], member)
  end
end
return claimed
`;

// KEYS: due, data, planned set of the booking; ARGV: member
const ClaimedReminders = z.array(z.string());

const DONE = `
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('SREM', KEYS[3], ARGV[1])
return 1
`;

/**
 * The reminder schedule on Redis: a sorted set by due time, the reminders themselves in a hash, and
 * a set per appointment so a cancellation finds its reminders. A booking's reminders all live in
 * one part of the schedule (one hash tag, so each script runs on one node of a Redis Cluster); on
 * a cluster the schedule is split in `shards` parts by booking, and claiming reads every part.
 */
export class RedisReminderSchedule implements ReminderSchedule {
  readonly #keys: RedisKeys;
  readonly #scripts: Record<'plan' | 'cancel' | 'claim' | 'done', Script>;
  #nextShard = 0;

  constructor(
    redis: RedisClient,
    {
      prefix = DEFAULT_PREFIX,
      shards = 1,
      shop = DEFAULT_SHOP_ID,
    }: { prefix?: string; shards?: number; shop?: string } = {},
  ) {
    this.#keys = redisKeys(prefix, shards, shop);
    this.#scripts = {
      plan: defineScript(redis, 'citaRemindersPlan', PLAN),
      cancel: defineScript(redis, 'citaRemindersCancel', CANCEL),
      claim: defineScript(redis, 'citaRemindersClaim', CLAIM),
      done: defineScript(redis, 'citaRemindersDone', DONE),
    };
  }

  async plan(reminders: Reminder[]): Promise<void> {
    for (const reminder of reminders) {
      const member = reminderKey(reminder);
      await this.#scripts.plan(this.#bookingKeys(reminder.bookingId), [
        member,
        Date.parse(reminder.dueAt),
        JSON.stringify(reminder),
      ]);
    }
  }

  async done(reminder: Reminder): Promise<void> {
    await this.#scripts.done(this.#bookingKeys(reminder.bookingId), [reminderKey(reminder)]);
  }

  async cancelFor(bookingId: string): Promise<void> {
    await this.#scripts.cancel(this.#bookingKeys(bookingId), []);
  }

  /**
   * Up to `limit` due reminders, from every part of the schedule in turn: each call starts at the
   * next part, so with more due than the limit no part waits behind another.
   */
  async claimDue(now: Date, limit: number): Promise<Reminder[]> {
    const readable: Reminder[] = [];
    const first = this.#nextShard;
    this.#nextShard = (first + 1) % this.#keys.shards;
    for (let i = 0; i < this.#keys.shards && readable.length < limit; i++) {
      const shard = (first + i) % this.#keys.shards;
      const claimed = await this.#scripts.claim(
        [this.#part(shard, 'due'), this.#part(shard, 'data')],
        [now.getTime(), limit - readable.length, now.getTime() + REMINDER_LEASE_MS],
      );
      for (const json of ClaimedReminders.parse(claimed)) {
        const parsed = Reminder.safeParse(JSON.parse(json));
        if (parsed.success) readable.push(parsed.data);
        else log.warn({ event: 'reminder.unreadable' }, 'a stored reminder no longer reads; it is skipped');
      }
    }
    // Soonest first within what was taken (every one taken is due).
    return readable.sort((a, b) => a.dueAt.localeCompare(b.dueAt));
  }

  /** due, data and the booking's planned set: one part of the schedule, one slot. */
  #bookingKeys(bookingId: string): string[] {
    const shard = this.#keys.shardOf(bookingId);
    return [this.#part(shard, 'due'), this.#part(shard, 'data'), this.#part(shard, 'planned', bookingId)];
  }

  #part(shard: number, ...parts: string[]) {
    return this.#keys.sharded('{reminders}', shard, ...parts);
  }
}
