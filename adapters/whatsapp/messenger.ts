import { request } from 'undici';
import { type Messenger, OutsideCustomerWindow, type SentMessageIds } from '../../src/engine/ports.ts';
import { log, phoneRef } from '../../src/log.ts';
import { OutboundMessage } from '../../src/messages/whatsapp.ts';
import {
  cloudApiMessage,
  cloudApiReadWithTyping,
  DEFAULT_GRAPH_API_BASE_URL,
  DEFAULT_GRAPH_API_VERSION,
  GraphError,
  SentMessage,
  USER_ID_NOT_SUPPORTED,
} from './cloud-api.ts';
import { type DeliveryProgress, MemoryDeliveryProgress } from './delivery-progress.ts';
import { MemorySendPacer, type SendPacer, waitForTurn } from './pacing.ts';
import { OUTSIDE_CUSTOMER_WINDOW } from './statuses.ts';

/** Tries per message, the first included, before the turn is handed back to the worker. */
export const SEND_ATTEMPTS = 4;
/** First wait between tries; it doubles each time, with jitter, up to MAX_BACKOFF_MS. */
export const BASE_BACKOFF_MS = 500;
export const MAX_BACKOFF_MS = 8_000;
/** One Graph API call may not hold a worker longer than this. */
export const REQUEST_TIMEOUT_MS = 10_000;

/** Meta's rate-limit codes: worth waiting for, whatever HTTP status carries them. */
const RATE_LIMIT_CODES = new Set([4, 80007, 130429, 131056]);
/** Throughput refusals for this number ("too many messages", "too many to one customer"): cita slows down. */
const THROUGHPUT_CODES = new Set([130429, 131056]);

export interface WhatsAppMessengerOptions {
  accessToken: string;
  phoneNumberId: string;
  /** Default https://graph.facebook.com; tests point it at a fake Graph API. */
  apiBaseUrl?: string;
  /** Graph API version, e.g. "v25.0". */
  apiVersion?: string;
  attempts?: number;
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  requestTimeoutMs?: number;
  /** Keeps sends under the number's messages-per-second cap; default: a bucket in this process at 80/s. */
  pacer?: SendPacer;
  /** Remembers how far each turn got, so a retried turn resumes; default: in this process. */
  progress?: DeliveryProgress;
  /** Told each time WhatsApp refuses for throughput (metrics). */
  onThrottled?: () => void;
  /** Told when WhatsApp refuses a kind of message for a customer known only by a user id (metrics). */
  onNeedsPhone?: (kind: OutboundMessage['kind']) => void;
}

/** Every try to send a message failed for reasons that may pass (429, 5xx, network): try the turn again later. */
export class WhatsAppUnavailable extends Error {}

type Outcome =
  | { ok: true; body: unknown }
  | { ok: false; retry: boolean; status?: number; error: string; code?: number };

/**
 * Sends cita's replies through the WhatsApp Cloud API, one after another, each waiting for Meta's
 * answer, so they arrive in order. Each send first waits for its turn under the number's
 * messages-per-second cap; a turn tried again after a failure resumes after the replies already
 * delivered. The worker marks the customer's message read (`markRead`) before handling it.
 *
 * @example
 * const messenger = new WhatsAppMessenger({ accessToken, phoneNumberId });
 * await messenger.send('34600000001', [{ kind: 'text', body: 'Hola' }], 'wamid.ABC');
 */
export class WhatsAppMessenger implements Messenger {
  readonly #url: string;
  readonly #accessToken: string;
  readonly #attempts: number;
  readonly #baseBackoffMs: number;
  readonly #maxBackoffMs: number;
  readonly #requestTimeoutMs: number;
  readonly #pacer: SendPacer;
  readonly #progress: DeliveryProgress;
  readonly #onThrottled: () => void;
  readonly #onNeedsPhone: (kind: OutboundMessage['kind']) => void;

