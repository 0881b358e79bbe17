/**
 * How far the replies of one turn got. When sending fails mid-turn and the worker tries the turn
 * again, the messenger resumes after the last reply WhatsApp took instead of sending the first
 * ones twice. A turn is named by the customer's message it answers.
 */
export interface DeliveryProgress {
  /** How many replies of the turn answering `inReplyTo` were delivered (0 when none). */
  delivered(phone: string, inReplyTo: string): Promise<number>;
  /** Reply number `count` (1-based) of that turn was delivered. */
  record(phone: string, inReplyTo: string, count: number): Promise<void>;
  /** WhatsApp took these messages from cita (their wamids): an echo of one of them is cita's own, not the shop's. */
  rememberSent(phone: string, messageIds: string[]): Promise<void>;
  /** Whether cita sent the message with this wamid to the customer (in the last PROGRESS_TTL_MS). */
  sentByCita(phone: string, messageId: string): Promise<boolean>;
}

/** Turns remembered by the embedded record; the oldest are forgotten first. */
export const REMEMBERED_TURNS = 10_000;

/** The embedded record, for a single process without Redis. */
export class MemoryDeliveryProgress implements DeliveryProgress {
  readonly #sent = new Map<string, number>();
  readonly #ids = new Set<string>();

  async delivered(_phone: string, inReplyTo: string): Promise<number> {
    return this.#sent.get(inReplyTo) ?? 0;
  }

  async record(_phone: string, inReplyTo: string, count: number): Promise<void> {
    this.#sent.delete(inReplyTo);
    this.#sent.set(inReplyTo, count);
    if (this.#sent.size > REMEMBERED_TURNS) this.#sent.delete(this.#sent.keys().next().value!);
  }

  async rememberSent(_phone: string, messageIds: string[]): Promise<void> {
    for (const id of messageIds) this.#ids.add(id);
    while (this.#ids.size > REMEMBERED_TURNS) this.#ids.delete(this.#ids.values().next().value!);
  }

  async sentByCita(_phone: string, messageId: string): Promise<boolean> {
    return this.#ids.has(messageId);
  }
}
