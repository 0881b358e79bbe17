import { z } from 'zod';
import { NoReplyInTime, type ReplyBus, TURN_TIMEOUT_MS } from '../../src/engine/ports.ts';
import { log } from '../../src/log.ts';
import { OutboundMessage } from '../../src/messages/whatsapp.ts';
import type { CitaDatabase } from './database.ts';
import { POLL_MS } from './inbox.ts';

/** Replies nobody collected (the waiting process went away) are deleted after this. */
const UNCLAIMED_REPLIES_MS = 60_000;

const StoredReplies = z.array(OutboundMessage);

/**
 * Replies to simulator and terminal-chat messages across processes on one database file: the
 * worker that handled a message may run in another process (`npm start`) than the one waiting for
 * it (`npm run chat`). Replies for a caller in this process are handed over directly; others are
 * stored, and the waiting process picks them up within POLL_MS.
 */
export class SqliteReplyBus implements ReplyBus {
  readonly #db: CitaDatabase;
  readonly #waiting = new Map<string, (replies: OutboundMessage[]) => void>();

  constructor(db: CitaDatabase) {
    this.#db = db;
  }

  async deliver(messageId: string, replies: OutboundMessage[]): Promise<void> {
    const waiter = this.#waiting.get(messageId);
    if (waiter) return waiter(replies);
    await this.#db.write(
      'INSERT OR REPLACE INTO simulator_replies (message_id, body, expires_at) VALUES (?, ?, ?)',
      messageId,
      JSON.stringify(replies),
      Date.now() + UNCLAIMED_REPLIES_MS,
    );
  }

  repliesTo(messageId: string, timeoutMs = TURN_TIMEOUT_MS): Promise<OutboundMessage[]> {
    return new Promise((resolve, reject) => {
      const done = (outcome: () => void) => {
        clearTimeout(timer);
        clearInterval(poller);
        this.#waiting.delete(messageId);
        outcome();
      };
      const timer = setTimeout(() => done(() => reject(new NoReplyInTime(timeoutMs))), timeoutMs);
      const poller = setInterval(() => {
        const stored = this.#take(messageId);
        if (stored) done(() => resolve(stored));
      }, POLL_MS);
      this.#waiting.set(messageId, (replies) => done(() => resolve(replies)));
    });
  }

  /** Another process's replies to the message, taken out of the table. */
  #take(messageId: string): OutboundMessage[] | undefined {
    try {
      // A read first: polling must not take the write lock every few milliseconds while nothing came.
      if (!this.#db.get('SELECT 1 FROM simulator_replies WHERE message_id = ?', messageId)) return undefined;
      const row = this.#db.get<{ body: string }>(
        'DELETE FROM simulator_replies WHERE message_id = ? RETURNING body',
        messageId,
      );
      if (!row) return undefined;
      const parsed = StoredReplies.safeParse(JSON.parse(row.body));
      if (parsed.success) return parsed.data;
      log.warn({ event: 'replies.unreadable' }, 'unreadable simulator replies');
      return [];
    } catch (error) {
      log.warn({ event: 'replies.read_failed', error: String(error) }, 'could not read simulator replies; will retry');
      return undefined;
    }
  }
}
