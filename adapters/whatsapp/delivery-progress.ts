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
   * `kept`: the reply as it is about to go, kept as `keep` would, in the same step (started or not).
   */
  start(
    phone: string,
    inReplyTo: string,
    count: number,
    sender: string,
    takeOver?: boolean,
    kept?: { outboxId: string; body: string },
  ): Promise<boolean>;
  /** WhatsApp refused `sender`'s reply number `count + 1` outright: nothing of it is in doubt. */
  unstart(phone: string, inReplyTo: string, count: number, sender: string): Promise<void>;
  /**
   * Reply number `count` (1-based) of that turn was taken by WhatsApp; `sentId`, the id WhatsApp
   * gave it, is remembered as `rememberSent` would, in the same step.
   */
  record(phone: string, inReplyTo: string, count: number, sentId?: string): Promise<void>;
  /** A status webhook said WhatsApp has the message `outboxId`, under the id `wamid`. */
  confirm(phone: string, outboxId: string, wamid: string): Promise<void>;
  /** The wamid WhatsApp gave the message `outboxId`, once a status told it; undefined before. */
  confirmation(phone: string, outboxId: string): Promise<string | undefined>;
  /** WhatsApp took these messages from cita (their wamids): an echo of one of them is cita's own, not the shop's. */
  rememberSent(phone: string, messageIds: string[]): Promise<void>;
  /** Whether cita sent the message with this wamid to the customer (in the last PROGRESS_TTL_MS). */
  sentByCita(phone: string, messageId: string): Promise<boolean>;
  /**
   * Keeps the message `outboxId` as sent to the Graph API (`body`, JSON) for KEPT_MS, in the order
   * kept: WhatsApp may take it and fail it later for throughput (130429, 131056), and then it is
   * sent again as it was.
   */
  keep(phone: string, outboxId: string, body: string): Promise<void>;
  /**
   * The kept message `outboxId` is to be sent again from `notBefore` (ms since the epoch), and is
   * kept KEPT_MS more. False when it is no longer kept (it expired): it cannot be sent again.
   */
  queueResend(phone: string, outboxId: string, notBefore: number): Promise<boolean>;
  /**
   * The kept messages due again at `now`, up to `limit`, each customer's in the order they were
   * first sent. Each is taken for RESEND_LEASE_MS: `resent` ends that; a process that dies first
   * leaves it due again afterwards, for any process.
   */
  takeResends(now: number, limit?: number): Promise<KeptMessage[]>;
  /**
   * The kept message taken under `lease` went out again (or is given up): it is no longer due,
   * unless it was queued again since (WhatsApp failed it again before its answer came back).
   */
  resent(phone: string, outboxId: string, lease: number): Promise<void>;
}

/** A message kept to be sent again, as `takeResends` gives it. */
export interface KeptMessage {
  phone: string;
  outboxId: string;
  /** The Graph API request body, JSON, as it was first sent. */
  body: string;
  /** When it is due again if nobody says it went (`resent`): names this taking of it. */
  lease: number;
}

/**
 * How long a message cita sent is kept to be sent again: Meta's `failed` status for throughput
 * comes within seconds or minutes of the send. Each time it is queued again it is kept this long
 * more. What is kept is bounded by this times the number's cap: at Meta's 80 messages a second,
 * 72,000 messages of a few hundred bytes to 4 KB.
 */
export const KEPT_MS = 15 * 60_000;
/** A message taken to be sent again is due again after this if nobody said it went: its process died. */
export const RESEND_LEASE_MS = 60_000;
/** Resends taken at once; the rest come in the next round. */
export const RESENDS_PER_ROUND = 100;

/** The order of kept messages: increasing within a process, and across processes as their clocks agree. */
let lastSeq = 0;
export function keptSeq(): number {
  lastSeq = Math.max(lastSeq + 1, Date.now() * 1000);
  return lastSeq;
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
  readonly #kept = new Map<string, Omit<KeptMessage, 'lease'> & { seq: number; due?: number }>();

  async resume(_phone: string, inReplyTo: string) {
    const { delivered = 0, started = 0 } = this.#turns.get(inReplyTo) ?? {};
    return { delivered, started };
  }

  async start(
    phone: string,
    inReplyTo: string,
    count: number,
    sender: string,
    takeOver = false,
    kept?: { outboxId: string; body: string },
  ) {
    if (kept) this.#keep(phone, kept.outboxId, kept.body);
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

  async record(_phone: string, inReplyTo: string, count: number, sentId?: string): Promise<void> {
    if (sentId !== undefined) this.#rememberSent([sentId]);
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
    this.#rememberSent(messageIds);
  }

  #rememberSent(messageIds: string[]) {
    for (const id of messageIds) this.#ids.add(id);
    while (this.#ids.size > REMEMBERED_TURNS) this.#ids.delete(this.#ids.values().next().value!);
  }

  async sentByCita(_phone: string, messageId: string): Promise<boolean> {
    return this.#ids.has(messageId);
  }

  async keep(phone: string, outboxId: string, body: string): Promise<void> {
    this.#keep(phone, outboxId, body);
  }

  #keep(phone: string, outboxId: string, body: string) {
    remember(this.#kept, outboxId, { phone, outboxId, body, seq: keptSeq() });
  }

  async queueResend(_phone: string, outboxId: string, notBefore: number): Promise<boolean> {
    const kept = this.#kept.get(outboxId);
    if (kept) kept.due = notBefore;
    return kept !== undefined;
  }

  async takeResends(now: number, limit = RESENDS_PER_ROUND): Promise<KeptMessage[]> {
    const due = [...this.#kept.values()]
      .filter((kept) => kept.due !== undefined && kept.due <= now)
      .sort((a, b) => a.phone.localeCompare(b.phone) || a.seq - b.seq)
      .slice(0, limit);
    const lease = now + RESEND_LEASE_MS;
    for (const kept of due) kept.due = lease;
    return due.map(({ phone, outboxId, body }) => ({ phone, outboxId, body, lease }));
  }

  async resent(_phone: string, outboxId: string, lease: number): Promise<void> {
    const kept = this.#kept.get(outboxId);
    if (kept?.due === lease) kept.due = undefined;
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
