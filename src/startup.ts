import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { googleCalendarFromEnv } from '../adapters/google-calendar/from-env.ts';
import { createRedisAdapters } from '../adapters/redis/index.ts';
import { RedisDeliveryProgress } from '../adapters/redis/outbox.ts';
import { RedisSendPacer } from '../adapters/redis/pacing.ts';
import { createSqliteAdapters } from '../adapters/sqlite/index.ts';
import { SqliteDeliveryProgress } from '../adapters/sqlite/outbox.ts';
import { SqliteSendPacer } from '../adapters/sqlite/pacing.ts';
import { transcriberFromEnv } from '../adapters/transcription/from-env.ts';
import { type WhatsAppConfig, whatsAppConfig } from '../adapters/whatsapp/config.ts';
import { WhatsAppMedia } from '../adapters/whatsapp/media.ts';
import { tokenReadiness, WhatsAppMessenger } from '../adapters/whatsapp/messenger.ts';
import { COEXISTENCE_MAX_PER_SECOND, DEFAULT_MAX_PER_SECOND } from '../adapters/whatsapp/pacing.ts';
import { DEFAULT_SHOP_CONFIG, loadShopConfig, ShopConfigError } from '../config/load.ts';
import { DEFAULT_SHOP_ID, ShopId } from '../config/shop-id.ts';
import { createCita } from './cita.ts';
import type { Calendar, Clock } from './engine/ports.ts';
import { type Env, readEnv } from './env.ts';
import { log, setLogHashSecret } from './log.ts';
import { meteredInterpreterFromEnv } from './metrics/llm.ts';
import { CitaMetrics } from './metrics/registry.ts';
import { lazyInspector } from './qa/inspector.ts';
import type { ReadinessCheck } from './server/health.ts';
import { ShopRegistry } from './shops/registry.ts';
import { missingSecret, shopSecrets } from './shops/secrets.ts';
import type { Shop } from './shops/shop-file.ts';

/**
 * Reads the environment and the shop's configuration and builds cita, or stops the program with a
 * message that says what to fix.
 */
