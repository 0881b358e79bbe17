import { EventEmitter, once } from 'node:events';
import type { InboundMessage, Inbox } from '../../src/engine/ports.ts';

/** Message ids remembered for deduplication; the oldest are forgotten first. */
export const REMEMBERED_MESSAGE_IDS = 100_000;

/**
 * The embedded inbox: per-phone queues in this process. Messages of one phone are handed out one
 * at a time and in order; different phones in parallel.
 */
export class MemoryInbox implements Inbox {
  readonly #queues = new Map<string, InboundMessage[]>();
  readonly #claimed = new Set<string>();
  readonly #seen = new Set<string>();
  readonly #signal = new EventEmitter();
  #closed = false;

  async accept(message: InboundMessage): Promise<'accepted' | 'duplicate'> {
    if (this.#seen.has(message.id)) return 'duplicate';
    this.#seen.add(message.id);
    if (this.#seen.size > REMEMBERED_MESSAGE_IDS) this.#seen.delete(this.#seen.values().next().value!);
    const queue = this.#queues.get(message.phone) ?? [];
    queue.push(message);
    this.#queues.set(message.phone, queue);
    this.#signal.emit('work');
    return 'accepted';
  }

  async claim(): Promise<InboundMessage | undefined> {
    for (const [phone, queue] of this.#queues) {
      if (this.#claimed.has(phone)) continue;
      this.#claimed.add(phone);
      return queue[0];
    }
    return undefined;
  }

  async ack(message: InboundMessage): Promise<void> {
    const queue = this.#queues.get(message.phone) ?? [];
    if (queue[0]?.id === message.id) queue.shift();
    if (queue.length === 0) this.#queues.delete(message.phone);
    this.#claimed.delete(message.phone);
    this.#signal.emit('work');
  }

  async retry(message: InboundMessage): Promise<void> {
    this.#claimed.delete(message.phone);
    this.#signal.emit('work');
  }

  async waitForWork(ms: number): Promise<void> {
    // Work that arrived between the last empty claim and now would otherwise wait out the timeout.
    if (this.#closed || [...this.#queues.keys()].some((phone) => !this.#claimed.has(phone))) return;
    // The listener goes away with the timeout, so idle waits do not pile listeners up.
    await once(this.#signal, 'work', { signal: AbortSignal.timeout(ms) }).catch(() => {});
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#signal.emit('work');
  }

  async depth(): Promise<number> {
    let waiting = 0;
    for (const queue of this.#queues.values()) waiting += queue.length;
    return waiting;
  }
}
