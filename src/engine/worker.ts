import { log, withMessageContext } from '../log.ts';
import type { OutboundMessage } from '../messages/whatsapp.ts';
import type { CitaMetrics } from '../metrics/registry.ts';
import type { ConversationEngine } from './conversation.ts';
import type { InboundMessage, Inbox, Messenger, SentMessageIds } from './ports.ts';
import type { TranscriptRecorder } from './transcript.ts';

/** Tries per message before it is given up on (and logged) so one bad message cannot block its phone. */
/** How long a message handed back at shutdown stays this process's: time enough to exit. */
export const HAND_BACK_AFTER_MS = 3_000;

export const MAX_ATTEMPTS = 3;
/** How long stopping waits for the messages in hand before handing them back to the inbox. */
export const STOP_GRACE_MS = 10_000;
const IDLE_WAIT_MS = 1_000;
/** Phones handled at once by one process: each waits mostly on the network, and costs a few KB. */
export const DEFAULT_CONCURRENCY = 256;

/** What handles the messages of one shop: its engine (its config and stores) and its number. */
export interface ShopWork {
  engine: Pick<ConversationEngine, 'handle' | 'rememberQuestion'>;
  messenger: Messenger;
  /** Keeps what the customer wrote in their transcript (the messenger keeps what cita sent). */
  transcript?: Pick<TranscriptRecorder, 'heard' | 'settled'>;
  /** The one polite "slow down" reply, in the customer's language (see `rateLimit`). */
  slowDown?(message: InboundMessage): Promise<OutboundMessage[]>;
}

export interface WorkerOptions {
  inbox: Inbox;
  /** The one shop's engine and messenger, when `shops` is not given. */
  engine?: ConversationEngine;
  messenger?: Messenger;
  /**
   * The shop a message was written to, by its id; undefined for a shop no longer served (its file
   * was removed): its messages are dropped and counted, never answered from another shop's number.
   */
  shops?: (shop: string) => ShopWork | undefined;
  /** How many phones are handled at the same time. */
  concurrency?: number;
  /**
   * For messages that arrived over their phone's limit (marked `overLimit` by the inbox, see
   * `rateCountedAtArrival`): a burst is answered once and then dropped, costing no LLM or Calendar call.
   */
  rateLimit?: {
    /** The one polite "slow down" reply, in the customer's language. */
    slowDown(message: InboundMessage): Promise<OutboundMessage[]>;
  };
  metrics?: CitaMetrics;
}

/**
 * The worker loop: claim the next message of a phone nobody is handling, handle it, send the
 * replies in order, acknowledge. Messages of one phone are handled one at a time, in order.
 * Everything one message causes is logged with its correlation id (see `withMessageContext`).
 *
 * @example
 * const workers = startWorkers({ inbox, engine, messenger, concurrency: 256 });
 * await workers.stop();
 */
