import type { RedisOptions } from 'ioredis';
import { log } from '../../src/log.ts';
import { RedisCalendar } from './calendar.ts';
import { RedisCalendarSyncStore } from './calendar-sync.ts';
import { connectRedis, isCluster, type RedisClient, type RedisTarget } from './client.ts';
import { RedisConversationStore } from './conversations.ts';
import { RedisCustomerAliases } from './customer-aliases.ts';
import { RedisBookingHistory } from './history.ts';
import { RedisSlotHolds } from './holds.ts';
import { RedisInbox } from './inbox.ts';
import { CLUSTER_SHARDS, DEFAULT_PREFIX } from './keys.ts';
import { RedisNoticeSettings } from './notice-settings.ts';
import { RedisOptOuts } from './opt-outs.ts';
import { RedisRateLimiter } from './rate-limiter.ts';
import { RedisReminderSchedule } from './reminders.ts';
import { RedisReplyBus } from './replies.ts';
import { RedisTranscripts } from './transcripts.ts';
import { RedisWaitlist } from './waitlist.ts';

/**
 * Commands issued in the same tick go out in one write. With hundreds of phones in flight, a write
 * (a system call) per command was a fifth of the server's CPU (benchmarked); batching keeps each
 * command's own reply and order.
 */
const AUTO_PIPELINING: RedisOptions = { enableAutoPipelining: true };

export type RedisAdapterOptions = RedisTarget & {
  /** `REDIS_PREFIX`: several shops or test runs can share one Redis. */
  prefix?: string;
  /** Quiet period after which a conversation is forgotten. */
  conversationTtlMs?: number;
};

/**
 * The connection the workers and everything else use. While Redis is away a command waits for the
 * reconnection, for about 20 s (20 reconnection attempts, 0.1 s apart growing to at most 2 s; then
 * it fails, and the worker loop tries again a second later). So a message in hand when Redis
 * restarts is finished once Redis is back, instead of failing and waiting for its lease (60 s) to
 * lapse. Commands issued before the first connection wait for it (the offline queue is on), so the
 * subscribers that start at once are not lost.
 */
export const SHARED_CONNECTION: RedisOptions = {
  retryStrategy: (attempt) => Math.min(attempt * 100, 2_000),
  maxRetriesPerRequest: 20,
  ...AUTO_PIPELINING,
};

/**
 * The webhook's own connection, for `inbox.accept` only: it must fail fast, never queue. While
 * Redis is away the webhook has to answer 503 at once (Meta delivers the message again later)
 * instead of holding Meta's request open while ioredis waits for a reconnection.
 *
 * - `maxRetriesPerRequest: 0`: every failed (re)connection attempt rejects the commands waiting
 *   for it, so none outlives one attempt (the default waits through 20 of them, about 10 s).
 * - `retryStrategy`: reconnects forever, 0.1 s apart growing to at most 1 s, so a command issued
 *   while Redis is away is rejected within about a second, and the webhook takes messages again
 *   within a second of Redis coming back.
 * - `connectTimeout: 1000`: a host that does not answer at all (a network cut) counts as a failed
 *   attempt after 1 s, not 10.
 * - `commandTimeout: 1500`: the upper bound in any case, also for a Redis that keeps the socket
 *   open but does not answer. Should Redis still run such a command later, the message is stored
 *   and Meta's redelivery of it is recognised as a duplicate: nothing is processed twice.
 * - The offline queue stays on (the default), so requests arriving while the process first connects
 *   wait for that connection rather than failing.
 */
export const INTAKE_CONNECTION: RedisOptions = {
  maxRetriesPerRequest: 0,
  retryStrategy: (attempt) => Math.min(attempt * 100, 1_000),
  connectTimeout: 1_000,
  commandTimeout: 1_500,
  ...AUTO_PIPELINING,
};

/**
 * Every port cita keeps on Redis, on one shared connection, plus one the webhook stores messages
 * through (see `INTAKE_CONNECTION`) and two that listen (new work, simulator replies). Any number
 * of processes built this way on one Redis share the work safely.
 *
 * When Redis goes away, the webhook answers 503 within about a second, `/readyz` reports Redis
 * (its ping times out), and the workers keep trying; when it comes back they all carry on by
 * themselves. The queues, leases and dedup keys are what Redis persists, so with persistence on
 * (AOF) a message accepted before a restart is processed after it, once.
 *
 * @example
 * const redis = createRedisAdapters({ url: 'redis://127.0.0.1:6379' });
 * const onCluster = createRedisAdapters({ clusterNodes: '10.0.0.5:6379,10.0.0.6:6379' });
 * const cita = createCita({ shop, dataDir, adapters: { ...redis.adapters, calendar: redis.calendar }, onStop: redis.close });
 */