  constructor(options: WhatsAppMessengerOptions) {
    const base = (options.apiBaseUrl ?? DEFAULT_GRAPH_API_BASE_URL).replace(/\/+$/, '');
    const version = options.apiVersion ?? DEFAULT_GRAPH_API_VERSION;
    this.#url = `${base}/${version}/${encodeURIComponent(options.phoneNumberId)}/messages`;
    this.#accessToken = options.accessToken;
    this.#attempts = options.attempts ?? SEND_ATTEMPTS;
    this.#baseBackoffMs = options.baseBackoffMs ?? BASE_BACKOFF_MS;
    this.#maxBackoffMs = options.maxBackoffMs ?? MAX_BACKOFF_MS;
    this.#requestTimeoutMs = options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
    this.#pacer = options.pacer ?? new MemorySendPacer();
    this.#progress = options.progress ?? new MemoryDeliveryProgress();
    this.#onThrottled = options.onThrottled ?? (() => {});
    this.#onNeedsPhone = options.onNeedsPhone ?? (() => {});
  }

  async send(phone: string, messages: OutboundMessage[], inReplyTo?: string): Promise<SentMessageIds> {
    const ids: SentMessageIds = messages.map(() => undefined);
    if (messages.length === 0) return ids;
    // The first reply's turn is asked for while the progress is read: one trip to the store, not two.
    let turn: Promise<void> | undefined = waitForTurn(this.#pacer);
    const alreadySent = inReplyTo ? await this.#progress.delivered(phone, inReplyTo) : 0;
    if (alreadySent > 0) {
      log.info({ event: 'whatsapp.send_resumed', inReplyTo, alreadySent }, 'turn resumed after replies already sent');
    }
    for (const [index, message] of messages.entries()) {
      if (index < alreadySent) continue;
      const body = cloudApiMessage(phone, OutboundMessage.parse(message));
      const outcome = await this.#postWithRetries(body, turn);
      turn = undefined;
      // Built only for a line that is written: the phone's reference is a keyed hash.
      const context = () => ({
        event: 'whatsapp.send',
        phoneRef: phoneRef(phone),
        inReplyTo,
        index,
        kind: message.kind,
      });
      if (outcome.ok) {
        // The next reply's turn is asked for while this one's delivery is recorded. The last
        // reply's record is not waited for: it goes out ahead of the acknowledgement, in the same
        // write, and a record that fails is only logged anyway.
        const last = index + 1 === messages.length;
        if (!last) turn = waitForTurn(this.#pacer);
        const recorded = inReplyTo ? this.#recordProgress(phone, inReplyTo, index + 1) : undefined;
        if (!last) await recorded;
        const sent = SentMessage.safeParse(outcome.body);
        ids[index] = sent.success ? sent.data.messages[0]?.id : undefined;
        if (ids[index] !== undefined) this.#rememberSent(phone, ids[index]);
        if (log.isLevelEnabled('debug')) log.debug({ ...context(), messageId: ids[index] }, 'reply sent');
        continue;
      }
      if (outcome.retry) {
        throw new WhatsAppUnavailable(
          `WhatsApp did not take reply ${index + 1} of ${messages.length} after ${this.#attempts} tries: ${outcome.error}`,
        );
      }
      // Meta refused the message itself: sending it again cannot help, and the rest of the turn
      // would make no sense without it.
      const outsideWindow = outcome.code === OUTSIDE_CUSTOMER_WINDOW;
      const needsPhone = outcome.code === USER_ID_NOT_SUPPORTED;
      if (needsPhone) this.#onNeedsPhone(message.kind);
      log.error(
        { ...context(), status: outcome.status, errorCode: outcome.code, error: outcome.error, outsideWindow },
        outsideWindow
          ? 'reply refused: the 24-hour customer window is closed, only templates may be sent'
          : needsPhone
            ? `reply refused: a ${message.kind} cannot be sent to a customer known only by a WhatsApp user id`
            : 'reply refused by WhatsApp',
      );
      // A message cita sent on its own (a reminder) can be sent again as a template; say so.
      if (outsideWindow && inReplyTo === undefined)
        throw new OutsideCustomerWindow(`window closed for ${phoneRef(phone)}`);
      return ids;
    }
    return ids;
  }

  /**
   * Blue ticks and "typing…" for the customer's message. Best effort, one try: a missing read
   * receipt must never delay or block the reply itself.
   */
  async markRead(messageId: string): Promise<void> {
    const outcome = await this.#post(cloudApiReadWithTyping(messageId));
    if (!outcome.ok) {
      log.warn(
        {
          event: 'whatsapp.mark_read_failed',
          messageId,
          status: outcome.status,
          errorCode: outcome.code,
          error: outcome.error,
        },
        'could not mark the message read',
      );
    }
  }

  /** Posts with retries, each try in its turn of the pacing; `turn` is the first try's, when already asked for. */
  async #postWithRetries(body: unknown, turn?: Promise<void>): Promise<Outcome> {
    let outcome: Outcome = { ok: false, retry: true, error: 'not tried' };
    for (let attempt = 1; attempt <= this.#attempts; attempt++) {
      await (attempt === 1 && turn ? turn : waitForTurn(this.#pacer));
      outcome = await this.#post(body);
      if (!outcome.ok && outcome.code !== undefined && THROUGHPUT_CODES.has(outcome.code)) await this.#slowDown();
      if (outcome.ok || !outcome.retry || attempt === this.#attempts) return outcome;
      const delay = this.#backoff(attempt);
      log.warn(
        { event: 'whatsapp.send_retry', attempt, delayMs: delay, status: outcome.status, errorCode: outcome.code },
        'WhatsApp busy or unreachable; retrying',
      );
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
    return outcome;
  }

  /** Noted without waiting: an echo of this message is then known as cita's own, not the shop's. */
  #rememberSent(phone: string, messageId: string): void {
    this.#progress.rememberSent(phone, [messageId]).catch((error) => {
      log.warn({ event: 'whatsapp.sent_unrecorded', error: String(error) }, 'could not record a sent message id');
    });
  }

  /** A record that cannot be written must not fail the turn: that would resend what was just delivered. */
  async #recordProgress(phone: string, inReplyTo: string, count: number): Promise<void> {
    try {
      await this.#progress.record(phone, inReplyTo, count);
    } catch (error) {
      log.warn({ event: 'whatsapp.progress_unrecorded', error: String(error) }, 'could not record delivery progress');
    }
  }

  async #slowDown(): Promise<void> {
    this.#onThrottled();
    log.warn({ event: 'whatsapp.throttled' }, 'WhatsApp refused for throughput; sending slower for a while');
    try {
      await this.#pacer.slowDown();
    } catch (error) {
      log.warn({ event: 'whatsapp.pacing_unavailable', error: String(error) }, 'could not slow the shared pacing');
    }
  }

