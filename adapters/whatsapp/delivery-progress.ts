/**
 * How far the replies of one turn got, and what WhatsApp said of each message cita sent. When
 * sending fails mid-turn and the worker tries the turn again (in this process or another), the
 * messenger resumes after the last reply WhatsApp took instead of sending the first ones twice.
 * A turn is named by the customer's message it answers; a message sent, by its outbox id (see
 * `outboxId`), which travels to WhatsApp and back in `biz_opaque_callback_data`.
 */
export interface DeliveryProgress {
  /**
   * How many replies of the turn answering `inReplyTo` WhatsApp took (`delivered`), and how many
   * were started (`started`): a reply started and not recorded was sent by a process that never
   * heard the answer, and its fate is unknown until its status webhook comes.
   */
  resume(phone: string, inReplyTo: string): Promise<{ delivered: number; started: number }>;
  /**
   * Reply number `count` (1-based) of that turn is about to be sent by `sender` (one call of the
   * messenger). False when someone else started that reply or a later one since: another process
   * took the turn over (this one's lease ran out while it was cut off), and this one must stop.
   * `takeOver`: the reply was started by someone else and its status never came; send it anyway.
   */
  start(phone: string, inReplyTo: string, count: number, sender: string, takeOver?: boolean): Promise<boolean>;
  /** WhatsApp refused `sender`'s reply number `count + 1` outright: nothing of it is in doubt. */
  unstart(phone: string, inReplyTo: string, count: number, sender: string): Promise<void>;
  /** Reply number `count` (1-based) of that turn was taken by WhatsApp. */
  record(phone: string, inReplyTo: string, count: number): Promise<void>;
  /** A status webhook said WhatsApp has the message `outboxId`, under the id `wamid`. */
  confirm(phone: string, outboxId: string, wamid: string): Promise<void>;
  /** The wamid WhatsApp gave the message `outboxId`, once a status told it; undefined before. */
  confirmation(phone: string, outboxId: string): Promise<string | undefined>;
  /** WhatsApp took these messages from cita (their wamids): an echo of one of them is cita's own, not the shop's. */
  rememberSent(phone: string, messageIds: string[]): Promise<void>;
  /** Whether cita sent the message with this wamid to the customer (in the last PROGRESS_TTL_MS). */
  sentByCita(phone: string, messageId: string): Promise<boolean>;
}

/** The outbox id of reply number `index` (0-based) of the turn answering `inReplyTo`. */
export function outboxId(inReplyTo: string, index: number): string {
  return `${inReplyTo}#${index}`;
}

/** Turns and confirmations remembered by the embedded record; the oldest are forgotten first. */
export const REMEMBERED_TURNS = 10_000;

/** The embedded record, for a single process without Redis. */
export class MemoryDeliveryProgress implements DeliveryProgress {
  readonly #turns = new Map<string, { delivered: number; started: number; by?: string }>();
  readonly #confirmed = new Map<string, string>();
  readonly #ids = new Set<string>();

  async resume(_phone: string, inReplyTo: string) {
    const { delivered = 0, started = 0 } = this.#turns.get(inReplyTo) ?? {};
    return { delivered, started };
  }

  async start(_phone: string, inReplyTo: string, count: number, sender: string, takeOver = false) {
    const turn = this.#turns.get(inReplyTo) ?? { delivered: 0, started: 0 };
    if (!mayStart(turn, count, sender, takeOver)) return false;
    remember(this.#turns, inReplyTo, { ...turn, started: count, by: sender });
    return true;
  }

  async unstart(_phone: string, inReplyTo: string, count: number, sender: string): Promise<void> {
    const turn = this.#turns.get(inReplyTo);
    if (turn?.by === sender && turn.started === count + 1)
      remember(this.#turns, inReplyTo, { ...turn, started: count });
  }

  async record(_phone: string, inReplyTo: string, count: number): Promise<void> {
    const turn = this.#turns.get(inReplyTo) ?? { delivered: 0, started: 0 };
    remember(this.#turns, inReplyTo, { ...turn, delivered: count, started: Math.max(turn.started, count) });
  }

  async confirm(_phone: string, id: string, wamid: string): Promise<void> {
    remember(this.#confirmed, id, wamid);
  }

  async confirmation(_phone: string, id: string): Promise<string | undefined> {
    return this.#confirmed.get(id);
  }

  async rememberSent(_phone: string, messageIds: string[]): Promise<void> {
    for (const id of messageIds) this.#ids.add(id);
    while (this.#ids.size > REMEMBERED_TURNS) this.#ids.delete(this.#ids.values().next().value!);
  }

  async sentByCita(_phone: string, messageId: string): Promise<boolean> {
    return this.#ids.has(messageId);
  }
}

/** The rule every store applies in one step: see `DeliveryProgress.start`. */
export function mayStart(
  turn: { started: number; by?: string | null },
  count: number,
  sender: string,
  takeOver: boolean,
): boolean {
  return turn.started < count || (turn.started === count && (turn.by === sender || takeOver));
}

function remember<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > REMEMBERED_TURNS) map.delete(map.keys().next().value!);
}
