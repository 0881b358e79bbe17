import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from 'undici';
import { RedisCalendar } from '../adapters/redis/calendar.ts';
import { connectRedis as connectStore } from '../adapters/redis/client.ts';
import { SqliteCalendar } from '../adapters/sqlite/calendar.ts';
import { DATABASE_FILE, openDatabase } from '../adapters/sqlite/database.ts';
import type { Calendar } from '../src/engine/ports.ts';
import { testCluster } from '../tests/support/redis-cluster.ts';
import { checkCalendar } from './support/calendar-check.ts';
import { CustomerCrowd, type CustomerOutcome, REPLY_TIMEOUT_MS, seededRandom } from './support/customers.ts';
import { startBenchGraphApi } from './support/graph-api.ts';
import type { BenchResult } from './support/record.ts';
import { BENCH_REDIS_URL, benchPrefix, cleanPrefix, connectRedis, redisAnswers } from './support/redis.ts';
import { BENCH_SHOP_CONFIG, type BenchServer, startServer } from './support/server.ts';
import { round, summary } from './support/stats.ts';

/** Where the shops' data is kept: the embedded SQLite file, one Redis, or a local Redis Cluster. */
export type ShopsStore = 'embedded' | 'redis' | 'cluster';

export interface ManyShopsOptions {
  /** Shop files the start-up is measured with (1,000). */
  shopFiles: number;
  /** Shops customers write to at once (100), each with `customersPerShop` customers (100). */
  shops: number;
  customersPerShop: number;
  /** How long the Graph API takes to answer each send (Meta: 100–300 ms). */
  graphLatencyMs: number;
  stores: ShopsStore[];
  redisUrl?: string;
  /**
   * How long a customer waits for a reply before giving up. Everyone writes at once, so a turn
   * waits behind the others' (customers ÷ messages per second): by default 50 ms per customer,
   * at least REPLY_TIMEOUT_MS (10,000 customers: 500 s, enough down to 20 messages/s).
   */
  replyTimeoutMs?: number;
}

/** The reply timeout of a crowd of `customers` writing at once, unless `BENCH_REPLY_TIMEOUT_MS` says otherwise. */
export function replyTimeoutFor(customers: number): number {
  return Math.max(REPLY_TIMEOUT_MS, customers * 50);
}

/**
 * Webhook connections the customers share (a load balancer's pool): 10,000 customers at once
 * would otherwise open 10,000 sockets on each side, past many machines' file limits.
 */
export const WEBHOOK_CONNECTIONS = 128;

/**
 * The bench shops take bookings a year ahead (bench/shop.json: 30 days) and customers want any
 * day of it, as `pickDay` says: one shop carrying 10,000 customers fills the ten days listed
 * (one chair, 24 hours a day) long before they have all booked.
 */
export const DAYS_AHEAD = 365;
const DAY_MS = 24 * 60 * 60_000;

/** A day in the booking window, past today and tomorrow (time zones) and short of its end. */
function dayInWindow(random: () => number): string {
  const offset = 2 + Math.floor(random() * (DAYS_AHEAD - 4));
  return new Date(Date.now() + offset * DAY_MS).toISOString().slice(0, 10);
}

/** What the stores hold after a load: each customer who booked, booked once, and no chair twice at once. */
export interface StoredBookings {
  appointments: number;
  /** Customers told their booking is made with no appointment stored for them. */
  bookedWithoutAppointment: number;
  /** Customers with more than one appointment stored (each customer books one). */
  bookedMoreThanOnce: number;
  /** Pairs of appointments of one shop (one chair) that overlap: a time given twice. */
  doubleBookings: number;
}

/** Start-up with `files` shop files: until /readyz counts them all, and the process's memory then. */
export interface StartUp {
  files: number;
  seconds: number;
  rssMiB: number | undefined;
}

/** One load: `shops` shops, everyone of every shop in a conversation at once. */
export interface ShopsLoad {
  store: ShopsStore;
  shops: number;
  customers: number;
  booked: number;
  failures: Record<string, number>;
  messages: number;
  seconds: number;
  messagesPerSecond: number;
  /** ms from the webhook POST to the turn's question reaching the Graph API. */
  replyMs: ReturnType<typeof summary>;
  /** cita's process CPU time over the run (user + system) divided by the messages. */
  cpuMsPerMessage: number | null;
  /** Growth of cita's resident memory over the run, per conversation (KiB). */
  kibPerConversation: number | null;
  rssMiB: number | undefined;
  stored: StoredBookings;
  /** Webhooks answered with a 5xx and delivered again. */
  redelivered: number;
  /** Warnings and errors cita logged, by event. */
  problems: Record<string, number>;
}

