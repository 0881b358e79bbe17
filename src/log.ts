import { AsyncLocalStorage } from 'node:async_hooks';
import { createHmac, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { LRUCache } from 'lru-cache';
import { pino } from 'pino';

/**
 * Structured JSON logs, one event per line, on standard output.
 *
 * Privacy is enforced here, once, rather than trusted to every call site:
 * - a phone number appears only as `phoneRef`, a keyed hash (HMAC-SHA256 with LOG_HASH_SECRET);
 * - message ids (`messageId`, `inReplyTo`, `correlationId`) are hashed with the same key, because a
 *   WhatsApp id is not opaque: `wamid.HBgL…` is base64 that spells the customer's number;
 * - any other string value has runs of 6 or more digits masked, so an error message that quotes a
 *   Redis key or a URL with a phone in it cannot leak it.
 * Message text, customer names, tokens and secrets are never passed to the logger at all.
 */

/** A place log lines can be written to (process.stdout, a test's array, a file stream). */
export interface LogDestination {
  write(line: string): unknown;
}

/**
 * A person reading a terminal while developing gets pino-pretty's coloured lines; anything else
 * (a pipe, a file, a container's log collector, NODE_ENV=production) gets the JSON lines.
 */
export function wantsPrettyLogs(env: NodeJS.ProcessEnv = process.env, isTTY = process.stdout.isTTY): boolean {
  return isTTY === true && env.NODE_ENV !== 'production';
}

/** pino-pretty, loaded only when it is used, writing synchronously so no line is lost at exit. */
function prettyDestination(): LogDestination {
  const pretty = createRequire(import.meta.url)('pino-pretty') as typeof import('pino-pretty');
  return pretty({ sync: true, ignore: 'pid,hostname,app', translateTime: 'SYS:HH:MM:ss.l' });
}

let destination: LogDestination = wantsPrettyLogs() ? prettyDestination() : process.stdout;

/**
 * Log lines go through this forwarder so that the destination can change after the logger was
 * made (tests capture lines; the interpreter CLI moves them to stderr, away from its results).
 */
const forwarder: LogDestination = { write: (line) => destination.write(line) };

/** The message being handled, set by the worker around everything one message causes. */
export interface LogContext {
  correlationId: string;
  phoneRef: string;
  /** The shop written to. */
  shop?: string;
}

const context = new AsyncLocalStorage<LogContext>();

/** Keys whose values are message ids: hashed, since a WhatsApp id embeds the customer's number. */
const MESSAGE_ID_KEYS = new Set(['messageId', 'inReplyTo', 'correlationId']);
/** Keys that already hold hashes: left as they are. */
// A shop's id is chosen by whoever runs cita, never a customer's: left as it is.
const HASHED_KEYS = new Set(['phoneRef', 'messageRef', 'shop']);
const DIGIT_RUN = /\d{6,}/g;

let hashKey: string | Buffer = process.env.LOG_HASH_SECRET || randomBytes(32);

export const log = pino(
  {
    level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === 'test' || process.env.VITEST ? 'silent' : 'info'),
    base: { app: 'cita' },
    // Why AsyncLocalStorage rather than child loggers: the correlation id must reach code behind
    // ports that other adapters implement (Calendar, LLM, messenger, Redis); threading a logger
    // through every port signature would touch all of them, and a forgotten one would log without it.
    // A copy: pino merges each call's fields into the object the mixin returns.
    mixin: () => ({ ...context.getStore() }),
    // The call's own fields win over the context's (pino's default), so an explicit phoneRef stays.
    formatters: { log: (object) => privateFields(object) as Record<string, unknown> },
  },
  forwarder,
);

/**
 * Sends log lines somewhere else; returns a function that puts the previous destination back.
 *
 * @example
 * const lines: string[] = [];
 * const restore = setLogDestination({ write: (line) => lines.push(line) });
 */
export function setLogDestination(next: LogDestination): () => void {
  const previous = destination;
  destination = next;
  return () => {
    destination = previous;
  };
}

/**
 * Sets the key of the phone and message hashes (LOG_HASH_SECRET). Without one, a random key per
 * process: references then still correlate lines of one process, and cannot be reversed by anyone
 * who knows the (public) default, which a built-in key could.
 */
export function setLogHashSecret(secret: string | undefined): void {
  hashKey = secret || randomBytes(32);
  PHONE_REFS.clear();
}

/**
 * Phones written recently, and their references: every message of a conversation is logged with
 * its phone's, and an HMAC per message was a visible share of its CPU. Bounded, so it holds the
 * conversations under way, not every customer ever seen.
 */
const PHONE_REFS = new LRUCache<string, string>({ max: 2_000 });

/** A stable, non-reversible reference to a phone number for correlating log lines. */
export function phoneRef(phone: string): string {
  let ref = PHONE_REFS.get(phone);
  if (ref === undefined) {
    ref = createHmac('sha256', hashKey).update(phone).digest('base64url').slice(0, 12);
    PHONE_REFS.set(phone, ref);
  }
  return ref;
}

/** The reference that stands for a message id in logs (also the correlation id). */
export function messageRef(id: string): string {
  return `m_${createHmac('sha256', hashKey).update(`message:${id}`).digest('base64url').slice(0, 16)}`;
}

/**
 * Runs `work` with every log line it causes, however deep, carrying the message's correlation id
 * phone reference and shop.
 */
export function withMessageContext<T>(message: { id: string; phone: string; shop?: string }, work: () => T): T {
  return context.run(
    { correlationId: message.id, phoneRef: phoneRef(message.phone), ...(message.shop && { shop: message.shop }) },
    work,
  );
}

function privateFields(value: unknown, key?: string, depth = 0): unknown {
  if (typeof value === 'string') {
    // Always hashed, whatever the id looks like: a crafted id "m_34611100003_leak" is no reference.
    if (key !== undefined && MESSAGE_ID_KEYS.has(key)) return messageRef(value);
    if (key !== undefined && HASHED_KEYS.has(key)) return value;
    return value.replace(DIGIT_RUN, '[digits]');
  }
  if (depth > 4 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) {
    return { type: value.name, message: privateFields(value.message), stack: privateFields(value.stack ?? '') };
  }
  if (Array.isArray(value)) return value.map((item) => privateFields(item, undefined, depth + 1));
  return Object.fromEntries(
    Object.entries(value).map(([name, inner]) => [name, privateFields(inner, name, depth + 1)]),
  );
}
