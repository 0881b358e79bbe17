import { resolve } from 'node:path';
import { googleCalendarFromEnv } from '../adapters/google-calendar/from-env.ts';
import { createRedisAdapters } from '../adapters/redis/index.ts';
import { RedisDeliveryProgress } from '../adapters/redis/outbox.ts';
import { RedisSendPacer } from '../adapters/redis/pacing.ts';
import { createSqliteAdapters } from '../adapters/sqlite/index.ts';
import { SqliteDeliveryProgress } from '../adapters/sqlite/outbox.ts';
import { SqliteSendPacer } from '../adapters/sqlite/pacing.ts';
import { transcriberFromEnv } from '../adapters/transcription/from-env.ts';
import { whatsAppConfig } from '../adapters/whatsapp/config.ts';
import { WhatsAppMedia } from '../adapters/whatsapp/media.ts';
import { tokenReadiness, WhatsAppMessenger } from '../adapters/whatsapp/messenger.ts';
import { COEXISTENCE_MAX_PER_SECOND, DEFAULT_MAX_PER_SECOND } from '../adapters/whatsapp/pacing.ts';
import { loadShopConfig, ShopConfigError } from '../config/load.ts';
import { createCita } from './cita.ts';
import type { Calendar, Clock } from './engine/ports.ts';
import { readEnv } from './env.ts';
import { log, setLogHashSecret } from './log.ts';
import { meteredInterpreterFromEnv } from './metrics/llm.ts';
import { CitaMetrics } from './metrics/registry.ts';
import { lazyInspector } from './qa/inspector.ts';
import type { ReadinessCheck } from './server/health.ts';

/**
 * Reads the environment and the shop's configuration and builds cita, or stops the program with a
 * message that says what to fix.
 */