/** The bench shop (bench/shop.json: open every day, short services) as shop `i` of many, on its own number. */
function shopFile(i: number): Record<string, unknown> {
  const base = JSON.parse(readFileSync(BENCH_SHOP_CONFIG, 'utf8')) as Record<string, unknown>;
  return {
    ...base,
    id: shopId(i),
    name: `Barbería ${i}`,
    whatsapp: { phoneNumberId: numberOf(i) },
    booking: { ...(base.booking as Record<string, unknown>), daysAhead: DAYS_AHEAD },
  };
}

const shopId = (i: number) => `shop-${String(i).padStart(4, '0')}`;
const numberOf = (i: number) => String(3_000_000_000 + i);

/** A folder of `count` shop files. */
export function shopsFolder(count: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'cita-bench-shops-'));
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < count; i++) writeFileSync(join(dir, `${shopId(i)}.json`), JSON.stringify(shopFile(i)));
  return dir;
}

async function waitForShops(server: BenchServer, count: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ready = (await (await fetch(`${server.url}/readyz`)).json()) as { shops?: { loaded: number } };
    if (ready.shops?.loaded === count) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the server did not load ${count} shops within ${timeoutMs / 1000} s`);
}

/** Starts cita on a folder of `files` shops (embedded store) and measures until every shop is served. */
export async function measureStartUp(files: number): Promise<StartUp> {
  const dir = shopsFolder(files);
  const graph = await startBenchGraphApi(() => {}, { anyNumber: true });
  const started = performance.now();
  const server = await startServer({
    shopsDir: dir,
    prefix: benchPrefix('shops-start'),
    graphUrl: graph.url,
    label: `shops-start-${files}`,
    startTimeoutMs: 300_000,
  });
  try {
    await waitForShops(server, files, 300_000);
    const seconds = (performance.now() - started) / 1000;
    return { files, seconds: round(seconds), rssMiB: server.rssMiB() };
  } finally {
    await server.stop();
    await graph.close();
    rmSync(dir, { recursive: true, force: true });
    rmSync(server.dataDir, { recursive: true, force: true });
  }
}

/**
 * `shops` shops with `customersPerShop` customers each, all booking at once through signed
 * webhooks to their shop's number, on one cita process; `shops` 1 is one shop carrying them all.
 */
export async function measureLoad(
  store: ShopsStore,
  shops: number,
  customers: number,
  options: Pick<ManyShopsOptions, 'graphLatencyMs' | 'redisUrl' | 'replyTimeoutMs'> & { clusterNodes?: string },
): Promise<ShopsLoad> {
  const phones = Array.from({ length: customers }, (_, n) => `34${String(n).padStart(9, '0')}`);
  const shopOf = new Map(phones.map((phone, n) => [phone, n % shops]));
  let crowd: CustomerCrowd | undefined;
  const graph = await startBenchGraphApi((sent) => crowd?.receive(sent), {
    latencyMs: options.graphLatencyMs,
    anyNumber: true,
  });
  const prefix = benchPrefix(`shops-${store}`);
  const redisUrl = store === 'redis' ? (options.redisUrl ?? BENCH_REDIS_URL) : undefined;
  const clusterNodes = store === 'cluster' ? options.clusterNodes : undefined;
  const folder = shopsFolder(shops);
  const webhooks = new Agent({ connections: WEBHOOK_CONNECTIONS, keepAliveTimeout: 60_000 });
  let server: BenchServer | undefined;
  try {
    server = await startServer({
      shopsDir: folder,
      prefix,
      graphUrl: graph.url,
      redisUrl,
      redisClusterNodes: clusterNodes,
      label: `shops-${store}-${shops}`,
      startTimeoutMs: 120_000,
    });
    await waitForShops(server, shops, 120_000);
    crowd = new CustomerCrowd([server.url], (phone) => numberOf(shopOf.get(phone) ?? 0), {
      replyTimeoutMs: options.replyTimeoutMs ?? replyTimeoutFor(customers),
      dispatcher: webhooks,
      pickDay: dayInWindow,
      // A store that cannot take a message at once (a replica late to confirm it) gets it again, as from Meta.
      redeliveries: 5,
    });
    const random = seededRandom(shops * 7919 + customers);
    const rssBefore = server.rssMiB();
    const cpuBefore = server.cpuSeconds();
    const started = performance.now();
    const outcomes: CustomerOutcome[] = await Promise.all(
      phones.map((phone, n) => crowd!.book(phone, n % 3 === 2 ? 'en' : 'es', random)),
    );
    const seconds = (performance.now() - started) / 1000;
    const cpuAfter = server.cpuSeconds();
    const rssAfter = server.rssMiB();
    const messages = crowd.samples.length;
    const failures: Record<string, number> = {};
    for (const outcome of outcomes)
      if (outcome.failure) failures[outcome.failure] = (failures[outcome.failure] ?? 0) + 1;
    await server.stop();
    const stored = await storedBookings(
      { store, dataDir: server.dataDir, prefix, redisUrl, clusterNodes },
      shops,
      outcomes,
      shopOf,
    );
    return {
      store,
      shops,
      customers,
      booked: outcomes.filter((outcome) => outcome.booked).length,
      failures,
      messages,
      seconds: round(seconds),
      messagesPerSecond: round(messages / seconds),
      replyMs: summary(crowd.samples.map((sample) => sample.replied)),
      cpuMsPerMessage:
        cpuBefore === undefined || cpuAfter === undefined ? null : round(((cpuAfter - cpuBefore) * 1000) / messages),
      kibPerConversation:
        rssBefore === undefined || rssAfter === undefined ? null : round(((rssAfter - rssBefore) * 1024) / customers),
      rssMiB: rssAfter,
      stored,
      redelivered: crowd.redelivered,
      problems: server.problems(),
    };
  } finally {
    await server?.stop();
    await graph.close();
    await webhooks.close();
    rmSync(folder, { recursive: true, force: true });
    if (server) rmSync(server.dataDir, { recursive: true, force: true });
    if (store === 'redis') {
      const redis = connectRedis(options.redisUrl ?? BENCH_REDIS_URL);
      await cleanPrefix(redis, prefix);
      redis.disconnect();
    }
  }
}

/**
 * Reads every shop's appointments back from the store the run wrote (SQLite, Redis or the
 * cluster): each customer told "booked" has exactly one, nobody has two, and no shop's one
 * chair has two at once.
 */
export async function storedBookings(
  where: { store: ShopsStore; dataDir: string; prefix: string; redisUrl?: string; clusterNodes?: string },
  shops: number,
  outcomes: CustomerOutcome[],
  shopOf: Map<string, number>,
): Promise<StoredBookings> {
  const database = where.store === 'embedded' ? openDatabase(join(where.dataDir, DATABASE_FILE)) : undefined;
  const redis =
    where.store === 'embedded'
      ? undefined
      : connectStore(where.redisUrl ? { url: where.redisUrl } : { clusterNodes: where.clusterNodes! }, {});
  const calendars = new Map<number, Calendar>();
  const calendarOf = (i: number): Calendar => {
    let calendar = calendars.get(i);
    if (!calendar) {
      calendar = database
        ? new SqliteCalendar(database, { shop: shopId(i) })
        : new RedisCalendar(redis!, { prefix: where.prefix, shop: shopId(i) });
      calendars.set(i, calendar);
    }
    return calendar;
  };
  try {
    const result: StoredBookings = {
      appointments: 0,
      bookedWithoutAppointment: 0,
      bookedMoreThanOnce: 0,
      doubleBookings: 0,
    };
    for (let i = 0; i < shops; i++) {
      const check = await checkCalendar(calendarOf(i));
      result.appointments += check.appointments;
      result.doubleBookings += check.doubleBookings;
    }
    // A few hundred at a time: 10,000 look-ups at once would queue on one connection anyway.
    for (let from = 0; from < outcomes.length; from += 500) {
      const counts = await Promise.all(
        outcomes.slice(from, from + 500).map(async (outcome) => ({
          booked: outcome.booked,
          stored: (await calendarOf(shopOf.get(outcome.phone) ?? 0).upcomingFor(outcome.phone, new Date(0))).length,
        })),
      );
      for (const { booked, stored } of counts) {
        if (booked && stored === 0) result.bookedWithoutAppointment += 1;
        if (stored > 1) result.bookedMoreThanOnce += 1;
      }
    }
    return result;
  } finally {
    database?.close();
    redis?.disconnect();
  }
}

/** "10000; 0, 0, 0": what the store holds and what would be wrong with it. */
function storedFigure(stored: StoredBookings): string {
  return `${stored.appointments}; ${stored.bookedMoreThanOnce}, ${stored.bookedWithoutAppointment}, ${stored.doubleBookings}`;
}

const STORE_NAMES: Record<ShopsStore, string> = {
  embedded: 'SQLite',
  redis: 'one Redis',
  cluster: 'Redis Cluster (3+3)',
};

/** The benchmark as `npm run bench -- many-shops` reports it. */
export async function manyShopsBenchmark(options: ManyShopsOptions, command: string): Promise<BenchResult> {
  // The machine may be shared: its load average says how far the figures are from a quiet one.
  const loadBefore = loadavg().map((value) => round(value, 1));
  const one = await measureStartUp(1);
  const many = await measureStartUp(options.shopFiles);
  const perShopKiB =
    one.rssMiB !== undefined && many.rssMiB !== undefined
      ? round(((many.rssMiB - one.rssMiB) * 1024) / Math.max(1, options.shopFiles - 1))
      : null;
  const customers = options.shops * options.customersPerShop;
  const stores = [...options.stores];
  if (stores.includes('redis') && !(await redisAnswers(options.redisUrl))) stores.splice(stores.indexOf('redis'), 1);
  // Redis' own node timeout (15 s), not the tests' 1 s: a node slow for a second on a busy machine is not failed over.
  const cluster = stores.includes('cluster') ? await testCluster({ nodeTimeoutMs: 15_000 }) : undefined;
  if (!cluster && stores.includes('cluster')) stores.splice(stores.indexOf('cluster'), 1);
  const loads: { many: ShopsLoad; one: ShopsLoad }[] = [];
  try {
    for (const store of stores) {
      const settings = { ...options, clusterNodes: cluster?.nodes };
      loads.push({
        many: await measureLoad(store, options.shops, customers, settings),
        one: await measureLoad(store, 1, customers, settings),
      });
    }
  } finally {
    await cluster?.stop();
  }
  const figures = [
    {
      label: `${options.shopFiles} shop files: start-up until /readyz serves them all; resident memory (1 shop: ${one.rssMiB} MiB)`,
      value: `${many.seconds} s; ${many.rssMiB} MiB`,
    },
    { label: 'memory per shop served (resident, beyond the first)', value: perShopKiB ?? 'n/a', unit: 'KiB' },
    ...loads.flatMap(({ many: m, one: o }) => [
      {
        label: `${STORE_NAMES[m.store]}, ${m.shops} shops × ${options.customersPerShop} customers at once (one shop with all ${customers}): messages/s`,
        value: `${m.messagesPerSecond} (${o.messagesPerSecond})`,
      },
      {
        label: `${STORE_NAMES[m.store]}, ${m.shops} shops (one shop): reply p50 / p99`,
        value: `${m.replyMs.p50} / ${m.replyMs.p99} (${o.replyMs.p50} / ${o.replyMs.p99})`,
        unit: 'ms',
      },
      {
        label: `${STORE_NAMES[m.store]}, ${m.shops} shops (one shop): CPU per message; memory per conversation`,
        value: `${m.cpuMsPerMessage} ms; ${m.kibPerConversation} KiB (${o.cpuMsPerMessage} ms; ${o.kibPerConversation} KiB)`,
      },
      {
        label: `${STORE_NAMES[m.store]}, ${m.shops} shops (one shop): booked / customers; webhooks delivered again after a 5xx`,
        value: `${m.booked} / ${m.customers}; ${m.redelivered} (${o.booked} / ${o.customers}; ${o.redelivered})`,
      },
      {
        label: `${STORE_NAMES[m.store]}, ${m.shops} shops (one shop): appointments stored; booked twice, booked but not stored, a time given twice`,
        value: `${storedFigure(m.stored)} (${storedFigure(o.stored)})`,
      },
    ]),
  ];
  return {
    name: 'many-shops',
    title: 'Many shops on one process: start-up with a folder of shop files, and many shops talking at once',
    command,
    method:
      `Start-up: \`node src/server/main.ts\` with SHOPS_DIR holding ${options.shopFiles} copies of bench/shop.json (each ` +
      'its own id and WhatsApp number), timed from spawn until /readyz counts every shop, resident memory then; memory ' +
      'per shop against the same process with one file. Load: one process serving ' +
      `${options.shops} shops, ${options.customersPerShop} customers each, every customer booking at once (hello, a service, a ` +
      `day anywhere in the shop's ${DAYS_AHEAD}-day window, a time, yes; half typed) through signed webhooks to their ` +
      `shop's number (${WEBHOOK_CONNECTIONS} pooled connections, as behind a load balancer), the Graph API answering each send ` +
      `after ${options.graphLatencyMs} ms; compared with one shop carrying all ${customers} customers. CPU is the process's ` +
      'CPU time over the run divided by the messages; memory per conversation is the growth of its resident memory ' +
      "over the run divided by the customers. Everyone writes at once, so a reply waits behind the other customers' " +
      "messages (customers ÷ messages/s). Afterwards every shop's appointments are read back from the store: one per " +
      "customer who was told it is booked, none twice, no time of a shop's one chair given twice. The cluster is three " +
      'masters with a replica each on 127.0.0.1 (tests/support/redis-cluster.ts).',
    parameters: {
      ...options,
      stores,
      daysAhead: DAYS_AHEAD,
      webhookConnections: WEBHOOK_CONNECTIONS,
      replyTimeoutMs: options.replyTimeoutMs ?? replyTimeoutFor(customers),
    },
    figures,
    details: {
      loadAverage: { before: loadBefore, after: loadavg().map((value) => round(value, 1)) },
      startUp: { one, many, perShopKiB },
      loads,
    },
  };
}
