import { randomUUID } from 'node:crypto';
import { FormData, request } from 'undici';
import {
  CustomerUnreachable,
  type DeliveryStatus,
  type Messenger,
  type OutboundPurpose,
  OutsideCustomerWindow,
  type SentMessageIds,
  type Undelivered,
} from '../../src/engine/ports.ts';
import { log, phoneRef } from '../../src/log.ts';
import { OutboundMessage } from '../../src/messages/whatsapp.ts';
import {
  callbackData,
  cloudApiMessage,
  cloudApiReadWithTyping,
  cloudApiUpload,
  DEFAULT_GRAPH_API_BASE_URL,
  DEFAULT_GRAPH_API_VERSION,
  fileOf,
  GraphError,
  type MessageTag,
  readCallbackData,
  SentMessage,
  UploadedMedia,
  USER_ID_NOT_SUPPORTED,
} from './cloud-api.ts';
import {
  type DeliveryProgress,
  type KeptMessage,
  MemoryDeliveryProgress,
  outboxId,
  RESEND_LEASE_MS,
  RESENDS_PER_ROUND,
} from './delivery-progress.ts';
import { isWorthRetrying, type SendFailureKind, sendFailureKind } from './errors.ts';
import { MemorySendPacer, type SendPacer, waitForTurn } from './pacing.ts';

/** The log line for each refusal: what it means and what a person may do. */
const REFUSAL_LINES: Record<SendFailureKind, string> = {
  outsideWindow: 'reply refused: the 24-hour customer window is closed, only templates may be sent',
  unreachable: 'message refused: WhatsApp cannot deliver to this customer now; not retried',
  throughput: 'message refused for throughput',
  pairLimit: 'message refused: too many messages to this customer',
  template: 'template refused: missing, paused, disabled or given the wrong parameters; check it in WhatsApp Manager',
  tokenExpired: 'WhatsApp refused the access token (expired or revoked): replace WHATSAPP_ACCESS_TOKEN',
  transient: 'WhatsApp busy or unreachable',
  refused: 'reply refused by WhatsApp',
};

/** Tries per message, the first included, before the turn is handed back to the worker. */
export const SEND_ATTEMPTS = 4;
/** First wait between tries; it doubles each time, with jitter, up to MAX_BACKOFF_MS. */
export const BASE_BACKOFF_MS = 500;
export const MAX_BACKOFF_MS = 8_000;
/** One Graph API call may not hold a worker longer than this. */
export const REQUEST_TIMEOUT_MS = 10_000;
/**
 * How long a message whose fate is unknown (sent, but WhatsApp's answer never came back) waits for
 * its status webhook before it is sent again. Meta's `sent` status comes within a second or two.
 */
export const UNKNOWN_FATE_WAIT_MS = 15_000;
/** How often the record of statuses is looked at meanwhile. */
export const STATUS_POLL_MS = 200;
/** After 131056 (too many messages to one customer), the first wait before trying that customer again. */
export const PAIR_BACKOFF_MS = 6_000;

/** The longest wait before a message WhatsApp failed later for throughput is sent again. */
export const MAX_RESEND_WAIT_MS = 60_000;

/** Network failures that prove nothing left this process: no need to ask WhatsApp's statuses. */
const NEVER_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);

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
  /** How long a message of unknown fate waits for its status before being sent again. */
  unknownFateWaitMs?: number;
  statusPollMs?: number;
  pairBackoffMs?: number;
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

/** Another process took this turn's replies over (this one was cut off past its lease): it sends no more of them. */
export class TurnTakenOver extends Error {}

type Outcome =
  | { ok: true; body: unknown; wamid?: string }
  | {
      ok: false;
      kind: SendFailureKind;
      status?: number;
      error: string;
      code?: number;
      details?: string;
      fateUnknown?: boolean;
    };

/**
 * Sends cita's replies through the WhatsApp Cloud API, one after another, each waiting for Meta's
 * answer, so they arrive in order. Each send first waits for its turn under the number's
 * messages-per-second cap; a turn tried again after a failure resumes after the replies already
 * delivered. Every message carries its outbox id in `biz_opaque_callback_data`: a reply whose
 * answer never came back (a crash, a cut connection) is sent again only once its status webhook
 * has not come within `unknownFateWaitMs`. The worker marks the customer's message read
 * (`markRead`) before handling it.
 *
 * @example
 * const messenger = new WhatsAppMessenger({ accessToken, phoneNumberId });
 * await messenger.send('34600000001', [{ kind: 'text', body: 'Hola' }], 'wamid.ABC');
 */
