import { type Dispatcher, request } from 'undici';
import type { CloudApiMessage } from '../../tests/support/fake-graph-api.ts';
import type { SentToCustomer } from './graph-api.ts';
import { type CustomerAction, signedHeaders, tappable, wamid, webhookBody } from './whatsapp.ts';

/** A customer who needs more turns than this is stuck: counted as failed. */
export const MAX_TURNS = 20;
/** A reply later than this is counted as lost. */
export const REPLY_TIMEOUT_MS = 20_000;

export interface TurnSample {
  /** ms from sending the webhook POST to its 200. */
  accepted: number;
  /** ms from sending the webhook POST to the Graph API receiving the turn's question (the interactive message). */
  replied: number;
}

export interface CustomerOutcome {
  phone: string;
  booked: boolean;
  turns: number;
  /** Why the customer gave up, when they did. */
  failure?: string;
}

/** How a crowd behaves beyond the defaults. */
export interface CrowdOptions {
  /**
   * How long a customer waits for a turn's reply before giving up (default REPLY_TIMEOUT_MS). With
   * thousands writing at once, a turn waits behind everyone else's (customers ÷ messages per second).
   */
  replyTimeoutMs?: number;
  /** The HTTP client of the webhook POSTs: a pool with few connections instead of one socket per customer. */
  dispatcher?: Dispatcher;
  /**
   * The day (YYYY-MM-DD) a customer wants, when the bot asks for one: tapped or typed when it is in
   * the list shown, typed otherwise. Spreads a crowd over the whole booking window instead of the
   * ten days listed (one shop with thousands of customers would fill those).
   */
  pickDay?: (random: () => number) => string;
  /**
   * How many times a webhook answered with a 5xx is delivered again, as Meta does, after 1 s, 2 s,
   * 4 s…; default none (the first 5xx fails the customer).
   */
  redeliveries?: number;
}

/** The first wait before a webhook is delivered again; each next one doubles. */
export const REDELIVERY_WAIT_MS = 1_000;

interface Waiter {
  resolve: (sent: SentToCustomer) => void;
}

/**
 * Customers on their phones: each sends a message to the webhook (round-robin over the servers, as
 * a load balancer would) and waits until cita's question for that turn reaches the Graph API,
 * then taps one of the options it offers, until the booking is confirmed. A turn ends at the
 * first interactive message (list or buttons) for the phone; texts before it (notes) are part of
 * the turn. Phones are unique, so the phone alone correlates a reply with its turn.
 */
export class CustomerCrowd {
  readonly samples: TurnSample[] = [];
  /** Messages to phones that had no turn open (reminders). */
  unprompted = 0;
  webhookErrors = 0;
  /** Webhooks delivered again after a 5xx (`redeliveries`). */
  redelivered = 0;
  readonly #waiting = new Map<string, Waiter>();
  readonly #servers: string[];
  #next = 0;

  readonly #numberOf: ((phone: string) => string) | undefined;
  readonly #options: CrowdOptions;

  /** `numberOf`: the shop's WhatsApp number each customer writes to (many shops); default the one shop's. */
  constructor(servers: string[], numberOf?: (phone: string) => string, options: CrowdOptions = {}) {
    this.#servers = servers;
    this.#numberOf = numberOf;
    this.#options = options;
  }

  /** Feed from the Graph API. */
  receive(sent: SentToCustomer): void {
    const waiter = this.#waiting.get(sent.phone);
    if (!waiter) {
      this.unprompted += 1;
      return;
    }
    if (sent.message.type !== 'interactive') return;
    this.#waiting.delete(sent.phone);
    waiter.resolve(sent);
  }

  /** Messages customers typed, and all they sent: at least half are typed, as on a real phone. */
  typed = 0;

