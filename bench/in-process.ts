import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteAdapters } from '../adapters/sqlite/index.ts';
import { loadShopConfig } from '../config/load.ts';
import type { ShopConfig } from '../config/schema.ts';
import { createCita } from '../src/cita.ts';
import type { Messenger } from '../src/engine/ports.ts';
import { type OutboundMessage, optionsOf } from '../src/messages/whatsapp.ts';
import { MAX_TURNS, nextAction, seededRandom } from './support/customers.ts';
import { collector, memoryAfterGc } from './support/heap.ts';
import { SCRIPT_NOW } from './support/in-process.ts';
import type { BenchResult } from './support/record.ts';
import { BENCH_SHOP_CONFIG } from './support/server.ts';
import { round } from './support/stats.ts';
import type { CustomerAction } from './support/whatsapp.ts';

export interface InProcessOptions {
  /** Customers who book, for the CPU per message. */
  customers: number;
  /** Customers in a conversation at the same time. */
  concurrency: number;
  /** Conversations held at once for the memory figures (the goal is stated at 10,000). */
  conversations: number;
  /** Customers booked first, unmeasured, so the code is compiled and the caches are warm. */
  warmup?: number;
}

/** The options a turn's replies offer, as the customer's phone shows them (list rows or buttons). */
function tappable(replies: OutboundMessage[]): CustomerAction[] {
  return replies.flatMap((reply) =>
    optionsOf(reply).map((option) => ({
      kind: 'tap' as const,
      id: option.id,
      title: option.title,
      from: reply.kind === 'list' ? ('list' as const) : ('button' as const),
    })),
  );
}

type Cita = ReturnType<typeof createCita>;

/** What `converse` takes for a customer's action: what the webhook makes of the same WhatsApp message. */
const contentOf = (action: CustomerAction) =>
  action.kind === 'text'
    ? { kind: 'text' as const, text: action.text }
    : { kind: 'reply' as const, replyId: action.id, title: action.title };

/** One customer books as the end-to-end benchmark's customers do (same choices, same typed messages). */
async function book(cita: Cita, phone: string, language: 'es' | 'en', random: () => number, counts: Counts) {
  let action: CustomerAction = { kind: 'text', text: language === 'es' ? 'hola' : 'hi' };
  let confirming = false;
  for (let turn = 1; turn <= MAX_TURNS; turn++) {
    counts.messages += 1;
    if (action.kind === 'text') counts.typed += 1;
    const options = tappable(await cita.converse(phone, contentOf(action)));
    const ids = options.map((option) => (option.kind === 'tap' ? option.id : ''));
    if (confirming && ids.length === 1 && ids[0] === 'BOOK_ANOTHER') return true;
    const next = nextAction(options, language, random);
    if (!next) return false;
    confirming = next.confirming;
    action = next.action;
  }
  return false;
}

interface Counts {
  messages: number;
  typed: number;
  booked: number;
}

/** `count` customers, `concurrency` at a time, each booking; CPU of this process over them. */
async function crowd(cita: Cita, count: number, concurrency: number, firstPhone: number, seed: number) {
  const random = seededRandom(seed);
  const counts: Counts = { messages: 0, typed: 0, booked: 0 };
  let next = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  const loop = async () => {
    while (next < count) {
      const index = next++;
      const phone = `346${String(firstPhone + index).padStart(8, '0')}`;
      if (await book(cita, phone, index % 3 === 2 ? 'en' : 'es', random, counts)) counts.booked += 1;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, loop));
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  return {
    ...counts,
    seconds: round(seconds),
    messagesPerSecond: round(counts.messages / seconds),
    cpuMsPerMessage: round((used.user + used.system) / 1000 / counts.messages),
    typedShare: round(counts.typed / counts.messages, 2),
  };
}

/**
 * cita as `createCita` wires it, the product's default workers and a fixed clock, on an in-memory
 * SQLite database: every adapter's code runs, but no disk and no network.
 */
function citaInMemory(shop: ShopConfig) {
  const sqlite = createSqliteAdapters({ path: ':memory:' });
  return createCita({
    shop,
    clock: () => new Date(SCRIPT_NOW),
    dataDir: mkdtempSync(join(tmpdir(), 'cita-bench-in-process-')),
    adapters: sqlite.adapters,
    onStop: sqlite.close,
  });
}

/** CPU per message of the end-to-end flow with no I/O: no HTTP, no Redis, no disk. */
async function cpuPerMessage(shop: ShopConfig, options: InProcessOptions) {
  const cita = citaInMemory(shop);
  try {
    await crowd(cita, options.warmup ?? 50, options.concurrency, 90_000_000, 7);
    return await crowd(cita, options.customers, options.concurrency, 0, 4242);
  } finally {
    await cita.stop();
  }
}

/**
 * A WhatsApp channel whose sends wait until it is opened: every message claimed is held with its
 * replies ready, as while the Graph API answers. One promise for all, so the benchmark itself
 * keeps nothing per conversation.
 */
function heldChannel() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  let waiting = 0;
  const messenger: Messenger = {
    async send(_phone, messages) {
      waiting += 1;
      await opened;
      waiting -= 1;
      return messages.map(() => undefined);
    },
  };
  return {
    messenger,
    open,
    get waiting() {
      return waiting;
    },
  };
}

