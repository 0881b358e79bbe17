import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadShopConfig } from '../config/load.ts';
import type { ShopConfig } from '../config/schema.ts';
import { createCita } from '../src/cita.ts';
import { optionsOf } from '../src/messages/whatsapp.ts';
import { type BuilderBotShop, importBuilderBot, type PeerReply, startBuilderBotShop } from './peer/builderbot.ts';
import { seededRandom } from './support/customers.ts';
import { collector, settle } from './support/heap.ts';
import { SCRIPT_NOW } from './support/in-process.ts';
import type { BenchResult } from './support/record.ts';
import { BENCH_SHOP_CONFIG } from './support/server.ts';
import { round, summary } from './support/stats.ts';

export interface PeerOptions {
  customers: number;
  /** Customers in a conversation at the same time, as in the end-to-end benchmark. */
  concurrency: number;
  /** Customers each side books first, unmeasured, so both run with their code compiled. */
  warmup?: number;
}

/** Gives up on a customer after this many messages. */
const MAX_MESSAGES = 20;

/** One customer's conversation, whichever bot answers. */
interface Booking {
  booked: boolean;
  messages: number;
  /** BuilderBot only: the time was taken between listing and confirming, so the customer started over. */
  restarts: number;
  failure?: string;
}

/** The measure both bots get, in the same process, the same way. */
export interface PeerSide {
  bot: string;
  customers: number;
  booked: number;
  failures: Record<string, number>;
  restarts: number;
  messages: number;
  seconds: number;
  messagesPerSecond: number;
  bookingsPerSecond: number;
  /** messages/s over the first and the last fifth of the messages: does a turn cost more as conversations pile up? */
  messagesPerSecondFirstFifth: number;
  messagesPerSecondLastFifth: number;
  /** ms from the customer's message to the bot waiting for the next one. */
  turnMs: ReturnType<typeof summary>;
  /** CPU of this process (bot and customers) per message. */
  cpuMsPerMessage: number;
  /**
   * V8 heap used after a full GC: before the measured customers (after the warm-up), after they all
   * booked, and once the bot is stopped and dropped.
   */
  heapUsedBytes: { before: number; after: number; dropped: number };
  /** Heap the bot held once every customer booked (after − dropped), per conversation (warm-up's included). */
  heapBytesPerConversation: number;
  /** after − before, per measured customer: the same, without the bot's fixed part, but noisier (code, caches). */
  heapGrowthBytesPerConversation: number;
  doubleBookings: number;
}

/** Warm-up customers' phones, apart from the measured ones. */
const WARMUP_PHONES = 90_000_000;