  /**
   * One customer books: types hello, taps a service, picks a day and a time from those offered
   * (typing "el 9 de diciembre" / "a las 17:30" half of the time, tapping the row otherwise) and
   * types "sí".
   */
  async book(phone: string, language: 'es' | 'en', random: () => number): Promise<CustomerOutcome> {
    let action: CustomerAction = { kind: 'text', text: language === 'es' ? 'hola' : 'hi' };
    let confirming = false;
    for (let turn = 1; turn <= MAX_TURNS; turn++) {
      let reply: CloudApiMessage;
      try {
        reply = await this.#say(phone, action);
      } catch (error) {
        return { phone, booked: false, turns: turn, failure: String((error as Error).message) };
      }
      const options = tappable(reply);
      const ids = options.flatMap((option) => (option.kind === 'tap' ? [option.id] : []));
      if (confirming && ids.length === 1 && ids[0] === 'BOOK_ANOTHER') return { phone, booked: true, turns: turn };
      const next =
        (this.#options.pickDay && dayAction(options, this.#options.pickDay(random), language, random)) ??
        nextAction(options, language, random);
      if (!next) return { phone, booked: false, turns: turn, failure: `nothing to tap in ${JSON.stringify(ids)}` };
      confirming = next.confirming;
      action = next.action;
    }
    return { phone, booked: false, turns: MAX_TURNS, failure: `no booking after ${MAX_TURNS} turns` };
  }

  async #say(phone: string, action: CustomerAction): Promise<CloudApiMessage> {
    if (action.kind === 'text') this.typed += 1;
    const body = webhookBody(phone, action, wamid(), this.#numberOf?.(phone));
    const server = this.#servers[this.#next++ % this.#servers.length];
    let timer: NodeJS.Timeout | undefined;
    const timeoutMs = this.#options.replyTimeoutMs ?? REPLY_TIMEOUT_MS;
    const replied = new Promise<SentToCustomer>((resolve, reject) => {
      this.#waiting.set(phone, { resolve });
      timer = setTimeout(() => {
        this.#waiting.delete(phone);
        reject(new Error(`no reply within ${timeoutMs} ms`));
      }, timeoutMs);
    });
    // Timed out while the POST itself is still waiting: the rejection is seen below, not unhandled.
    replied.catch(() => {});
    const sentAt = performance.now();
    const post = async () => {
      // undici's `request`, not `fetch`: the load generator shares the cores with what it measures.
      const answer = await request(`${server}/webhook/whatsapp`, {
        method: 'POST',
        headers: signedHeaders(body),
        body,
        ...(this.#options.dispatcher && { dispatcher: this.#options.dispatcher }),
      });
      await answer.body.dump();
      return answer;
    };
    let response = await post();
    // Meta delivers a webhook again, the same message, after a 5xx ("deliver again later").
    for (let again = 1; response.statusCode >= 500 && again <= (this.#options.redeliveries ?? 0); again++) {
      this.redelivered += 1;
      await new Promise((resolve) => setTimeout(resolve, REDELIVERY_WAIT_MS * 2 ** (again - 1)));
      response = await post();
    }
    const acceptedAt = performance.now();
    if (response.statusCode !== 200) {
      this.webhookErrors += 1;
      clearTimeout(timer);
      this.#waiting.delete(phone);
      throw new Error(`webhook answered ${response.statusCode}`);
    }
    try {
      const sent = await replied;
      this.samples.push({ accepted: acceptedAt - sentAt, replied: sent.at - sentAt });
      return sent.message;
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * What a customer does next with the options shown: taps one (or types it instead, as `book`
 * says), and whether that answers the confirmation. The end-to-end and the in-process benchmarks
 * both choose through this, so they send the same mix of taps and typed messages.
 */
export function nextAction(
  options: CustomerAction[],
  language: 'es' | 'en',
  random: () => number,
): { action: CustomerAction; confirming: boolean } | undefined {
  const chosen = choose(options, random);
  if (!chosen) return undefined;
  return {
    action: typedInstead(chosen, language, random) ?? chosen,
    confirming: chosen.kind === 'tap' && chosen.id === 'CONFIRM',
  };
}

/**
 * When the bot asks for a day (days listed, no times): `day`, tapped or typed as `nextAction` does
 * when it is listed, typed ("el 9 de marzo") when it is not. Undefined at any other question.
 */
function dayAction(
  options: CustomerAction[],
  day: string,
  language: 'es' | 'en',
  random: () => number,
): { action: CustomerAction; confirming: boolean } | undefined {
  const taps = options.filter((option) => option.kind === 'tap');
  if (taps.some((option) => option.id.startsWith('PICK_TIME:'))) return undefined;
  if (!taps.some((option) => option.id.startsWith('PICK_DATE:'))) return undefined;
  const listed = taps.find((option) => option.id === `PICK_DATE:${day}`);
  if (listed) return { action: typedInstead(listed, language, random) ?? listed, confirming: false };
  // A day past the list is typed: always (a random number of 1 never taps).
  const typed = typedInstead({ kind: 'tap', id: `PICK_DATE:${day}`, title: day, from: 'list' }, language, () => 1);
  return typed && { action: typed, confirming: false };
}

/**
 * What a customer taps: a random time, day or service from the list shown (so customers spread
 * over the days and times offered), else "confirm", else "book".
 */
function choose(options: CustomerAction[], random: () => number): CustomerAction | undefined {
  const taps = options.filter((option) => option.kind === 'tap');
  for (const type of ['PICK_TIME:', 'PICK_DATE:', 'SELECT_SERVICE:']) {
    const rows = taps.filter((option) => option.id.startsWith(type));
    if (rows.length > 0) return rows[Math.floor(random() * rows.length)];
  }
  return taps.find((option) => option.id === 'CONFIRM') ?? taps.find((option) => option.id === 'BOOK_ANOTHER');
}

const MONTHS = {
  es: [
    'enero',
    'febrero',
    'marzo',
    'abril',
    'mayo',
    'junio',
    'julio',
    'agosto',
    'septiembre',
    'octubre',
    'noviembre',
    'diciembre',
  ],
  en: [
    'january',
    'february',
    'march',
    'april',
    'may',
    'june',
    'july',
    'august',
    'september',
    'october',
    'november',
    'december',
  ],
};

/** What a customer would type for the row or button they chose; undefined where they tap it. */
function typedInstead(chosen: CustomerAction, language: 'es' | 'en', random: () => number): CustomerAction | undefined {
  if (chosen.kind !== 'tap') return undefined;
  const es = language === 'es';
  if (chosen.id === 'CONFIRM') return { kind: 'text', text: es ? 'sí' : 'yes' };
  if (random() < 0.5) return undefined;
  const [type, ...rest] = chosen.id.split(':');
  const value = rest.join(':');
  if (type === 'PICK_TIME') return { kind: 'text', text: es ? `a las ${value}` : `at ${value}` };
  if (type === 'PICK_DATE') {
    const [, month, day] = value.split('-').map(Number);
    const name = MONTHS[language][month - 1];
    return { kind: 'text', text: es ? `el ${day} de ${name}` : `on ${name} ${day}` };
  }
  return undefined;
}

/** A small seeded random generator (mulberry32), so runs pick the same way. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
