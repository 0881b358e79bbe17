import type { Redis } from 'ioredis';
import { z } from 'zod';
import { Reminder, type ReminderSchedule } from '../../src/engine/ports.ts';
import { DEFAULT_PREFIX, redisKeys } from './keys.ts';
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

// KEYS: due, data; ARGV: now ms, limit, planned-set key prefix.
// Taking and removing happen in one script: two processes can never claim the same reminder.
const CLAIM = `
local members = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
local claimed = {}
for _, member in ipairs(members) do
  redis.call('ZREM', KEYS[1], member)
  local json = redis.call('HGET', KEYS[2], member)
  redis.call('HDEL', KEYS[2], member)
  local booking = string.match(member, '^(.*):[^:]*$')
  redis.call('SREM', ARGV[3] .. booking, member)
  if json then table.insert(claimed, json) end
end
return claimed
`;

/**
 * The reminder schedule on Redis: a sorted set by due time, the reminders themselves in a hash, and
 * a set per appointment so a cancellation finds its reminders. All keys share one hash tag, so each
 * script runs on one node of a Redis Cluster.
 */
export class RedisReminderSchedule implements ReminderSchedule {
  readonly #keys: { due: string; data: string; planned: (bookingId: string) => string; plannedPrefix: string };
  readonly #scripts: Record<'plan' | 'cancel' | 'claim', Script>;

  constructor(redis: Redis, { prefix = DEFAULT_PREFIX }: { prefix?: string } = {}) {
    const keys = redisKeys(prefix);
    const plannedPrefix = `${keys.shop('{reminders}', 'planned')}:`;
    this.#keys = {
      due: keys.shop('{reminders}', 'due'),
      data: keys.shop('{reminders}', 'data'),
      planned: (bookingId) => `${plannedPrefix}${bookingId}`,
      plannedPrefix,
    };
    this.#scripts = {
      plan: defineScript(redis, 'citaRemindersPlan', PLAN),
      cancel: defineScript(redis, 'citaRemindersCancel', CANCEL),
      claim: defineScript(redis, 'citaRemindersClaim', CLAIM),
    };
  }

  async plan(reminders: Reminder[]): Promise<void> {
    for (const reminder of reminders) {
      const member = `${reminder.bookingId}:${reminder.minutesBefore}`;
      await this.#scripts.plan(
        [this.#keys.due, this.#keys.data, this.#keys.planned(reminder.bookingId)],
        [member, Date.parse(reminder.dueAt), JSON.stringify(reminder)],
      );
    }
  }

  async cancelFor(bookingId: string): Promise<void> {
    await this.#scripts.cancel([this.#keys.due, this.#keys.data, this.#keys.planned(bookingId)], []);
  }

  async claimDue(now: Date, limit: number): Promise<Reminder[]> {
    const claimed = await this.#scripts.claim(
      [this.#keys.due, this.#keys.data],
      [now.getTime(), limit, this.#keys.plannedPrefix],
    );
    return z
      .array(z.string())
      .parse(claimed)
      .map((json) => Reminder.parse(JSON.parse(json)));
  }
}