export class WhatsAppMessenger implements Messenger {
  readonly #url: string;
  readonly #mediaUrl: string;
  readonly #accessToken: string;
  readonly #attempts: number;
  readonly #baseBackoffMs: number;
  readonly #maxBackoffMs: number;
  readonly #requestTimeoutMs: number;
  readonly #unknownFateWaitMs: number;
  readonly #statusPollMs: number;
  readonly #pairBackoffMs: number;
  readonly #pacer: SendPacer;
  readonly #progress: DeliveryProgress;
  readonly #onThrottled: () => void;
  #listeners: ((undelivered: Undelivered) => void | Promise<void>)[] = [];
  #tokenListeners: (() => void | Promise<void>)[] = [];
  /** Whether a message went through since the process started or the token was last refused. */
  #tokenTakenTold = false;
  /** When WhatsApp last refused the access token (190); cleared by the next message it takes. */
  #tokenRefusedAt: Date | undefined;
  readonly #onNeedsPhone: (kind: OutboundMessage['kind']) => void;
  /** When the number (key '') and each customer may next be sent to again, after later throughput failures. */
  readonly #resendWaits = new Map<string, { due: number; wait: number }>();
  #resending = false;
  #resendAgain = false;
  /** The latest due time a timer fired for: a timer may fire a millisecond before `Date.now()` reaches it. */
  #dueReached = 0;
  /** Whether this process looked for resends another process left behind (it died holding them). */
  #lookedForResends = false;

  constructor(options: WhatsAppMessengerOptions) {
    const base = (options.apiBaseUrl ?? DEFAULT_GRAPH_API_BASE_URL).replace(/\/+$/, '');
    const version = options.apiVersion ?? DEFAULT_GRAPH_API_VERSION;
    this.#url = `${base}/${version}/${encodeURIComponent(options.phoneNumberId)}/messages`;
    this.#mediaUrl = `${base}/${version}/${encodeURIComponent(options.phoneNumberId)}/media`;
    this.#accessToken = options.accessToken;
    this.#attempts = options.attempts ?? SEND_ATTEMPTS;
    this.#baseBackoffMs = options.baseBackoffMs ?? BASE_BACKOFF_MS;
    this.#maxBackoffMs = options.maxBackoffMs ?? MAX_BACKOFF_MS;
    this.#requestTimeoutMs = options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
    this.#unknownFateWaitMs = options.unknownFateWaitMs ?? UNKNOWN_FATE_WAIT_MS;
    this.#statusPollMs = options.statusPollMs ?? STATUS_POLL_MS;
    this.#pairBackoffMs = options.pairBackoffMs ?? PAIR_BACKOFF_MS;
    this.#pacer = options.pacer ?? new MemorySendPacer();
    this.#progress = options.progress ?? new MemoryDeliveryProgress();
    this.#onThrottled = options.onThrottled ?? (() => {});
    this.#onNeedsPhone = options.onNeedsPhone ?? (() => {});
  }

  onUndelivered(listener: (undelivered: Undelivered) => void | Promise<void>): void {
    this.#listeners.push(listener);
  }

  onTokenTaken(listener: () => void | Promise<void>): void {
    this.#tokenListeners.push(listener);
  }

  /**
   * A status webhook of one of cita's messages: WhatsApp has it (its wamid is recorded against the
   * outbox id, which is what a resend waits for), or it failed, and whoever listens is told.
   * Statuses of messages cita did not tag (older ones, the owner's own) are left alone.
   */
  async statusReceived(status: DeliveryStatus): Promise<void> {
    const tag = readCallbackData(status.callbackData);
    if (!tag) return;
    // Each message gets sent, delivered and read: the first two confirm it, the third adds nothing.
    if (status.status === 'sent' || status.status === 'delivered' || status.status === 'failed') {
      await this.#progress.confirm(tag.c, tag.o, status.messageId);
    }
    if (status.status !== 'failed') return;
    const error = status.errors[0];
    const kind = sendFailureKind(error?.code, 400);
    if (kind === 'throughput' || kind === 'pairLimit') return this.#resendLater(tag, kind, error?.code);
    this.#report({ kind, code: error?.code, details: error?.error_data?.details, tag, later: true });
  }

