import { z } from 'zod';
import {
  BREAKER_COOLDOWN_SECONDS,
  BREAKER_FAILURES,
  DEFAULT_LLM_BASE_URL,
  DEFAULT_LLM_MODEL,
  LLM_TIMEOUT_MS,
} from './interpreter/llm/defaults.ts';

/** Everything cita reads from the environment, parsed once at start-up. */
export const Env = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /**
   * The address the server listens on. Default: 127.0.0.1 with the simulator (it lets anyone speak
   * as any customer, so only this machine may reach it); every interface with WhatsApp connected.
   */
  HOST: z.string().min(1).optional(),
  SHOP_CONFIG: z.string().min(1).optional(),
  /**
   * A folder of shop files (one JSON file per shop, each with its `id` and `whatsapp.phoneNumberId`):
   * every shop served by this deployment, read again when a file changes. Replaces SHOP_CONFIG.
   */
  SHOPS_DIR: z.string().min(1).optional(),
  CITA_DATA_DIR: z.string().min(1).default('data'),
  /** Fixes the clock at this instant (demos and tests). */
  CITA_NOW: z.iso.datetime({ offset: true }).optional(),
  /** Connects every conversation to the Stately inspector (`npm run inspect`); the viewer page needs internet. */
  CITA_INSPECT: z.stringbool().default(false),
  CITA_INSPECT_PORT: z.coerce.number().int().min(1).max(65535).default(8080),
  CITA_WORKERS: z.coerce.number().int().min(1).max(10_000).default(256),
  /** How long a SIGTERM or SIGINT waits for the messages in hand before handing them back, in milliseconds. */
  CITA_SHUTDOWN_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
  /** "production" (or WhatsApp connected) makes a missing LOG_HASH_SECRET a start-up warning. */
  NODE_ENV: z.string().optional(),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).optional(),
  /** Key of the hashes standing for phone numbers and message ids in logs; without it, a random key per process. */
  LOG_HASH_SECRET: z.string().min(16, 'use at least 16 characters (e.g. openssl rand -hex 32)').optional(),
  /** When set, GET /metrics requires "Authorization: Bearer <METRICS_TOKEN>". */
  METRICS_TOKEN: z.string().min(1).optional(),
  /** Keeps inbox, conversations, holds, history and rate limits in Redis, so several processes share the work. */
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
  /**
   * A Redis Cluster instead of one Redis: any of its nodes as `host:port,host:port,…` (the client
   * finds the rest). Takes the place of REDIS_URL.
   */
  REDIS_CLUSTER_NODES: z
    .string()
    .regex(/^\s*[^\s,:]+:\d+\s*(,\s*[^\s,:]+:\d+\s*)*$/, 'host:port,host:port,… (e.g. 10.0.0.5:6379,10.0.0.6:6379)')
    .optional(),
  /** Prefix of every Redis key: several shops (or test runs) can share one Redis. */
  REDIS_PREFIX: z
    .string()
    .regex(/^[\w.-]+$/, 'letters, digits, "_", "." and "-" only')
    .default('cita'),
  /** Switches the LLM on for text the rule parser cannot read; without it cita uses rules alone. */
  LLM_API_KEY: z.string().min(1).optional(),
  LLM_BASE_URL: z.url().default(DEFAULT_LLM_BASE_URL),
  LLM_MODEL: z.string().min(1).default(DEFAULT_LLM_MODEL),
  /** Asked when the primary provider times out, errors or answers nonsense. */
  LLM_FALLBACK_BASE_URL: z.url().optional(),
  LLM_FALLBACK_API_KEY: z.string().min(1).optional(),
  LLM_FALLBACK_MODEL: z.string().min(1).optional(),
  LLM_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(LLM_TIMEOUT_MS),
  LLM_BREAKER_FAILURES: z.coerce.number().int().min(1).default(BREAKER_FAILURES),
  LLM_BREAKER_COOLDOWN_SECONDS: z.coerce.number().int().min(1).default(BREAKER_COOLDOWN_SECONDS),
  /** Switches voice-note transcription on (any non-empty value for a local server); without it voice notes get "please write". */
  TRANSCRIPTION_API_KEY: z.string().min(1).optional(),
  /** OpenAI-compatible endpoint with /audio/transcriptions (default OpenAI's; Groq's, a local whisper.cpp). */
  TRANSCRIPTION_BASE_URL: z.url().optional(),
  TRANSCRIPTION_MODEL: z.string().min(1).optional(),
  TRANSCRIPTION_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).optional(),
  /** WhatsApp Cloud API: all four switch the WhatsApp channel on; none keeps the simulator (see adapters/whatsapp/config.ts). */
  WHATSAPP_ACCESS_TOKEN: z.string().min(1).optional(),
  WHATSAPP_PHONE_NUMBER_ID: z.string().regex(/^\d+$/, 'must be the numeric phone number id from Meta').optional(),
  WHATSAPP_APP_SECRET: z.string().min(1).optional(),
  WHATSAPP_VERIFY_TOKEN: z.string().min(1).optional(),
  /**
   * WhatsApp's cap on messages per second for the business number (Meta's default: 80; 20 for a
   * coexistence number, see WHATSAPP_COEXISTENCE).
   */
  WHATSAPP_MAX_PER_SECOND: z.coerce.number().int().min(1).max(1000).optional(),
  /**
   * "true" when the number is also used in the WhatsApp Business app on the owner's phone
   * (coexistence): WhatsApp allows such numbers 20 messages per second.
   */
  WHATSAPP_COEXISTENCE: z.enum(['true', 'false']).default('false'),
  /**
   * How long a reply whose fate is unknown (sent by a process that died or lost the connection before
   * WhatsApp's answer came) waits for its status webhook before it is sent again, in ms.
   */
  WHATSAPP_UNKNOWN_FATE_WAIT_MS: z.coerce.number().int().min(0).max(600_000).default(15_000),
  /** Where the Graph API is; tests point it at a fake one. */
  WHATSAPP_API_URL: z.url().optional(),
  WHATSAPP_API_VERSION: z
    .string()
    .regex(/^v\d+\.\d+$/, 'must look like v25.0')
    .optional(),
  /** The shop's Google Calendar: set it (with a service account) to read busy time from and write bookings to it. */
  GOOGLE_CALENDAR_ID: z.string().min(1).optional(),
  /** The service account's JSON key: a file path or the JSON itself. */
  GOOGLE_SERVICE_ACCOUNT_JSON: z.string().min(1).optional(),
  /** Google's usual variable: a path to the service account's JSON key (used when GOOGLE_SERVICE_ACCOUNT_JSON is not set). */
  GOOGLE_APPLICATION_CREDENTIALS: z.string().min(1).optional(),
  /** How often the calendar is read for the shop's own changes, in seconds (0: never by the clock). */
  GOOGLE_CALENDAR_POLL_SECONDS: z.coerce.number().int().min(0).max(86_400).default(60),
  /**
   * cita's public base URL: Google posts calendar notifications to /webhook/google-calendar on it.
   * Must be https (Google's rule); http only for 127.0.0.1. Unset: polling alone.
   */
  GOOGLE_CALENDAR_WEBHOOK_URL: z
    .url()
    .refine((url) => {
      const { protocol, hostname } = new URL(url);
      return protocol === 'https:' || (protocol === 'http:' && hostname === '127.0.0.1');
    }, 'must be https (Google posts nowhere else), or http://127.0.0.1 for tests')
    .optional(),
  /** Where the Google APIs are; tests point it at a fake Calendar API. */
  GOOGLE_API_ROOT_URL: z
    .url()
    .refine((url) => url.endsWith('/'), 'must end with "/"')
    .optional(),
});
export type Env = z.infer<typeof Env>;

export function readEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const parsed = Env.safeParse(source);
  if (!parsed.success) {
    throw new Error(`Invalid environment:\n${z.prettifyError(parsed.error)}\nSee .env.example for every setting.`);
  }
  return parsed.data;
}