export function startCita(overrides: { now?: string } = {}) {
  try {
    const env = readEnv();
    setLogHashSecret(env.LOG_HASH_SECRET);
    const metrics = new CitaMetrics({ processMetrics: true });
    const fixedNow = overrides.now ?? env.CITA_NOW;
    const clock: Clock | undefined = fixedNow ? () => new Date(fixedNow) : undefined;
    // SHOPS_DIR: one file per shop, each naming its number (WhatsApp on when the deployment's
    // WHATSAPP_* are set, or a shop names its own); else SHOP_CONFIG and all WHATSAPP_* or none.
    if (env.SHOPS_DIR && !statSync(env.SHOPS_DIR, { throwIfNoEntry: false })?.isDirectory()) {
      throw new Error(`SHOPS_DIR is ${env.SHOPS_DIR}, which is not a folder: point it at the folder of shop files`);
    }
    if (env.SHOPS_DIR && (env.SHOP_CONFIG || env.WHATSAPP_PHONE_NUMBER_ID)) {
      log.warn(
        { event: 'shops.single_shop_settings_ignored' },
        'SHOPS_DIR is set: SHOP_CONFIG and WHATSAPP_PHONE_NUMBER_ID are ignored (each shop file names its number)',
      );
    }
    const single = env.SHOPS_DIR ? undefined : whatsAppConfig(env);
    const channel = single ?? (env.SHOPS_DIR ? folderChannel(env) : undefined);
    const shops = env.SHOPS_DIR
      ? ShopRegistry.fromFolder(resolve(env.SHOPS_DIR), {
          check: channel ? (shop) => missingSecret(shop, env) : undefined,
          onRefused: () => metrics.shopFilesRefused.inc(),
        }).watch()
      : ShopRegistry.single(singleShop(env, single?.phoneNumberId));
    const shop = shops.list()[0]?.config;
    if (!env.LOG_HASH_SECRET && (env.NODE_ENV === 'production' || channel)) {
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
    const store = (redis ?? sqlite)!;
    if (sqlite) metrics.watchEmbeddedDatabase(() => sqlite.database.counts);
    /** A shop's WhatsApp number: its token, its pacing bucket and its delivery progress. */
    const whatsAppFor = (owner: Shop): WhatsAppConfig | undefined => {
      if (!channel || !owner.whatsapp) return undefined;
      const secrets = single ?? shopSecrets(owner, env);
      return {
        ...secrets,
        phoneNumberId: owner.whatsapp.phoneNumberId,
        verifyToken: channel.verifyToken,
        apiBaseUrl: env.WHATSAPP_API_URL,
        apiVersion: env.WHATSAPP_API_VERSION,
      };
    };
    // What each shop's number sent and how far each turn got, shared by every process: its echoes
    // (coexistence) are cita's own, not the shop's.
    const progressFor = (shop: string) =>
      redis
        ? new RedisDeliveryProgress(redis.redis, { prefix: env.REDIS_PREFIX, shop })
        : new SqliteDeliveryProgress(sqlite!.database, { shop });
    /** Each shop's messenger as last built (its token's health is part of readiness). */
    const messengers = new Map<string, WhatsAppMessenger>();
    const messengerFor = (whatsapp: WhatsAppConfig, owner: Shop) => {
      // Every process paces a number's sends from one bucket and shares how far each turn got.
      const pacing = {
        phoneNumberId: whatsapp.phoneNumberId,
        maxPerSecond: sendCap(env.WHATSAPP_MAX_PER_SECOND, env.WHATSAPP_COEXISTENCE === 'true'),
      };
      const messenger = new WhatsAppMessenger({
        ...whatsapp,
        ...(redis && { pacer: new RedisSendPacer(redis.redis, { ...pacing, prefix: env.REDIS_PREFIX }) }),
        ...(sqlite && { pacer: new SqliteSendPacer(sqlite.database, pacing) }),
        progress: progressFor(owner.id),
        onThrottled: () => metrics.outboundThrottled.inc(),
        unknownFateWaitMs: env.WHATSAPP_UNKNOWN_FATE_WAIT_MS,
        onNeedsPhone: (kind) => metrics.userIdRefused.inc({ kind }),
      });
      messengers.set(owner.id, messenger);
      return messenger;
    };
    // GOOGLE_CALENDAR_ID (one shop) or a shop file's `google`: that Google Calendar; else the
    // bookings in Redis or the SQLite file.
    const googleFor = (owner: Shop) =>
      googleCalendarFromEnv(
        owner.google
          ? {
              ...env,
              GOOGLE_CALENDAR_ID: owner.google.calendarId,
              ...(owner.google.credentialsEnv && {
                GOOGLE_SERVICE_ACCOUNT_JSON: process.env[owner.google.credentialsEnv],
              }),
            }
          : env.SHOPS_DIR
            ? { GOOGLE_API_ROOT_URL: env.GOOGLE_API_ROOT_URL }
            : env,
        owner.config.timezone,
        owner.config.languages.default,
        owner.config.barbers,
        clock,
      );
    const first = shops.list()[0];
    const google = !env.SHOPS_DIR && first ? googleFor(first) : undefined;
    // LLM_API_KEY set: rules first, then the LLM for what they cannot read; unset: rules alone.
    const interpreter = meteredInterpreterFromEnv(env, metrics);
    // TRANSCRIPTION_API_KEY set: voice notes are fetched from WhatsApp and transcribed; unset: "please write it".
    const transcriber = transcriberFromEnv(env);
    // What GET /readyz checks: the outside systems this process cannot work without.
    const readiness: ReadinessCheck[] = [
      ...(redis ? [{ name: 'redis', check: async () => void (await redis.redis.ping()) }] : []),
      ...(sqlite
        ? [{ name: 'database', check: async () => void sqlite.database.get('SELECT 1 FROM schema_version') }]
        : []),
      ...(google ? [{ name: 'calendar', check: () => calendarAnswers(google) }] : []),
      ...(channel
        ? [
            {
              name: 'whatsapp_token',
              // Every shop's number: one refused token is a shop whose replies cannot be sent.
              check: async () => {
                for (const messenger of messengers.values()) await tokenReadiness(messenger).check();
              },
            },
          ]
        : []),
    ];
    // CITA_INSPECT set: every conversation shows up in the Stately inspector (loaded only then).
    const inspector = env.CITA_INSPECT ? lazyInspector({ port: env.CITA_INSPECT_PORT }) : undefined;
    inspector?.ready.then(({ url }) => log.info({ event: 'inspector.ready', url }, `Stately inspector at ${url}`));
    const cita = createCita({
      shops,
      clock,
      dataDir,
      workers: env.CITA_WORKERS,
      storesFor: (owner) => {
        const whatsapp = whatsAppFor(owner);
        const calendar = owner === first && google ? google : googleFor(owner);
        return {
          ...store.forShop(owner.id),
          ...(calendar ? { calendar } : {}),
          ...(whatsapp ? { messenger: messengerFor(whatsapp, owner), media: new WhatsAppMedia(whatsapp) } : {}),
        };
      },
      adapters: {
        inbox: store.adapters.inbox,
        replies: store.adapters.replies,
        ...(interpreter ? { interpreter } : {}),
        ...(transcriber ? { transcriber } : {}),
      },
      onStop: async () => {
        shops.stop();
        await redis?.close();
        await sqlite?.close();
        await inspector?.stop();
      },
      inspect: inspector?.inspect,
      metrics,
      calendarWatch: {
        pollSeconds: env.GOOGLE_CALENDAR_POLL_SECONDS,
        // Push channels for every shop on Google Calendar (the embedded calendars are polled).
        ...(env.GOOGLE_CALENDAR_WEBHOOK_URL ? { webhookUrl: env.GOOGLE_CALENDAR_WEBHOOK_URL } : {}),
      },
    });
    const whatsapp = channel && {
      appSecret: channel.appSecret ?? '',
      verifyToken: channel.verifyToken,
      ...(single && { phoneNumberId: single.phoneNumberId }),
      // Each number to its shop, and to the secret of the Meta app it belongs to.
      shopFor: (number: string | undefined) => {
        const owner = shops.shopFor(number);
        const secrets = owner && whatsAppFor(owner);
        return owner && secrets ? { shop: owner.id, appSecret: secrets.appSecret } : undefined;
      },
      appSecrets: () => [
        ...(channel.appSecret ? [channel.appSecret] : []),
        ...shops.list().flatMap((owner) => {
          const secrets = owner.whatsapp?.appSecretEnv && whatsAppFor(owner);
          return secrets ? [secrets.appSecret] : [];
        }),
      ],
      // Whether the shop's number sent the message with this id: its echo changes nothing.
      sentByCita: (shop: string, customer: string, messageId: string) =>
        progressFor(shop).sentByCita(customer, messageId),
    };
    return { env, shop, shops, cita, whatsapp, readiness };
  } catch (error) {
    if (error instanceof ShopConfigError || error instanceof Error) {
      console.error(`cita cannot start: ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
}

/**
 * With SHOPS_DIR, WhatsApp is on when any deployment-wide WHATSAPP_* secret is set: one callback
 * URL (so one verify token) for every number; each shop's token and app secret are checked as its
 * file is read.
 */
function folderChannel(env: Env): { verifyToken: string; appSecret?: string } | undefined {
  const set = (['WHATSAPP_ACCESS_TOKEN', 'WHATSAPP_APP_SECRET', 'WHATSAPP_VERIFY_TOKEN'] as const).filter(
    (name) => env[name],
  );
  if (set.length === 0) return undefined;
  if (!env.WHATSAPP_VERIFY_TOKEN) {
    throw new Error(
      `${set.join(', ')} ${set.length === 1 ? 'is' : 'are'} set but WHATSAPP_VERIFY_TOKEN is not: with SHOPS_DIR, every shop's number shares one webhook, checked with WHATSAPP_VERIFY_TOKEN. Set it, or unset every WHATSAPP_* setting to run with the simulator.`,
    );
  }
  return { verifyToken: env.WHATSAPP_VERIFY_TOKEN, appSecret: env.WHATSAPP_APP_SECRET };
}

/**
 * The single-shop set-up as a shop: SHOP_CONFIG (default config/barbershop.json), its id the
 * file's `id` when it has one, else DEFAULT_SHOP_ID (what data stored before shops had ids is
 * kept under), and its number WHATSAPP_PHONE_NUMBER_ID.
 */
function singleShop(env: Env, phoneNumberId: string | undefined): Shop {
  const file = env.SHOP_CONFIG ?? DEFAULT_SHOP_CONFIG;
  const config = loadShopConfig(file);
  const named = z.object({ id: ShopId }).safeParse(JSON.parse(readFileSync(file, 'utf8')));
  return {
    id: named.success ? named.data.id : DEFAULT_SHOP_ID,
    config,
    file,
    ...(phoneNumberId !== undefined && { whatsapp: { phoneNumberId } }),
  };
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