/**
 * Memory per conversation at `conversations` conversations, on the embedded default (a SQLite
 * file, so what is measured is what the process holds, not the stored conversations): idle (each
 * customer said hello and cita waits for their answer) and in flight (every one of them has a
 * message claimed, handled, and its replies waiting on WhatsApp). Heap and RSS after a full GC,
 * minus the same before the conversations, divided by them.
 */
async function memoryPerConversation(shop: ShopConfig, conversations: number) {
  const gc = collector();
  const channel = heldChannel();
  const sqlite = createSqliteAdapters({ dataDir: mkdtempSync(join(tmpdir(), 'cita-bench-memory-')) });
  const cita = createCita({
    shop,
    clock: () => new Date(SCRIPT_NOW),
    dataDir: mkdtempSync(join(tmpdir(), 'cita-bench-memory-')),
    // Enough workers that every conversation's message is in hand at once.
    workers: conversations + 10,
    adapters: { ...sqlite.adapters, messenger: channel.messenger },
    onStop: sqlite.close,
  });
  const phone = (index: number) => `347${String(index).padStart(8, '0')}`;
  try {
    // Warm: code compiled, the day's caches filled, before the baseline.
    for (let i = 0; i < 50; i++) await cita.converse(phone(90_000_000 + i), { kind: 'text', text: 'hola' });
    const empty = await memoryAfterGc(gc);
    let next = 0;
    await Promise.all(
      Array.from({ length: 200 }, async () => {
        while (next < conversations) await cita.converse(phone(next++), { kind: 'text', text: 'hola' });
      }),
    );
    const idle = await memoryAfterGc(gc);
    const service = shop.services[0].id;
    const receivedAt = new Date(SCRIPT_NOW).toISOString();
    for (let i = 0; i < conversations; i++) {
      await cita.inbox.accept({
        id: `wamid.bench-in-flight-${i}`,
        shop: 'default',
        phone: phone(i),
        receivedAt,
        content: { kind: 'reply', replyId: `SELECT_SERVICE:${service}`, title: service },
      });
    }
    const deadline = Date.now() + 10 * 60_000;
    while (channel.waiting < conversations) {
      if (Date.now() > deadline) throw new Error(`only ${channel.waiting} of ${conversations} messages in flight`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const inFlight = await memoryAfterGc(gc);
    channel.open();
    while (cita.inFlight > 0) await new Promise((resolve) => setTimeout(resolve, 100));
    const per = (after: { heapUsed: number; rss: number }) => ({
      heapBytes: Math.round((after.heapUsed - empty.heapUsed) / conversations),
      rssBytes: Math.round((after.rss - empty.rss) / conversations),
    });
    return {
      conversations,
      empty,
      idle,
      inFlight,
      idlePerConversation: per(idle),
      inFlightPerConversation: per(inFlight),
    };
  } finally {
    channel.open();
    await cita.stop();
  }
}

/** The benchmark as `npm run bench` reports it. */
export async function inProcessBenchmark(options: InProcessOptions, command: string): Promise<BenchResult> {
  const shop = loadShopConfig(BENCH_SHOP_CONFIG);
  const run = await cpuPerMessage(shop, options);
  const memory = await memoryPerConversation(shop, options.conversations);
  const kb = (bytes: number) => round(bytes / 1000);
  return {
    name: 'in-process',
    title: 'In process, no I/O: CPU per message and memory per conversation',
    command,
    method:
      `${options.customers} customers (${options.concurrency} at a time, after ${options.warmup ?? 50} unmeasured) book ` +
      "with the end-to-end benchmark's choices and typed messages (bench/support/customers.ts nextAction) through " +
      "createCita's converse: the inbox, workers, interpreter, machine, conversation store, holds and calendar all run, " +
      'on an in-memory SQLite database (no disk, no network, no HTTP). CPU = this process (user + system) over the run ÷ ' +
      `messages. Memory: ${options.conversations} conversations on the embedded SQLite file, V8 heap used and RSS after ` +
      'a full GC, minus before them, ÷ conversations: idle (each said hello, cita waits for the answer) and in flight ' +
      '(each has a message claimed and handled, its replies waiting on a WhatsApp channel that is held shut).',
    parameters: { ...options },
    figures: [
      { label: 'CPU per message (in process, no I/O)', value: run.cpuMsPerMessage, unit: 'ms' },
      { label: 'messages/s (one process, customers included)', value: run.messagesPerSecond },
      {
        label: 'booked / customers; typed share of messages',
        value: `${run.booked} / ${options.customers}; ${run.typedShare}`,
      },
      {
        label: `heap / RSS per idle conversation (${options.conversations} held)`,
        value: `${kb(memory.idlePerConversation.heapBytes)} / ${kb(memory.idlePerConversation.rssBytes)}`,
        unit: 'KB',
      },
      {
        label: `heap / RSS per conversation in flight (${options.conversations} at once)`,
        value: `${kb(memory.inFlightPerConversation.heapBytes)} / ${kb(memory.inFlightPerConversation.rssBytes)}`,
        unit: 'KB',
      },
    ],
    details: { run, memory },
  };
}