/** `count` customers, `concurrency` at a time, each through `book`; times every message. */
async function crowd(
  count: number,
  concurrency: number,
  book: (index: number, onMessage: (ms: number) => void) => Promise<Booking>,
) {
  const turns: number[] = [];
  const doneAt: number[] = [];
  const outcomes: Booking[] = [];
  let next = 0;
  const started = performance.now();
  const cpu = process.cpuUsage();
  const loop = async () => {
    while (next < count) {
      const index = next++;
      outcomes.push(
        await book(index, (ms) => {
          turns.push(ms);
          doneAt.push(performance.now() - started);
        }),
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, loop));
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const fifth = Math.max(1, Math.floor(doneAt.length / 5));
  const rate = (from: number, to: number) => round(((to - from) * 1000) / (doneAt[to - 1] - (doneAt[from - 1] ?? 0)));
  const failures: Record<string, number> = {};
  for (const o of outcomes) if (o.failure) failures[o.failure] = (failures[o.failure] ?? 0) + 1;
  const messages = turns.length;
  const booked = outcomes.filter((o) => o.booked).length;
  return {
    customers: count,
    booked,
    failures,
    restarts: outcomes.reduce((sum, o) => sum + o.restarts, 0),
    messages,
    seconds: round(seconds),
    messagesPerSecond: round(messages / seconds),
    bookingsPerSecond: round(booked / seconds),
    messagesPerSecondFirstFifth: rate(0, fifth),
    messagesPerSecondLastFifth: rate(messages - fifth, messages),
    turnMs: summary(turns),
    cpuMsPerMessage: round((used.user + used.system) / 1000 / messages),
  };
}

const phoneOf = (index: number) => `346${String(index).padStart(8, '0')}`;
const languageOf = (index: number) => (index % 3 === 2 ? 'en' : 'es');

/** What a customer taps: a random time, day or service of those offered, else "confirm", as in bench/support/customers.ts. */
function pick(ids: string[], random: () => number): string | undefined {
  for (const type of ['PICK_TIME:', 'PICK_DATE:', 'SELECT_SERVICE:']) {
    const rows = ids.filter((id) => id.startsWith(type));
    if (rows.length > 0) return rows[Math.floor(random() * rows.length)];
  }
  return ids.find((id) => id === 'CONFIRM');
}

/** cita as `createCita` wires it with its embedded adapters, the product's default workers and a fixed clock. */
function startCita(shop: ShopConfig) {
  return createCita({
    shop,
    clock: () => new Date(SCRIPT_NOW),
    dataDir: mkdtempSync(join(tmpdir(), 'cita-bench-peer-')),
  });
}

type InProcess = ReturnType<typeof startCita>;

/** One customer books with cita: "hola"/"hi", then taps service, day, time, confirm, through `converse`. */
async function bookWithCita(
  cita: InProcess,
  index: number,
  random: () => number,
  onMessage: (ms: number) => void,
): Promise<Booking> {
  const phone = phoneOf(index);
  let content: Parameters<InProcess['converse']>[1] = {
    kind: 'text',
    text: languageOf(index) === 'es' ? 'hola' : 'hi',
  };
  let confirming = false;
  for (let messages = 1; messages <= MAX_MESSAGES; messages++) {
    const sent = performance.now();
    const replies = await cita.converse(phone, content);
    onMessage(performance.now() - sent);
    const options = replies.flatMap(optionsOf);
    const ids = options.map((option) => option.id);
    if (confirming && ids.length === 1 && ids[0] === 'BOOK_ANOTHER') return { booked: true, messages, restarts: 0 };
    const id = pick(ids, random);
    if (!id) return { booked: false, messages, restarts: 0, failure: `nothing to tap in ${JSON.stringify(ids)}` };
    confirming = id === 'CONFIRM';
    content = { kind: 'reply', replyId: id, title: options.find((option) => option.id === id)!.title };
  }
  return { booked: false, messages: MAX_MESSAGES, restarts: 0, failure: `no booking after ${MAX_MESSAGES} messages` };
}

/** One customer books with the BuilderBot flow: "hola"/"hi", then taps service, day, time, confirm (a button's text). */
async function bookWithBuilderBot(
  peer: BuilderBotShop,
  index: number,
  random: () => number,
  onMessage: (ms: number) => void,
): Promise<Booking> {
  const phone = phoneOf(index);
  const hello = languageOf(index) === 'es' ? 'hola' : 'hi';
  let body = hello;
  let restarts = 0;
  for (let messages = 1; messages <= MAX_MESSAGES; messages++) {
    const sent = performance.now();
    const { replies, end } = await peer.say(phone, body);
    onMessage(performance.now() - sent);
    if (replies.some(peer.isBooked)) return { booked: true, messages, restarts };
    if (end === 'end' && replies.some(peer.isTaken)) {
      restarts += 1;
      body = hello;
      continue;
    }
    const buttons = replies.flatMap((reply: PeerReply) => reply.buttons);
    // The confirmation offers one button; the lists offer a button per service, day or time.
    if (buttons.length === 0)
      return { booked: false, messages, restarts, failure: `nothing to tap in ${JSON.stringify(replies)}` };
    body = buttons.length === 1 ? buttons[0] : buttons[Math.floor(random() * buttons.length)];
  }
  return { booked: false, messages: MAX_MESSAGES, restarts, failure: `no booking after ${MAX_MESSAGES} messages` };
}

/**
 * cita's side: a fresh cita, warmed up with `warmup` customers of its own, then the customers; heap
 * before and after them, so one-off costs (compiled code, caches) are not counted per conversation.
 */
async function measureCita(shop: ShopConfig, options: Required<PeerOptions>, gc: () => void): Promise<PeerSide> {
  const cita = startCita(shop);
  try {
    const random = seededRandom(4242);
    await crowd(options.warmup, options.concurrency, (index, onMessage) =>
      bookWithCita(cita, WARMUP_PHONES + index, random, onMessage),
    );
    await settle();
    gc();
    const before = process.memoryUsage().heapUsed;
    const run = await crowd(options.customers, options.concurrency, (index, onMessage) =>
      bookWithCita(cita, index, random, onMessage),
    );
    await settle();
    gc();
    const after = process.memoryUsage().heapUsed;
    const appointments = await cita.calendar.busy({
      start: new Date(Date.parse(SCRIPT_NOW) - 86_400_000).toISOString(),
      end: new Date(Date.parse(SCRIPT_NOW) + 40 * 86_400_000).toISOString(),
    });
    return {
      bot: 'cita',
      ...run,
      ...heap(before, after, options),
      doubleBookings: overlaps(appointments),
    };
  } finally {
    await cita.stop();
  }
}

/** The heap figures but the one measured once the bot is dropped (see `dropped`). */
function heap(before: number, after: number, options: Required<PeerOptions>) {
  return {
    heapUsedBytes: { before, after, dropped: Number.NaN },
    heapBytesPerConversation: Number.NaN,
    heapGrowthBytesPerConversation: Math.round((after - before) / options.customers),
  };
}

/** Completes a side's heap figures: heap used now, with the bot stopped and unreachable. */
async function dropped<T extends PeerSide>(side: T, options: Required<PeerOptions>, gc: () => void): Promise<T> {
  await settle();
  gc();
  const now = process.memoryUsage().heapUsed;
  return {
    ...side,
    heapUsedBytes: { ...side.heapUsedBytes, dropped: now },
    heapBytesPerConversation: Math.round((side.heapUsedBytes.after - now) / (options.customers + options.warmup)),
  };
}

/** Pairs of appointments that overlap (one chair: any overlap is a double booking). */
function overlaps(intervals: { start: string; end: string }[]): number {
  const sorted = intervals.map((i) => [Date.parse(i.start), Date.parse(i.end)]).sort((a, b) => a[0] - b[0]);
  let count = 0;
  for (let i = 1; i < sorted.length; i++) if (sorted[i][0] < sorted[i - 1][1]) count += 1;
  return count;
}

/** BuilderBot's side, measured as cita's: a fresh bot, a warm-up, then the customers. */
async function measureBuilderBot(
  bot: Awaited<ReturnType<typeof importBuilderBot>>['bot'],
  shop: ShopConfig,
  options: Required<PeerOptions>,
  gc: () => void,
): Promise<PeerSide & { historyEntries: number }> {
  const peer = await startBuilderBotShop(bot, shop, new Date(SCRIPT_NOW));
  const random = seededRandom(4242);
  await crowd(options.warmup, options.concurrency, (index, onMessage) =>
    bookWithBuilderBot(peer, WARMUP_PHONES + index, random, onMessage),
  );
  await settle();
  gc();
  const before = process.memoryUsage().heapUsed;
  const run = await crowd(options.customers, options.concurrency, (index, onMessage) =>
    bookWithBuilderBot(peer, index, random, onMessage),
  );
  await settle();
  gc();
  const after = process.memoryUsage().heapUsed;
  return {
    bot: 'BuilderBot',
    ...run,
    ...heap(before, after, options),
    doubleBookings: peer.doubleBookings(),
    historyEntries: peer.database.listHistory.length,
  };
}

const dirBytes = (dir: string) => readdirSync(dir).reduce((sum, file) => sum + statSync(join(dir, file)).size, 0);

export interface PeerRun {
  cita: PeerSide;
  builderBot: PeerSide & { historyEntries: number };
  builderBotVersion: string;
  builderBotLogBytes: number;
}

/** Both bots, one after the other, in this process: cita, then BuilderBot, each warmed up first. */
export async function runPeer(options: PeerOptions): Promise<PeerRun> {
  const shop = loadShopConfig(BENCH_SHOP_CONFIG);
  const gc = collector();
  const { bot, logDir } = await importBuilderBot();
  const sized = { ...options, warmup: options.warmup ?? 20 };
  try {
    const cita = await dropped(await measureCita(shop, sized, gc), sized, gc);
    const builderBot = await dropped(await measureBuilderBot(bot, shop, sized, gc), sized, gc);
    return { cita, builderBot, builderBotVersion: builderBotVersion(), builderBotLogBytes: dirBytes(logDir) };
  } finally {
    rmSync(logDir, { recursive: true, force: true });
  }
}

function builderBotVersion(): string {
  try {
    return (
      process.getBuiltinModule('node:module').createRequire(import.meta.url)('@builderbot/bot/package.json') as {
        version: string;
      }
    ).version;
  } catch {
    return 'unknown';
  }
}

/** The benchmark as `npm run bench` reports it. */
export async function peerBenchmark(options: PeerOptions, command: string): Promise<BenchResult> {
  const run = await runPeer(options);
  const { cita, builderBot: peer } = run;
  const kb = (bytes: number) => round(bytes / 1000);
  return {
    name: 'peer',
    title: 'A peer: the same booking flow written with BuilderBot, in the same process',
    command,
    method:
      `${options.customers} customers (${options.concurrency} at a time, each answering as soon as the bot waits) each book ` +
      '"hola"/"hi" → service → day → time → confirm, picking at random among the options offered, first with cita ' +
      '(createCita with its embedded adapters: memory inbox and conversations, memory holds, the calendar and history as ' +
      'JSON files in a temporary directory, 4 workers, customers through converse) and then with the same flow written ' +
      `with BuilderBot ${run.builderBotVersion} (bench/peer/builderbot.ts: addKeyword, addAction with capture, state, ` +
      'flowDynamic, fallBack, endFlow; its MemoryDB; a ProviderClass whose message event the customers emit and whose ' +
      'sendMessage hands them the replies; no network). Both in this process, after a warm-up of each, on bench/shop.json. ' +
      'A message ends when the bot waits for the next one. Memory per conversation: V8 heap used (after a full GC) once ' +
      'every customer booked, minus the heap once the bot is stopped and dropped, divided by the conversations it held ' +
      "(cita's calendar and history are files on disk, not in that figure; BuilderBot's bookings Map is). " +
      'What each does per message differs: cita validates ' +
      'the event, runs the XState machine, loads and saves the conversation snapshot, computes free times from the calendar ' +
      'and holds in the shop time zone, holds the picked time, re-checks and writes the appointment to the calendar file ' +
      "on confirm and schedules reminders; BuilderBot scans its whole message history for the phone's last step, matches " +
      'keywords, runs the callback and appends to the history and its log files; the flow keeps bookings in a Map (no ' +
      'calendar, no holds, nothing durable, UTC days), so a time taken between listing and confirming makes the customer ' +
      'start over.',
    parameters: { customers: options.customers, concurrency: options.concurrency, warmup: options.warmup ?? 20 },
    figures: [
      { label: 'cita: messages/s (in process)', value: cita.messagesPerSecond },
      { label: 'BuilderBot: messages/s', value: peer.messagesPerSecond },
      { label: 'messages/s, cita ÷ BuilderBot', value: round(cita.messagesPerSecond / peer.messagesPerSecond, 2) },
      {
        label: 'messages/s first / last fifth, cita; BuilderBot',
        value: `${cita.messagesPerSecondFirstFifth} / ${cita.messagesPerSecondLastFifth}; ${peer.messagesPerSecondFirstFifth} / ${peer.messagesPerSecondLastFifth}`,
      },
      {
        label: 'turn p50 / p99, cita; BuilderBot',
        value: `${cita.turnMs.p50} / ${cita.turnMs.p99}; ${peer.turnMs.p50} / ${peer.turnMs.p99}`,
        unit: 'ms',
      },
      {
        label: 'CPU per message, cita / BuilderBot',
        value: `${cita.cpuMsPerMessage} / ${peer.cpuMsPerMessage}`,
        unit: 'ms',
      },
      {
        label: 'heap per conversation, cita / BuilderBot',
        value: `${kb(cita.heapBytesPerConversation)} / ${kb(peer.heapBytesPerConversation)}`,
        unit: 'KB',
      },
      {
        label: 'booked / customers, double bookings, cita; BuilderBot',
        value: `${cita.booked} / ${cita.customers}, ${cita.doubleBookings}; ${peer.booked} / ${peer.customers}, ${peer.doubleBookings} (${peer.restarts} restarts)`,
      },
    ],
    details: run,
  };
}
