import { resolve } from 'node:path';
import { googleCalendarFromEnv } from '../adapters/google-calendar/from-env.ts';
import { createRedisAdapters } from '../adapters/redis/index.ts';
import { whatsAppConfig } from '../adapters/whatsapp/config.ts';
import { WhatsAppMessenger } from '../adapters/whatsapp/messenger.ts';
import { loadShopConfig, ShopConfigError } from '../config/load.ts';
import { createCita } from './cita.ts';
import type { Clock } from './engine/ports.ts';
import { readEnv } from './env.ts';
import { interpreterFromEnv } from './interpreter/llm/index.ts';

/**
 * Reads the environment and the shop's configuration and builds cita, or stops the program with a
 * message that says what to fix.
 */
export function startCita(overrides: { now?: string } = {}) {
  try {
    const env = readEnv();
    const shop = loadShopConfig(env.SHOP_CONFIG);
    const fixedNow = overrides.now ?? env.CITA_NOW;
    const clock: Clock | undefined = fixedNow ? () => new Date(fixedNow) : undefined;
    // All WHATSAPP_* set: replies go to WhatsApp; none set: the simulator; some: an error naming the rest.
    const whatsapp = whatsAppConfig(env);
    const messenger = whatsapp ? new WhatsAppMessenger(whatsapp) : undefined;
    // REDIS_URL set: inbox, conversations, holds, history and rate limits in Redis, shared by every process.
    const redis = env.REDIS_URL ? createRedisAdapters({ url: env.REDIS_URL, prefix: env.REDIS_PREFIX }) : undefined;
    // GOOGLE_CALENDAR_ID set: the shop's Google Calendar; else with Redis: bookings in Redis; else the local calendar file.
    const calendar = googleCalendarFromEnv(env, shop.timezone) ?? redis?.calendar;
    // LLM_API_KEY set: rules first, then the LLM for what they cannot read; unset: rules alone.
    const interpreter = interpreterFromEnv(env);
    const cita = createCita({
      shop,
      clock,
      dataDir: resolve(env.CITA_DATA_DIR),
      workers: env.CITA_WORKERS,
      adapters: {
        ...(messenger ? { messenger } : {}),
        ...(calendar ? { calendar } : {}),
        ...(interpreter ? { interpreter } : {}),
        ...redis?.adapters,
      },
      onStop: redis?.close,
    });
    return { env, shop, cita, whatsapp };
  } catch (error) {
    if (error instanceof ShopConfigError || error instanceof Error) {
      console.error(`cita cannot start: ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
}
