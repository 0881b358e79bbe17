import { Redis } from 'ioredis';
import { log } from '../../src/log.ts';
import { RedisCalendar } from './calendar.ts';
import { RedisConversationStore } from './conversations.ts';
import { RedisBookingHistory } from './history.ts';
import { RedisSlotHolds } from './holds.ts';
import { RedisInbox } from './inbox.ts';
import { DEFAULT_PREFIX } from './keys.ts';
import { RedisRateLimiter } from './rate-limiter.ts';
import { RedisReminderSchedule } from './reminders.ts';
import { RedisReplyBus } from './replies.ts';

export interface RedisAdapterOptions {
  /** `REDIS_URL`, e.g. redis://127.0.0.1:6379 */
  url: string;
  /** `REDIS_PREFIX`: several shops or test runs can share one Redis. */
  prefix?: string;
  /** Quiet period after which a conversation is forgotten. */
  conversationTtlMs?: number;
}

/**
 * Every port cita keeps on Redis, sharing one connection (the inbox opens a second one to listen
 * for new work). Any number of processes built this way on one Redis share the work safely.
 *
 * @example
 * const redis = createRedisAdapters({ url: 'redis://127.0.0.1:6379' });
 * const cita = createCita({ shop, dataDir, adapters: { ...redis.adapters, calendar: redis.calendar }, onStop: redis.close });
 */
export function createRedisAdapters({ url, prefix = DEFAULT_PREFIX, conversationTtlMs }: RedisAdapterOptions) {
  const redis = new Redis(url, { lazyConnect: false });
  redis.on('error', (error) => log.warn({ event: 'redis.error', error: String(error) }, 'redis connection error'));
  const inbox = new RedisInbox(redis, { prefix });
  const replies = new RedisReplyBus(redis, { prefix });
  return {
    redis,
    adapters: {
      inbox,
      conversations: new RedisConversationStore(redis, { prefix, ttlMs: conversationTtlMs }),
      holds: new RedisSlotHolds(redis, { prefix }),
      history: new RedisBookingHistory(redis, { prefix }),
      rateLimiter: new RedisRateLimiter(redis, { prefix }),
      reminders: new RedisReminderSchedule(redis, { prefix }),
      replies,
    },
    /** The bookings, for a shop without Google Calendar: every process must see every booking. */
    calendar: new RedisCalendar(redis, { prefix }),
    /** Closes the connections once the workers have stopped. */
    async close(): Promise<void> {
      await inbox.close();
      await replies.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

export {
  RedisBookingHistory,
  RedisCalendar,
  RedisConversationStore,
  RedisInbox,
  RedisRateLimiter,
  RedisReminderSchedule,
  RedisSlotHolds,
};