  /**
   * WhatsApp took a message and failed it later for throughput: 130429 (the number sends too fast:
   * the number's pacing slows down, shared by every process) or 131056 (too many to this customer).
   * It is queued, as kept when sent, to go again once the number or the customer may be sent to;
   * the store keeps it, so a status recorded is never lost (one that cannot be queued fails the
   * webhook, and Meta delivers it again).
   */
  async #resendLater(tag: MessageTag, kind: 'throughput' | 'pairLimit', code: number | undefined): Promise<void> {
    if (kind === 'throughput') await this.#slowDown();
    else this.#onThrottled();
    const due =
      kind === 'throughput'
        ? this.#resendDue('', this.#baseBackoffMs * 4)
        : this.#resendDue(tag.c, this.#pairBackoffMs);
    const context = { event: 'whatsapp.resend', phoneRef: phoneRef(tag.c), errorCode: code, delayMs: due - Date.now() };
    if (!(await this.#progress.queueResend(tag.c, tag.o, due))) {
      log.error(
        context,
        'WhatsApp failed a message for throughput after taking it, and it is no longer kept: not sent again',
      );
      this.#report({ kind: 'refused', code, tag, later: true });
      return;
    }
    log.warn(context, 'WhatsApp failed a message for throughput after taking it; it goes again after a wait');
    this.#resendAt(due);
  }

  /**
   * When `key` (a customer, or '' for the number) may be sent to again. Failures that come while a
   * wait runs share its end, so a customer's messages go again together, in their order; one after
   * it doubles the wait (up to MAX_RESEND_WAIT_MS) while they keep coming.
   */
  #resendDue(key: string, first: number): number {
    const now = Date.now();
    const last = this.#resendWaits.get(key);
    if (last && now < last.due) return last.due;
    const wait = last && now - last.due < MAX_RESEND_WAIT_MS ? Math.min(last.wait * 2, MAX_RESEND_WAIT_MS) : first;
    this.#resendWaits.delete(key);
    this.#resendWaits.set(key, { due: now + wait, wait });
    if (this.#resendWaits.size > 10_000) this.#resendWaits.delete(this.#resendWaits.keys().next().value!);
    return now + wait;
  }

  #resendAt(due: number): void {
    setTimeout(() => void this.#resendQueued(due), Math.max(0, due - Date.now())).unref();
  }