export function createRedisAdapters(options: RedisAdapterOptions) {
  const { prefix = DEFAULT_PREFIX, conversationTtlMs } = options;
  const target: RedisTarget = 'url' in options ? { url: options.url } : { clusterNodes: options.clusterNodes };
  const redis: RedisClient = connectRedis(target, { ...SHARED_CONNECTION, lazyConnect: false });
  const intake: RedisClient = connectRedis(target, { ...INTAKE_CONNECTION, lazyConnect: false });
  // What a shop shares and scans is split over the cluster's nodes; one Redis keeps it whole.
  const shards = isCluster(redis) ? CLUSTER_SHARDS : 1;
  for (const connection of [redis, intake]) {
    connection.on('error', (error) =>
      log.warn({ event: 'redis.error', error: String(error) }, 'redis connection error'),
    );
  }
  // One inbox claims for every shop, reading the claimed customer's conversation as it does.
  const claimReads = new Map<string, (string | null)[]>();
  const conversations = new RedisConversationStore(redis, { prefix, ttlMs: conversationTtlMs, claimReads });
  const inbox = new RedisInbox(redis, { prefix, intake, readWithClaim: conversations.readWithClaim(), shards });
  const replies = new RedisReplyBus(redis, { prefix });
  return {
    redis,
    adapters: {
      inbox,
      conversations,
      holds: new RedisSlotHolds(redis, { prefix }),
      history: new RedisBookingHistory(redis, { prefix }),
      // Counted as messages arrive, on the webhook's path: it must fail as fast as storing them.
      rateLimiter: new RedisRateLimiter(intake, { prefix }),
      reminders: new RedisReminderSchedule(redis, { prefix, shards }),
      noticeSettings: new RedisNoticeSettings(redis, { prefix }),
      aliases: new RedisCustomerAliases(redis, { prefix }),
      waitlist: new RedisWaitlist(redis, { prefix }),
      optOuts: new RedisOptOuts(redis, { prefix }),
      replies,
      calendarSync: new RedisCalendarSyncStore(redis, { prefix }),
      transcripts: new RedisTranscripts(redis, { prefix }),
    },
    /** The bookings, for a shop without Google Calendar: every process must see every booking. */
    calendar: new RedisCalendar(redis, { prefix }),
    /** The ports one shop owns, its keys carrying its id (the inbox and replies serve every shop). */
    forShop: (shop: string) => ({
      conversations: new RedisConversationStore(redis, { prefix, shop, ttlMs: conversationTtlMs, claimReads }),
      holds: new RedisSlotHolds(redis, { prefix, shop }),
      history: new RedisBookingHistory(redis, { prefix, shop }),
      rateLimiter: new RedisRateLimiter(intake, { prefix, shop }),
      reminders: new RedisReminderSchedule(redis, { prefix, shards, shop }),
      noticeSettings: new RedisNoticeSettings(redis, { prefix, shop }),
      calendar: new RedisCalendar(redis, { prefix, shop }),
      aliases: new RedisCustomerAliases(redis, { prefix, shop }),
      waitlist: new RedisWaitlist(redis, { prefix, shop }),
      optOuts: new RedisOptOuts(redis, { prefix, shop }),
      calendarSync: new RedisCalendarSyncStore(redis, { prefix, shop }),
      transcripts: new RedisTranscripts(redis, { prefix, shop }),
    }),
    /** Closes the connections once the workers have stopped. */
    async close(): Promise<void> {
      await inbox.close();
      await replies.close();
      await Promise.all([redis, intake].map((c) => c.quit().catch(() => c.disconnect())));
    },
  };
}

export {
  RedisBookingHistory,
  RedisCalendar,
  RedisConversationStore,
  RedisInbox,
  RedisNoticeSettings,
  RedisRateLimiter,
  RedisReminderSchedule,
  RedisSlotHolds,
  RedisTranscripts,
};
