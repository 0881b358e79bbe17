import { type Messenger, NoReplyInTime, type ReplyBus, TURN_TIMEOUT_MS } from '../../src/engine/ports.ts';

/** Replies nobody here waits for are kept this long (they may be for another process's caller). */
const UNCLAIMED_REPLIES_MS = 60_000;

import type { OutboundMessage } from '../../src/messages/whatsapp.ts';

/**
 * The embedded messenger: replies stay in this process for the simulator page, the simulator API
 * and `npm run chat`, which wait for the replies to the message they sent.
 */
export class SimulatorMessenger implements Messenger, ReplyBus {
  readonly #waiting = new Map<string, (messages: OutboundMessage[]) => void>();
  readonly #early = new Map<string, OutboundMessage[]>();
  readonly #unprompted = new Map<string, OutboundMessage[]>();

  async send(phone: string, messages: OutboundMessage[], inReplyTo?: string): Promise<void> {
    // Sent by cita on its own (a reminder): kept until the phone's next turn shows it.
    if (inReplyTo === undefined) {
      this.#unprompted.set(phone, [...(this.#unprompted.get(phone) ?? []), ...messages]);
      return;
    }
    const waiter = this.#waiting.get(inReplyTo);
    if (waiter) {
      this.#waiting.delete(inReplyTo);
      waiter(messages);
    } else {
      this.#early.set(inReplyTo, messages);
      setTimeout(() => this.#early.delete(inReplyTo), UNCLAIMED_REPLIES_MS).unref();
    }
  }

  deliver(messageId: string, replies: OutboundMessage[]): Promise<void> {
    return this.send('', replies, messageId);
  }

  /** Messages cita sent the phone on its own since this was last asked (reminders), oldest first. */
  takeUnprompted(phone: string): OutboundMessage[] {
    const messages = this.#unprompted.get(phone) ?? [];
    this.#unprompted.delete(phone);
    return messages;
  }

  /** Resolves with the replies to message `id`, or rejects after `timeoutMs`. */
  repliesTo(id: string, timeoutMs = TURN_TIMEOUT_MS): Promise<OutboundMessage[]> {
    const early = this.#early.get(id);
    if (early) {
      this.#early.delete(id);
      return Promise.resolve(early);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(id);
        reject(new NoReplyInTime(timeoutMs));
      }, timeoutMs);
      this.#waiting.set(id, (messages) => {
        clearTimeout(timer);
        resolve(messages);
      });
    });
  }
}