  /** Exponential backoff with "equal jitter": half fixed, half random, so retries of many phones spread out. */
  #backoff(attempt: number): number {
    const ceiling = Math.min(this.#maxBackoffMs, this.#baseBackoffMs * 2 ** (attempt - 1));
    return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
  }

  /**
   * One call to the Graph API, through undici's `request` on kept-alive connections: the WHATWG
   * `fetch` cost a fifth of the CPU of a message (its streams and headers), for nothing used here.
   */
  async #post(body: unknown): Promise<Outcome> {
    let status: number;
    let text: string;
    try {
      const response = await request(this.#url, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.#accessToken}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.#requestTimeoutMs),
      });
      status = response.statusCode;
      text = await response.body.text();
    } catch (error) {
      return { ok: false, retry: true, error: `network error: ${String(error)}` };
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (status >= 200 && status < 300) return { ok: true, body: json };

    const graph = GraphError.safeParse(json);
    const code = graph.success ? graph.data.error.code : undefined;
    const details = graph.success ? graph.data.error.error_data?.details : undefined;
    const error = graph.success
      ? `HTTP ${status}, code ${code}: ${graph.data.error.message ?? ''}${details ? ` (${details})` : ''}`
      : `HTTP ${status}: ${text.slice(0, 200)}`;
    const retry = status === 429 || status >= 500 || (code !== undefined && RATE_LIMIT_CODES.has(code));
    return { ok: false, retry, status, error, code };
  }
}