export function startWorkers({
  inbox,
  engine,
  messenger,
  shops,
  concurrency = DEFAULT_CONCURRENCY,
  rateLimit,
  metrics,
}: WorkerOptions) {
  let running = true;
  const attempts = new Map<string, number>();
  /** Messages claimed and not yet acknowledged or handed back. */
  const inHand = new Map<string, InboundMessage>();

  async function handleOne(message: InboundMessage): Promise<void> {
    let transcript: ShopWork['transcript'];
    try {
      const verdict = message.overLimit ?? 'allowed';
      if (verdict !== 'allowed') {
        metrics?.rateLimited.inc({ verdict: verdict === 'slowDown' ? 'slow_down' : 'dropped' });
        log.info({ event: 'message.rate_limited', verdict });
      }
      const shop = shops ? shops(message.shop) : { engine: engine!, messenger: messenger!, ...rateLimit };
      if (!shop) {
        metrics?.inboundDropped.inc({ reason: 'unknown_shop' });
        log.warn({ event: 'message.shop_unknown', shop: message.shop }, 'message for a shop no longer served; dropped');
        await finish(message, 'ack');
        return;
      }
      // Blue ticks and "typing…" while the message is read, once per message (not on retries), as
      // soon as the engine knows a reply will follow: not for a customer a person has, not for a
      // reaction (most get no answer), and not for an echo of the shop's own message (not the
      // customer's). Sent while the message is handled, and done before the replies, so "typing…"
      // never outlives the answer.
      let read: Promise<void> | undefined;
      const replyComing =
        verdict === 'allowed' &&
        !attempts.has(message.id) &&
        message.content.kind !== 'reaction' &&
        message.content.kind !== 'staffWrote'
          ? () => {
              read ??= markRead(shop.messenger, message.id);
            }
          : undefined;
      // What the customer wrote, before its answer; a dropped one is part of no conversation.
      transcript = shop.transcript;
      if (verdict !== 'dropped') await transcript?.heard(message);
      // A dropped message answers nothing; sending the empty turn still ends the simulator's wait.
      const replies = await Promise.resolve(
        verdict === 'allowed'
          ? shop.engine.handle(message, { replyComing })
          : verdict === 'slowDown' && shop.slowDown
            ? shop.slowDown(message)
            : [],
      ).finally(() => read);
      const sent = await shop.messenger.send(message.phone, replies, message.id);
      metrics?.shopMessages.inc({ shop: message.shop });
      if (sent && verdict === 'allowed') await rememberQuestion(shop, message, replies, sent);
      if (message.acceptedAt && replies.length > 0) {
        metrics?.replyLatency.observe((Date.now() - Date.parse(message.acceptedAt)) / 1000);
      }
      log.debug({ event: 'message.replied', replies: replies.length }, 'replies sent');
      attempts.delete(message.id);
      await finish(message, 'ack');
    } catch (error) {
      const attempt = (attempts.get(message.id) ?? 0) + 1;
      const context = { attempt, error: String(error) };
      if (attempt >= MAX_ATTEMPTS) {
        metrics?.messagesAbandoned.inc();
        // Its replies never went out: what the customer wrote is kept all the same.
        await transcript?.settled(message.id);
        log.error({ event: 'message.abandoned', ...context }, 'message failed too often; skipped');
        attempts.delete(message.id);
        await finish(message, 'ack');
      } else {
        log.warn({ event: 'message.retry', ...context }, 'message failed; will retry');
        attempts.set(message.id, attempt);
        await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
        await finish(message, 'retry');
      }
    }
  }

  /** The replies went out: failing to note which one was the question must not send them again. */
  async function rememberQuestion(
    { engine }: ShopWork,
    message: InboundMessage,
    replies: OutboundMessage[],
    sent: SentMessageIds,
  ) {
    try {
      await engine.rememberQuestion(message, replies, sent);
    } catch (error) {
      log.warn({ event: 'question.unrecorded', error: String(error) }, 'could not record the question sent');
    }
  }

  async function markRead(messenger: Messenger, messageId: string): Promise<void> {
    try {
      await messenger.markRead?.(messageId);
    } catch (error) {
      log.warn({ event: 'message.mark_read_failed', error: String(error) }, 'could not mark the message read');
    }
  }

  /** Acknowledges or hands back, unless stopping already handed the message back. */
  async function finish(message: InboundMessage, how: 'ack' | 'retry'): Promise<void> {
    if (!inHand.delete(message.id)) return;
    await (how === 'ack' ? inbox.ack(message) : inbox.retry(message));
  }

  /** Resolves the claim loop's wait when a phone is freed (a message finished). */
  let wake: (() => void) | undefined;
  const handling = new Set<Promise<void>>();

  /** Starts a message without waiting for it: phones are independent, a phone's own order is the inbox's lease. */
  function start(message: InboundMessage): void {
    inHand.set(message.id, message);
    const task = withMessageContext(message, () => handleOne(message)).finally(() => {
      handling.delete(task);
      wake?.();
    });
    handling.add(task);
  }

  /** Until the inbox has work or a message in hand finishes, whichever is first. */
  async function idle(waitForInbox: boolean): Promise<void> {
    const freed = new Promise<void>((resolve) => {
      wake = resolve;
    });
    await (waitForInbox ? Promise.race([freed, inbox.waitForWork(IDLE_WAIT_MS)]) : freed);
    wake = undefined;
  }

  /**
   * One loop claims for the whole process and keeps up to `concurrency` phones in hand: a message
   * mostly waits (on WhatsApp, the calendar, the LLM), so how many are in flight, not how many
   * loops there are, sets the throughput.
   */
  async function claimLoop(): Promise<void> {
    while (running) {
      try {
        if (handling.size >= concurrency) {
          await idle(false);
          continue;
        }
        const message = await inbox.claim();
        if (!message) {
          await idle(true);
          continue;
        }
        start(message);
        // An embedded store answers synchronously: without a turn of the event loop between
        // claims, the webhook's requests would wait behind every message in hand (benchmarked:
        // a 15 s p99 with SQLite).
        await new Promise((resolve) => setImmediate(resolve));
      } catch (error) {
        // The inbox itself failed (Redis unreachable): keep the loop alive and try again shortly.
        log.error({ event: 'inbox.unavailable', error: String(error) }, 'inbox failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, IDLE_WAIT_MS));
      }
    }
    while (handling.size > 0) await Promise.all(handling);
  }

  const loops = claimLoop();
  return {
    /** Messages claimed and not yet finished. */
    get inFlight(): number {
      return inHand.size;
    },
    /**
     * Stops claiming new messages and waits up to `graceMs` for the ones in hand. Those still
     * unfinished then are handed back to the inbox, their leases cut to HAND_BACK_AFTER_MS: long
     * enough for this process to exit before another takes them, so a send still under way here
     * cannot cross the next process's.
     */
    async stop({ graceMs = STOP_GRACE_MS }: { graceMs?: number } = {}): Promise<void> {
      running = false;
      await inbox.close();
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<'late'>((resolve) => {
        timer = setTimeout(() => resolve('late'), graceMs);
      });
      wake?.();
      const outcome = await Promise.race([loops.then(() => 'done' as const), deadline]);
      clearTimeout(timer);
      if (outcome === 'done') return;
      const late = [...inHand.values()];
      inHand.clear();
      log.warn({ event: 'worker.handed_back', messages: late.length }, 'messages unfinished at shutdown handed back');
      await Promise.all(late.map((message) => inbox.retry(message, { afterMs: HAND_BACK_AFTER_MS })));
    },
  };
}