export function startCita(overrides: { now?: string } = {}) {
  try {
    const env = readEnv();
    setLogHashSecret(env.LOG_HASH_SECRET);
    const shop = loadShopConfig(env.SHOP_CONFIG);
    const metrics = new CitaMetrics({ processMetrics: true });
    const fixedNow = overrides.now ?? env.CITA_NOW;
    const clock: Clock | undefined = fixedNow ? () => new Date(fixedNow) : undefined;
    // All WHATSAPP_* set: replies go to WhatsApp; none set: the simulator; some: an error naming the rest.
    const whatsapp = whatsAppConfig(env);
    if (!env.LOG_HASH_SECRET && (env.NODE_ENV === 'production' || whatsapp)) {
      log.warn(
        { event: 'log.hash_secret_missing' },
        'LOG_HASH_SECRET is not set: phoneRef values in the logs change at every restart and differ between processes; set it to a long random string',
      );
    }
    const dataDir = resolve(env.CITA_DATA_DIR);
    // REDIS_URL set: inbox, conversations, holds, history and rate limits in Redis, shared by every
    // process on every machine; else all of it in one SQLite file in CITA_DATA_DIR, shared by every
    // process on this machine. A database that is not cita's, or is newer, stops here.
    // REDIS_CLUSTER_NODES set: the same on a Redis Cluster.
    const redis = env.REDIS_CLUSTER_NODES
      ? createRedisAdapters({ clusterNodes: env.REDIS_CLUSTER_NODES, prefix: env.REDIS_PREFIX })
      : env.REDIS_URL
        ? createRedisAdapters({ url: env.REDIS_URL, prefix: env.REDIS_PREFIX })
        : undefined;
    const sqlite = redis ? undefined : createSqliteAdapters({ dataDir });
    // Every process paces its sends from one bucket and shares how far each turn got.
    const pacing = {
      phoneNumberId: whatsapp?.phoneNumberId ?? '',
      maxPerSecond: sendCap(env.WHATSAPP_MAX_PER_SECOND, env.WHATSAPP_COEXISTENCE === 'true'),
    };
    // What cita sent, shared by every process: its echoes (coexistence) are cita's own, not the shop's.
    const progress = redis
      ? new RedisDeliveryProgress(redis.redis, { prefix: env.REDIS_PREFIX })
      : new SqliteDeliveryProgress(sqlite!.database);
    const messenger = whatsapp
      ? new WhatsAppMessenger({
          ...whatsapp,
          ...(redis && { pacer: new RedisSendPacer(redis.redis, { ...pacing, prefix: env.REDIS_PREFIX }) }),
          ...(sqlite && { pacer: new SqliteSendPacer(sqlite.database, pacing) }),
          progress,
          onThrottled: () => metrics.outboundThrottled.inc(),
          unknownFateWaitMs: env.WHATSAPP_UNKNOWN_FATE_WAIT_MS,
          onNeedsPhone: (kind) => metrics.userIdRefused.inc({ kind }),
        })
      : undefined;
    // GOOGLE_CALENDAR_ID set: the shop's Google Calendar; else the bookings in Redis or the SQLite file.
    const google = googleCalendarFromEnv(env, shop.timezone, shop.languages.default, shop.barbers, clock);
    const calendar = google ?? redis?.calendar;
    // LLM_API_KEY set: rules first, then the LLM for what they cannot read; unset: rules alone.
    const interpreter = meteredInterpreterFromEnv(env, metrics);
    // TRANSCRIPTION_API_KEY set: voice notes are fetched from WhatsApp and transcribed; unset: "please write it".
    const transcriber = transcriberFromEnv(env);
    const media = whatsapp ? new WhatsAppMedia(whatsapp) : undefined;
    // What GET /readyz checks: the outside systems this process cannot work without.
    const readiness: ReadinessCheck[] = [
      ...(redis ? [{ name: 'redis', check: async () => void (await redis.redis.ping()) }] : []),
      ...(sqlite
        ? [{ name: 'database', check: async () => void sqlite.database.get('SELECT 1 FROM schema_version') }]
        : []),
      ...(google ? [{ name: 'calendar', check: () => calendarAnswers(google) }] : []),
      ...(messenger ? [tokenReadiness(messenger)] : []),
    ];
    // CITA_INSPECT set: every conversation shows up in the Stately inspector (loaded only then).
    const inspector = env.CITA_INSPECT ? lazyInspector({ port: env.CITA_INSPECT_PORT }) : undefined;
    inspector?.ready.then(({ url }) => log.info({ event: 'inspector.ready', url }, `Stately inspector at ${url}`));
    const cita = createCita({
      shop,
      clock,
      dataDir,
      workers: env.CITA_WORKERS,
      adapters: {
        ...(messenger ? { messenger } : {}),
        ...(interpreter ? { interpreter } : {}),
        ...(transcriber ? { transcriber } : {}),
        ...(media ? { media } : {}),
        ...(sqlite?.adapters ?? redis?.adapters),
        // Google's, or Redis's: it replaces the SQLite one.
        ...(calendar ? { calendar } : {}),
      },
      onStop: async () => {
        await redis?.close();
        await sqlite?.close();
        await inspector?.stop();
      },
      inspect: inspector?.inspect,
      metrics,
      calendarWatch: {
        pollSeconds: env.GOOGLE_CALENDAR_POLL_SECONDS,
        ...(google && env.GOOGLE_CALENDAR_WEBHOOK_URL ? { webhookUrl: env.GOOGLE_CALENDAR_WEBHOOK_URL } : {}),
      },
    });
    return {
      env,
      shop,
      cita,
      whatsapp: whatsapp && { ...whatsapp, sentByCita: progress.sentByCita.bind(progress) },
      readiness,
    };
  } catch (error) {
    if (error instanceof ShopConfigError || error instanceof Error) {
      console.error(`cita cannot start: ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
}

/** The calendar answers a one-minute free/busy question: it is reachable and shared with us. */
async function calendarAnswers(calendar: Calendar): Promise<void> {
  const start = new Date();
  await calendar.busy({ start: start.toISOString(), end: new Date(start.getTime() + 60_000).toISOString() });
}

/** The number's messages per second: as set, else Meta's default; never over 20 for a coexistence number. */
export function sendCap(maxPerSecond: number | undefined, coexistence: boolean): number {
  const cap = maxPerSecond ?? (coexistence ? COEXISTENCE_MAX_PER_SECOND : DEFAULT_MAX_PER_SECOND);
  return coexistence ? Math.min(cap, COEXISTENCE_MAX_PER_SECOND) : cap;
}