  /**
   * Sends again what is due, each customer's messages in the order first sent, many customers at
   * once. Throughput refusals on the way are waited out as for any message; a message that still
   * cannot go for a passing reason is queued again with the customer's later ones behind it.
   */
  async #resendQueued(due: number): Promise<void> {
    this.#dueReached = Math.max(this.#dueReached, due);
    if (this.#resending) {
      this.#resendAgain = true;
      return;
    }
    this.#resending = true;
    try {
      do {
        this.#resendAgain = false;
        const taken = await this.#progress.takeResends(Math.max(Date.now(), this.#dueReached));
        const customers = new Map<string, KeptMessage[]>();
        for (const kept of taken) customers.set(kept.phone, [...(customers.get(kept.phone) ?? []), kept]);
        await Promise.all([...customers.values()].map((kept) => this.#resendInOrder(kept)));
        if (taken.length === RESENDS_PER_ROUND) this.#resendAgain = true;
      } while (this.#resendAgain);
    } catch (error) {
      // Left taken: they are due again once their lease ends, for this process or any other.
      log.warn({ event: 'whatsapp.resend_failed', error: String(error) }, 'could not send queued messages again');
      this.#resendAt(Date.now() + RESEND_LEASE_MS);
    } finally {
      this.#resending = false;
    }
  }

  async #resendInOrder(messages: KeptMessage[]): Promise<void> {
    for (const [index, kept] of messages.entries()) {
      const body = JSON.parse(kept.body) as { biz_opaque_callback_data?: string };
      const context = { event: 'whatsapp.resend', phoneRef: phoneRef(kept.phone), outboxId: kept.outboxId };
      // No status can vouch for a resend whose answer is lost: its outbox id has the failed one's.
      const outcome = await this.#postWithRetries(body, kept.phone, undefined);
      if (outcome.ok) {
        this.#tokenTaken();
        await this.#progress.resent(kept.phone, kept.outboxId, kept.lease);
        const wamid = outcome.wamid ?? SentMessage.safeParse(outcome.body).data?.messages[0]?.id;
        if (wamid !== undefined) this.#rememberSent(kept.phone, wamid);
        log.info({ ...context, messageId: wamid }, 'message sent again after WhatsApp failed it for throughput');
        continue;
      }
      if (isWorthRetrying(outcome.kind)) {
        const due = Date.now() + this.#backoff(SEND_ATTEMPTS);
        for (const rest of messages.slice(index)) await this.#progress.queueResend(rest.phone, rest.outboxId, due);
        this.#resendAt(due);
        log.warn({ ...context, error: outcome.error }, 'WhatsApp busy or unreachable; the message goes again later');
        return;
      }
      await this.#progress.resent(kept.phone, kept.outboxId, kept.lease);
      log.error({ ...context, errorCode: outcome.code, error: outcome.error }, REFUSAL_LINES[outcome.kind]);
      const tag = readCallbackData(body.biz_opaque_callback_data);
      if (tag) this.#report({ kind: outcome.kind, code: outcome.code, details: outcome.details, tag, later: true });
    }
  }

  #report({
    kind,
    tag,
    ...rest
  }: {
    kind: SendFailureKind;
    tag: MessageTag;
    code?: number;
    details?: string;
    template?: string;
    later: boolean;
  }) {
    if (isWorthRetrying(kind)) return;
    const undelivered: Undelivered = {
      reason: kind as Undelivered['reason'],
      phone: tag.c,
      purpose: tag.p,
      ...(tag.b ? { bookingId: tag.b } : {}),
      ...(tag.s ? { staffPhone: tag.s } : {}),
      ...rest,
    };
    for (const listener of this.#listeners) {
      Promise.resolve(listener(undelivered)).catch((error) =>
        log.warn({ event: 'whatsapp.undelivered_listener_failed', error: String(error) }),
      );
    }
  }

  /**
   * A message went through: the token works. Whoever listens is told the first time since the
   * process started or the token was last refused (a refusal another process saw, or this one
   * before a restart, is then over).
   */
  #tokenTaken(): void {
    this.#tokenRefusedAt = undefined;
    if (this.#tokenTakenTold) return;
    this.#tokenTakenTold = true;
    for (const listener of this.#tokenListeners) {
      Promise.resolve(listener()).catch((error) =>
        log.warn({ event: 'whatsapp.token_listener_failed', error: String(error) }),
      );
    }
  }

  /** Set while WhatsApp refuses the access token (190): `/readyz` reports it. */
  get tokenRefusedAt(): Date | undefined {
    return this.#tokenRefusedAt;
  }

  async send(
    phone: string,
    messages: OutboundMessage[],
    inReplyTo?: string,
    about?: OutboundPurpose,
  ): Promise<SentMessageIds> {
    const ids: SentMessageIds = messages.map(() => undefined);
    if (messages.length === 0) return ids;
    // Messages a process that died had taken to send again are due once their lease ends: look.
    if (!this.#lookedForResends) {
      this.#lookedForResends = true;
      this.#resendAt(Date.now());
    }
    // The first reply's turn is asked for while the progress is read: one trip to the store, not two.
    let turn: Promise<void> | undefined = waitForTurn(this.#pacer);
    const resumed = inReplyTo ? await this.#progress.resume(phone, inReplyTo) : { delivered: 0, started: 0 };
    // This call of `send`, as the record knows it: a process whose turn was taken over stops at its next reply.
    const sender = randomUUID();
    if (resumed.delivered > 0 || resumed.started > 0) {
      log.info(
        { event: 'whatsapp.send_resumed', inReplyTo, alreadySent: resumed.delivered, started: resumed.started },
        'turn resumed after replies already sent',
      );
    }
    for (const [index, message] of messages.entries()) {
      if (index < resumed.delivered) continue;
      const tag: MessageTag = {
        o: inReplyTo ? outboxId(inReplyTo, index) : `cita:${randomUUID()}`,
        c: phone,
        p: about?.purpose ?? (inReplyTo ? 'reply' : 'reminder'),
        ...(about?.bookingId ? { b: about.bookingId } : {}),
        ...(about?.staffPhone ? { s: about.staffPhone } : {}),
      };
      const last = index + 1 === messages.length;
      // Built only for a line that is written: the phone's reference is a keyed hash.
      const context = () => ({
        event: 'whatsapp.send',
        phoneRef: phoneRef(phone),
        inReplyTo,
        index,
        kind: message.kind,
      });

      // A process before this one sent this reply and never heard back: WhatsApp may have it.
      let takeOver = false;
      if (inReplyTo && index === resumed.delivered && resumed.started > index) {
        const wamid = await this.#awaitConfirmation(phone, tag.o);
        if (wamid) {
          log.info(
            { ...context(), messageId: wamid },
            'reply already taken by WhatsApp (its status came); not sent again',
          );
          ids[index] = wamid;
          await this.#recordProgress(phone, inReplyTo, index + 1);
          continue;
        }
        takeOver = true;
      }
      // A file goes up first; the message names it by the media id Meta gives (it lives 30 days,
      // so a message kept for a resend may name it again).
      const file = fileOf(message);
      const uploaded = file ? await this.#upload(file) : undefined;
      const body =
        uploaded && !uploaded.ok
          ? undefined
          : {
              ...cloudApiMessage(phone, OutboundMessage.parse(message), uploaded?.mediaId),
              biz_opaque_callback_data: callbackData(tag),
            };
      // Kept as sent, with the intent where there is one (one step): WhatsApp may take it and
      // fail it later for throughput.
      const keeping = body && { outboxId: tag.o, body: JSON.stringify(body) };
      const kept = keeping && !inReplyTo ? this.#keep(phone, keeping) : undefined;
      // The intent is written before the send: a send nobody recorded is never repeated blindly,
      // and a process whose turn another took over (its lease ran out while it was cut off) stops.
      if (inReplyTo && !(await this.#progress.start(phone, inReplyTo, index + 1, sender, takeOver, keeping))) {
        throw new TurnTakenOver(`another process took over the replies to ${inReplyTo} at reply ${index + 1}`);
      }
      let outcome: Outcome;
      if (!body) outcome = uploaded as Outcome & { ok: false };
      else {
        await kept;
        outcome = await this.#postWithRetries(body, phone, tag.o, turn);
        turn = undefined;
      }
      if (outcome.ok) {
        this.#tokenTaken();
        // The next reply's turn is asked for while this one's delivery is recorded (with the id
        // WhatsApp gave it, so an echo of it is known as cita's own). The last reply's record is
        // not waited for: it goes out ahead of the acknowledgement, in the same write, and a
        // record that fails is only logged anyway.
        if (!last) turn = waitForTurn(this.#pacer);
        const sentId = outcome.wamid ?? SentMessage.safeParse(outcome.body).data?.messages[0]?.id;
        ids[index] = sentId;
        const recorded = inReplyTo ? this.#recordProgress(phone, inReplyTo, index + 1, sentId) : undefined;
        if (!inReplyTo && sentId !== undefined) this.#rememberSent(phone, sentId);
        if (!last) await recorded;
        if (log.isLevelEnabled('debug')) log.debug({ ...context(), messageId: ids[index] }, 'reply sent');
        continue;
      }
      // WhatsApp answered no: nothing of this reply is in doubt for the next try.
      if (inReplyTo && !outcome.fateUnknown) await this.#unstart(phone, inReplyTo, index, sender);
      if (isWorthRetrying(outcome.kind)) {
        throw new WhatsAppUnavailable(
          `WhatsApp did not take reply ${index + 1} of ${messages.length} after ${this.#attempts} tries: ${outcome.error}`,
        );
      }
      // A calendar file is an extra to what the customer was told: its refusal is not a customer
      // left unreached, and the rest of the turn still makes sense without it.
      if (message.kind === 'document' && outcome.kind !== 'tokenExpired') {
        log.warn(
          { ...context(), status: outcome.status, errorCode: outcome.code, error: outcome.error },
          'document refused by WhatsApp; left out, the rest goes on',
        );
        if (inReplyTo) await this.#recordProgress(phone, inReplyTo, index + 1);
        continue;
      }
      // Meta refused the message itself: sending it again cannot help, and the rest of the turn
      // would make no sense without it.
      // The first refusal is when the answers stopped going; it is kept until one goes through.
      if (outcome.kind === 'tokenExpired') {
        this.#tokenRefusedAt ??= new Date();
        this.#tokenTakenTold = false;
      }
      const needsPhone = outcome.code === USER_ID_NOT_SUPPORTED;
      if (needsPhone) this.#onNeedsPhone(message.kind);
      const template = message.kind === 'template' ? message.name : undefined;
      log.error(
        {
          ...context(),
          status: outcome.status,
          errorCode: outcome.code,
          errorKind: outcome.kind,
          details: outcome.details,
          template,
          error: outcome.error,
        },
        needsPhone
          ? `reply refused: a ${message.kind} cannot be sent to a customer known only by a WhatsApp user id`
          : REFUSAL_LINES[outcome.kind],
      );
      this.#report({ kind: outcome.kind, code: outcome.code, details: outcome.details, template, tag, later: false });
      // A message cita sent on its own (a reminder) can be sent again as a template; say so.
      if (inReplyTo === undefined && outcome.kind === 'outsideWindow')
        throw new OutsideCustomerWindow(`window closed for ${phoneRef(phone)}`);
      if (inReplyTo === undefined && outcome.kind === 'unreachable')
        throw new CustomerUnreachable(`WhatsApp cannot reach ${phoneRef(phone)} (code ${outcome.code})`);
      return ids;
    }
    return ids;
  }

  /**
   * Uploads a document (`POST /{phone-number-id}/media`) and answers its media id. Passing failures
   * are tried again as a message's are; an upload whose answer was lost is simply made again (the
   * unused copy expires at Meta), so no status is waited for.
   */
  async #upload(document: {
    filename: string;
    mimeType: string;
    content: string;
  }): Promise<(Outcome & { ok: false }) | { ok: true; mediaId: string }> {
    let outcome: Outcome = { ok: false, kind: 'transient', error: 'not tried' };
    for (let attempt = 1; attempt <= this.#attempts; attempt++) {
      await waitForTurn(this.#pacer);
      outcome = await this.#post(cloudApiUpload(document), this.#mediaUrl);
      if (outcome.ok) {
        const media = UploadedMedia.safeParse(outcome.body);
        if (media.success) return { ok: true, mediaId: media.data.id };
        return {
          ok: false,
          kind: 'refused',
          error: `upload answered without a media id: ${JSON.stringify(outcome.body)}`,
        };
      }
      if (!isWorthRetrying(outcome.kind) || attempt === this.#attempts) break;
      const delay = this.#backoff(attempt);
      if (outcome.kind === 'throughput') await this.#slowDown();
      log.warn(
        { event: 'whatsapp.upload_retry', attempt, delayMs: delay, status: outcome.status, errorCode: outcome.code },
        'WhatsApp busy or unreachable; uploading again',
      );
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
    // A lost answer to an upload proves nothing was sent to the customer: no status to wait for.
    return { ...(outcome as Outcome & { ok: false }), fateUnknown: false };
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

  /**
   * Posts with retries, each try in its turn of the pacing; `turn` is the first try's, when already
   * asked for. Throughput refusals (130429, 131056) are waited out however long they last: a reply is
   * late, never dropped, and the customer's next replies wait behind it. Other passing failures get
   * `attempts` tries. A try whose answer never came may have reached WhatsApp: the status of the
   * outbox id `id` decides; without one (a resend) it is tried again, at the risk of a double.
   */
  async #postWithRetries(body: unknown, phone: string, id: string | undefined, turn?: Promise<void>): Promise<Outcome> {
    let outcome: Outcome = { ok: false, kind: 'transient', error: 'not tried' };
    let pairWait = this.#pairBackoffMs;
    for (let attempt = 1, throttled = 0; attempt <= this.#attempts; ) {
      await (attempt === 1 && throttled === 0 && turn ? turn : waitForTurn(this.#pacer));
      outcome = await this.#post(body);
      if (!outcome.ok && outcome.fateUnknown && id !== undefined) {
        const wamid = await this.#awaitConfirmation(phone, id);
        if (wamid) return { ok: true, body: undefined, wamid };
      }
      if (outcome.ok || !isWorthRetrying(outcome.kind)) return outcome;
      let delay: number;
      if (outcome.kind === 'throughput') {
        await this.#slowDown();
        throttled += 1;
        delay = this.#backoff(Math.min(throttled, 5));
      } else if (outcome.kind === 'pairLimit') {
        // Only this customer is sent to too fast: wait for them alone, the number goes on.
        this.#onThrottled();
        throttled += 1;
        delay = pairWait;
        pairWait = Math.min(pairWait * 2, 60_000);
      } else {
        if (attempt === this.#attempts) return outcome;
        delay = this.#backoff(attempt);
        attempt += 1;
      }
      log.warn(
        {
          event: 'whatsapp.send_retry',
          attempt,
          throttled,
          delayMs: delay,
          status: outcome.status,
          errorCode: outcome.code,
        },
        'WhatsApp busy or unreachable; retrying',
      );
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
    return outcome;
  }

  /**
   * The wamid of a message whose fate is unknown, once its status webhook says WhatsApp has it;
   * undefined when none came within `unknownFateWaitMs` (it was never taken: send it again).
   */
  async #awaitConfirmation(phone: string, id: string): Promise<string | undefined> {
    const deadline = Date.now() + this.#unknownFateWaitMs;
    for (;;) {
      try {
        const wamid = await this.#progress.confirmation(phone, id);
        if (wamid) return wamid;
      } catch (error) {
        log.warn({ event: 'whatsapp.confirmation_unreadable', error: String(error) }, 'could not read statuses');
      }
      if (Date.now() >= deadline) {
        log.warn(
          { event: 'whatsapp.fate_unknown_resend', waitedMs: this.#unknownFateWaitMs },
          'no status came; sending again',
        );
        return undefined;
      }
      await new Promise((resolve) => setTimeout(resolve, this.#statusPollMs));
    }
  }

  /** Best effort: a start left behind only costs the next try a wait for a status that never comes. */
  async #unstart(phone: string, inReplyTo: string, count: number, sender: string): Promise<void> {
    try {
      await this.#progress.unstart(phone, inReplyTo, count, sender);
    } catch (error) {
      log.warn({ event: 'whatsapp.progress_unrecorded', error: String(error) }, 'could not record delivery progress');
    }
  }

  /** A message that cannot be kept can still be sent; it only cannot be sent again after a later failure. */
  async #keep(phone: string, { outboxId, body }: { outboxId: string; body: string }): Promise<void> {
    try {
      await this.#progress.keep(phone, outboxId, body);
    } catch (error) {
      log.warn({ event: 'whatsapp.keep_failed', error: String(error) }, 'could not keep a message to send again');
    }
  }

  /** Noted without waiting: an echo of this message is then known as cita's own, not the shop's. */
  #rememberSent(phone: string, messageId: string): void {
    this.#progress.rememberSent(phone, [messageId]).catch((error) => {
      log.warn({ event: 'whatsapp.sent_unrecorded', error: String(error) }, 'could not record a sent message id');
    });
  }

  /** A record that cannot be written must not fail the turn: that would resend what was just delivered. */
  async #recordProgress(phone: string, inReplyTo: string, count: number, sentId?: string): Promise<void> {
    try {
      await this.#progress.record(phone, inReplyTo, count, sentId);
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
  async #post(body: unknown, url = this.#url): Promise<Outcome> {
    let status: number;
    let text: string;
    try {
      // A form (an upload) sets its own multipart content type and boundary.
      const form = body instanceof FormData;
      const response = await request(url, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${this.#accessToken}`,
          ...(form ? {} : { 'content-type': 'application/json' }),
        },
        body: form ? body : JSON.stringify(body),
        signal: AbortSignal.timeout(this.#requestTimeoutMs),
      });
      status = response.statusCode;
      text = await response.body.text();
    } catch (error) {
      const code = (error as { code?: string }).code;
      const fateUnknown = !(code !== undefined && NEVER_SENT.has(code));
      return { ok: false, kind: 'transient', error: `network error: ${String(error)}`, fateUnknown };
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
    return { ok: false, kind: sendFailureKind(code, status), status, error, code, details };
  }
}

/**
 * The readiness check of the WhatsApp token: failing while WhatsApp refuses it (190), since no
 * reply can be sent until it is replaced; messages are still accepted and wait.
 */
export function tokenReadiness(messenger: WhatsAppMessenger) {
  return {
    name: 'whatsapp_token',
    async check(): Promise<void> {
      const since = messenger.tokenRefusedAt;
      if (since) {
        throw new Error(
          `WhatsApp refused the access token (code 190) at ${since.toISOString()}: replies cannot be sent; replace WHATSAPP_ACCESS_TOKEN and restart`,
        );
      }
    },
  };
}
