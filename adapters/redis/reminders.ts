import type { Redis } from 'ioredis';
import { z } from 'zod';
import { REMINDER_LEASE_MS, Reminder, type ReminderSchedule, reminderKey } from '../../src/engine/ports.ts';
import { log } from '../../src/log.ts';
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
 * a set per appointment so a cancellation finds its reminders. All keys share one hash tag, so each
 * script runs on one node of a Redis Cluster.
 */
export class RedisReminderSchedule implements ReminderSchedule {
  readonly #keys: { due: string; data: string; planned: (bookingId: string) => string };
  readonly #scripts: Record<'plan' | 'cancel' | 'claim' | 'done', Script>;

  constructor(redis: Redis, { prefix = DEFAULT_PREFIX, shop }: { prefix?: string; shop?: string } = {}) {
    const keys = redisKeys(prefix, shop);
    const plannedPrefix = `${keys.shop('{reminders}', 'planned')}:`;
    this.#keys = {
      due: keys.shop('{reminders}', 'due'),
      data: keys.shop('{reminders}', 'data'),
      planned: (bookingId) => `${plannedPrefix}${bookingId}`,
    };
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
      await this.#scripts.plan(
        [this.#keys.due, this.#keys.data, this.#keys.planned(reminder.bookingId)],
        [member, Date.parse(reminder.dueAt), JSON.stringify(reminder)],
      );
    }
  }

  async done(reminder: Reminder): Promise<void> {
    const member = reminderKey(reminder);
    await this.#scripts.done([this.#keys.due, this.#keys.data, this.#keys.planned(reminder.bookingId)], [member]);
  }

  async cancelFor(bookingId: string): Promise<void> {
    await this.#scripts.cancel([this.#keys.due, this.#keys.data, this.#keys.planned(bookingId)], []);
  }

  async claimDue(now: Date, limit: number): Promise<Reminder[]> {
    const claimed = await this.#scripts.claim(
      [this.#keys.due, this.#keys.data],
      [now.getTime(), limit, now.getTime() + REMINDER_LEASE_MS],
    );
    const readable: Reminder[] = [];
    for (const json of ClaimedReminders.parse(claimed)) {
      const parsed = Reminder.safeParse(JSON.parse(json));
      if (parsed.success) readable.push(parsed.data);
      else log.warn({ event: 'reminder.unreadable' }, 'a stored reminder no longer reads; it is skipped');
    }
    return readable;
  }
}
