import { log, phoneRef } from '../log.ts';
import type { OutboundMessage } from '../messages/whatsapp.ts';
import type { ConversationEngine } from './conversation.ts';
import type { InboundMessage, Inbox, Messenger, RateLimiter } from './ports.ts';

/** Tries per message before it is given up on (and logged) so one bad message cannot block its phone. */
export const MAX_ATTEMPTS = 3;
const IDLE_WAIT_MS = 1_000;

export interface WorkerOptions {
  inbox: Inbox;
  engine: ConversationEngine;
  messenger: Messenger;
  /** How many phones are handled at the same time. */
  concurrency?: number;
  /** Checked before a message is read: a burst is answered once and then dropped, costing no LLM or Calendar call. */
  rateLimit?: {
    limiter: RateLimiter;
    /** The one polite "slow down" reply, in the customer's language. */
    slowDown(message: InboundMessage): Promise<OutboundMessage[]>;
  };
}

/**
 * The worker loop: claim the next message of a phone nobody is handling, handle it, send the
 * replies in order, acknowledge. Messages of one phone are handled one at a time, in order.
 *
 * @example
 * const workers = startWorkers({ inbox, engine, messenger, concurrency: 4 });
 * await workers.stop();
 */
export function startWorkers({ inbox, engine, messenger, concurrency = 4, rateLimit }: WorkerOptions) {
  let running = true;
  const attempts = new Map<string, number>();

  async function handleOne(message: InboundMessage): Promise<void> {
    try {
      const verdict = rateLimit ? await rateLimit.limiter.check(message) : 'allowed';
      if (verdict === 'dropped') {
        log.info({ event: 'message.rate_limited', messageId: message.id, phoneRef: phoneRef(message.phone) });
      }
      // A dropped message answers nothing; sending the empty turn still ends the simulator's wait.
      const replies =
        verdict === 'allowed'
          ? await engine.handle(message)
          : verdict === 'slowDown' && rateLimit
            ? await rateLimit.slowDown(message)
            : [];
      await messenger.send(message.phone, replies, message.id);
      attempts.delete(message.id);
      await inbox.ack(message);
    } catch (error) {
      const attempt = (attempts.get(message.id) ?? 0) + 1;
      const context = { messageId: message.id, phoneRef: phoneRef(message.phone), attempt, error: String(error) };
      if (attempt >= MAX_ATTEMPTS) {
        log.error({ event: 'message.abandoned', ...context }, 'message failed too often; skipped');
        attempts.delete(message.id);
        await inbox.ack(message);
      } else {
        log.warn({ event: 'message.retry', ...context }, 'message failed; will retry');
        attempts.set(message.id, attempt);
        await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
        await inbox.retry(message);
      }
    }
  }

  async function loop(): Promise<void> {
    while (running) {
      try {
        const message = await inbox.claim();
        if (message) await handleOne(message);
        else await inbox.waitForWork(IDLE_WAIT_MS);
      } catch (error) {
        // The inbox itself failed (Redis unreachable): keep the loop alive and try again shortly.
        log.error({ event: 'inbox.unavailable', error: String(error) }, 'inbox failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, IDLE_WAIT_MS));
      }
    }
  }

  const loops = Array.from({ length: concurrency }, loop);
  return {
    /** Stops claiming new messages and waits for the ones in hand. */
    async stop(): Promise<void> {
      running = false;
      await inbox.close();
      await Promise.all(loops);
    },
  };
}
