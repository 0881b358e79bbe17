import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { RedisCalendar } from '../adapters/redis/calendar.ts';
import { redisKeys } from '../adapters/redis/keys.ts';
import { SqliteCalendar } from '../adapters/sqlite/calendar.ts';
import { DATABASE_FILE, openDatabase } from '../adapters/sqlite/database.ts';
import { DEFAULT_SHOP_ID } from '../config/shop-id.ts';
import type { Calendar } from '../src/engine/ports.ts';
import { checkCalendar } from './support/calendar-check.ts';
import { CustomerCrowd, type CustomerOutcome, seededRandom } from './support/customers.ts';
import { startBenchGraphApi } from './support/graph-api.ts';
import type { BenchResult } from './support/record.ts';
import {
  BENCH_REDIS_URL,
  benchPrefix,
  cleanPrefix,
  connectRedis,
  memoryByKind,
  redisCounters,
} from './support/redis.ts';
import { startRedisProxy } from './support/redis-proxy.ts';
import { type BenchServer, startServer } from './support/server.ts';
import { round, summary } from './support/stats.ts';

/** Where a run keeps its data: Redis, or the embedded SQLite default (no REDIS_URL). */
export type Store = 'redis' | 'embedded';

/** One configuration measured: the store, how slow Meta answers, how many server processes. */
export interface RunSpec {
  store: Store;
  /** How long the Graph API takes to answer each send (Meta: 100–300 ms). */
  graphLatencyMs: number;
  processes?: number;
  /** Customers of this run, when not the benchmark's. */
  customers?: number;
  /** Customers in a conversation at the same time, when not the benchmark's. */
  concurrency?: number;
  /** Route the servers' Redis through a counting relay (adds a hop, so only for counting). */
  countRoundTrips?: boolean;
}

export interface EndToEndOptions {
  customers: number;
  /** Customers in a conversation at the same time (each answers as soon as the reply arrives). */
  concurrency: number;
  runs: RunSpec[];
  redisUrl?: string;
  /** Extra node flags for the servers (e.g. --cpu-prof). */
  nodeArgs?: string[];
  /** Keep the Redis keys (for inspecting a run); default: deleted. */
  keepKeys?: boolean;
}

/** One run: `processes` servers on one store, `customers` bookings. */
export interface EndToEndRun {
  store: Store;
  graphLatencyMs: number;
  processes: number;
  /** Customers in a conversation at the same time. */
  concurrency: number;
  customers: number;
  booked: number;
  failed: number;
  failures: Record<string, number>;
  messages: number;
  /** Share of the messages customers typed (the rest are taps). */
  typedShare: number;
  seconds: number;
  messagesPerSecond: number;
  bookingsPerSecond: number;
  /** ms from the webhook POST to the turn's question reaching the Graph API. */
  replyMs: ReturnType<typeof summary>;
  /** ms from the webhook POST to its 200. */
  acceptMs: ReturnType<typeof summary>;
  messagesPerBooking: number;
  appointments: number;
  doubleBookings: number;
  doubleBookingExamples: unknown[];
  webhookErrors: number;
  graphApi: { messages: number; reads: number; refused: number; refusals: string[]; unprompted: number };
  /** CPU of the cita processes (user + system), per message handled. */
  serverCpuMsPerMessage: number | null;
  redisCpuMsPerMessage: number | null;
  redisCommandsPerMessage: number | null;
  /** Writes asked of the embedded SQLite file, and commits made, per message (its /metrics), on SQLite. */
  sqliteTransactionsPerMessage: number | null;
  sqliteCommitsPerMessage: number | null;
  /** Network trips to Redis per message (bursts of requests at the counting relay), when counted. */
  redisRoundTripsPerMessage: number | null;
  /** CPU of this benchmark process (customers and Graph API), per message: the load generator's share of the 2 cores. */
  loadGeneratorCpuMsPerMessage: number;
  serverRssMiB: (number | undefined)[];
  /** Stored conversation (the JSON kept per phone) of the customers, after booking. */
  conversationBytes: ReturnType<typeof summary>;
  /** The XState snapshot alone, inside it. */
  snapshotBytes: ReturnType<typeof summary>;
  /** Redis memory the run left behind, per customer, by kind of key. */
  redisBytesPerCustomer: Record<string, number>;
  serverProblems: Record<string, number>;
  logFiles: string[];
}

/**
 * Customers book through the webhook of real `node src/server/main.ts` processes on Redis or on
 * the embedded SQLite store, with replies going to a local Graph API, and the calendar is checked
 * for double bookings.
 */
export async function runEndToEnd(options: EndToEndOptions): Promise<EndToEndRun[]> {
  const runs: EndToEndRun[] = [];
  for (const spec of options.runs) runs.push(await oneRun(options, spec));
  return runs;
}

async function oneRun(options: EndToEndOptions, spec: RunSpec): Promise<EndToEndRun> {
  const processCount = spec.processes ?? 1;
  const customers = spec.customers ?? options.customers;
  const onRedis = spec.store === 'redis';
  const redisUrl = options.redisUrl ?? BENCH_REDIS_URL;
  const prefix = benchPrefix(`e2e${processCount}`);
  const redis = onRedis ? connectRedis(redisUrl) : undefined;
  const proxy = onRedis && spec.countRoundTrips ? await startRedisProxy(redisUrl) : undefined;
  let crowd: CustomerCrowd | undefined;
  const graph = await startBenchGraphApi((sent) => crowd?.receive(sent), { latencyMs: spec.graphLatencyMs });
  const servers: BenchServer[] = [];
  let run: EndToEndRun | undefined;
  try {
    // The embedded store's processes share one file, as `npm start` twice on one machine would.
    const dataDir = onRedis ? undefined : mkdtempSync(join(tmpdir(), 'cita-bench-data-'));
    for (let i = 0; i < processCount; i++) {
      servers.push(
        await startServer({
          redisUrl: onRedis ? (proxy?.url ?? redisUrl) : undefined,
          prefix,
          graphUrl: graph.url,
          dataDir,
          nodeArgs: options.nodeArgs,
          label: `e2e-${spec.store}-${spec.graphLatencyMs}ms-${i}`,
        }),
      );
    }
    crowd = new CustomerCrowd(servers.map((server) => server.url));
    const random = seededRandom(processCount * 7919);
    const outcomes: CustomerOutcome[] = [];

    const cpuBefore = servers.map((server) => server.cpuSeconds());
    const sqliteBefore = onRedis ? undefined : await sqliteCounts(servers);
    const redisBefore = redis && (await redisCounters(redis));
    const tripsBefore = proxy?.roundTrips ?? 0;
    const ownCpuBefore = process.cpuUsage();
    const started = performance.now();
    let next = 0;
    const customerLoop = async () => {
      while (next < customers) {
        const index = next++;
        const phone = `346${String(index).padStart(8, '0')}`;
        const outcome = await crowd!.book(phone, index % 3 === 2 ? 'en' : 'es', random);
        outcomes.push(outcome);
        // Nobody has booked and several have failed: the set-up is broken, not slow; stop early.
        if (!outcome.booked && !outcomes.some((o) => o.booked) && outcomes.length >= 3) next = customers;
      }
    };
    const concurrency = spec.concurrency ?? options.concurrency;
    await Promise.all(Array.from({ length: Math.min(concurrency, customers) }, customerLoop));
    const seconds = (performance.now() - started) / 1000;
    const ownCpu = process.cpuUsage(ownCpuBefore);
    const trips = (proxy?.roundTrips ?? 0) - tripsBefore;
    const redisAfter = redis && (await redisCounters(redis));
    const cpuAfter = servers.map((server) => server.cpuSeconds());
    const sqliteAfter = onRedis ? undefined : await sqliteCounts(servers);

    const messages = crowd.samples.length;
    const booked = outcomes.filter((outcome) => outcome.booked).length;
    const failures: Record<string, number> = {};
    for (const outcome of outcomes)
      if (outcome.failure) failures[outcome.failure] = (failures[outcome.failure] ?? 0) + 1;
    const cpuUsed =
      cpuAfter.every((x) => x !== undefined) && cpuBefore.every((x) => x !== undefined)
        ? cpuAfter.reduce((sum, after, i) => sum + (after! - cpuBefore[i]!), 0)
        : undefined;
    const phones = outcomes.map((outcome) => outcome.phone);
    const store = redis ? redisStore(redis, prefix) : sqliteStore(join(servers[0].dataDir, DATABASE_FILE));
    const calendar = await checkCalendar(store.calendar);
    const stored = sizesOf(await store.conversations(phones));
    store.close();
    const memory = redis ? await memoryByKind(redis, prefix) : {};
    const serverRssMiB = servers.map((server) => server.rssMiB());
    const perMessage = (value: number) => round(value / messages);

    run = {
      store: spec.store,
      graphLatencyMs: spec.graphLatencyMs,
      processes: processCount,
      concurrency: Math.min(concurrency, customers),
      customers,
      booked,
      failed: outcomes.length - booked,
      failures,
      messages,
      typedShare: round(crowd.typed / Math.max(1, messages), 2),
      seconds: round(seconds),
      messagesPerSecond: round(messages / seconds),
      bookingsPerSecond: round(booked / seconds),
      replyMs: summary(crowd.samples.map((sample) => sample.replied)),
      acceptMs: summary(crowd.samples.map((sample) => sample.accepted)),
      messagesPerBooking: round(messages / Math.max(1, booked)),
      appointments: calendar.appointments,
      doubleBookings: calendar.doubleBookings,
      doubleBookingExamples: calendar.examples,
      webhookErrors: crowd.webhookErrors,
      graphApi: { ...graph.counts, refusals: graph.refusals, unprompted: crowd.unprompted },
      serverCpuMsPerMessage: cpuUsed === undefined ? null : perMessage(cpuUsed * 1000),
      redisCpuMsPerMessage:
        redisBefore && redisAfter ? perMessage((redisAfter.cpuSeconds - redisBefore.cpuSeconds) * 1000) : null,
      redisCommandsPerMessage:
        redisBefore && redisAfter ? perMessage(redisAfter.commands - redisBefore.commands) : null,
      redisRoundTripsPerMessage: proxy ? perMessage(trips) : null,
      sqliteTransactionsPerMessage:
        sqliteBefore && sqliteAfter ? perMessage(sqliteAfter.transactions - sqliteBefore.transactions) : null,
      sqliteCommitsPerMessage:
        sqliteBefore && sqliteAfter ? perMessage(sqliteAfter.commits - sqliteBefore.commits) : null,
      loadGeneratorCpuMsPerMessage: perMessage((ownCpu.user + ownCpu.system) / 1000),
      serverRssMiB,
      conversationBytes: summary(stored.conversation),
      snapshotBytes: summary(stored.snapshot),
      redisBytesPerCustomer: Object.fromEntries(
        Object.entries(memory)
          .sort(([, a], [, b]) => b.bytes - a.bytes)
          .map(([kind, { bytes }]) => [kind, round(bytes / customers)]),
      ),
      serverProblems: {},
      logFiles: servers.map((server) => server.logFile),
    };
  } finally {
    // The servers first: a message still in hand would wait on a closed Graph API past the grace
    // period, and a server killed then writes no CPU profile.
    await Promise.all(servers.map((server) => server.stop()));
    await graph.close().catch(() => {});
    await proxy?.close();
    const problems: Record<string, number> = {};
    for (const server of servers) {
      for (const [event, count] of Object.entries(server.problems())) problems[event] = (problems[event] ?? 0) + count;
    }
    if (run) run.serverProblems = problems;
    if (redis && !options.keepKeys) await cleanPrefix(redis, prefix);
    redis?.disconnect();
  }
  if (!run) throw new Error('the end-to-end run ended without a result');
  return run;
}

/** What the run left in its store: the calendar, and each phone's stored conversation JSON. */
interface RunStore {
  calendar: Calendar;
  conversations(phones: string[]): Promise<string[]>;
  close(): void;
}

function redisStore(redis: Redis, prefix: string): RunStore {
  return {
    calendar: new RedisCalendar(redis, { prefix }),
    async conversations(phones) {
      const keys = redisKeys(prefix, 1, DEFAULT_SHOP_ID);
      const pipeline = redis.pipeline();
      for (const phone of phones) pipeline.hget(keys.phone(phone, 'conversation'), 'conversation');
      const answers = (await pipeline.exec()) ?? [];
      return answers.flatMap(([, json]) => (typeof json === 'string' ? [json] : []));
    },
    close() {},
  };
}

function sqliteStore(file: string): RunStore {
  const database = openDatabase(file);
  return {
    calendar: new SqliteCalendar(database),
    async conversations(phones) {
      return phones.flatMap((phone) => {
        const row = database.get<{ body: string }>(
          'SELECT body FROM conversations WHERE shop = ? AND phone = ?',
          DEFAULT_SHOP_ID,
          phone,
        );
        return row ? [row.body] : [];
      });
    },
    close: () => database.close(),
  };
}

/** The stored conversation JSON of each phone, and the XState snapshot inside it, in bytes. */
function sizesOf(conversations: string[]) {
  return {
    conversation: conversations.map((json) => Buffer.byteLength(json)),
    snapshot: conversations.map((json) =>
      Buffer.byteLength(JSON.stringify((JSON.parse(json) as { snapshot: unknown }).snapshot)),
    ),
  };
}

/** The runs `npm run bench -- end-to-end` makes: the goals of one process, side by side. */
/**
 * The runs `npm run bench` makes: Redis with Meta's latency and with an instant Graph API, the
 * embedded SQLite default, and Redis round trips counted twice: for one customer at a time (what
 * one message costs on its own) and with the benchmark's crowd (where messages of many phones
 * share trips).
 */
export function standardRuns(graphLatencyMs: number, roundTripCustomers: number): RunSpec[] {
  return [
    { store: 'redis', graphLatencyMs },
    { store: 'redis', graphLatencyMs: 0 },
    { store: 'embedded', graphLatencyMs },
    { store: 'redis', graphLatencyMs: 0, customers: 30, concurrency: 1, countRoundTrips: true },
    { store: 'redis', graphLatencyMs: 0, customers: roundTripCustomers, countRoundTrips: true },
  ];
}

/** The embedded database's transactions and commits, summed over the servers' /metrics. */
async function sqliteCounts(servers: BenchServer[]): Promise<{ transactions: number; commits: number }> {
  const counts = { transactions: 0, commits: 0 };
  for (const server of servers) {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
    counts.transactions += value('cita_sqlite_transactions_total');
    counts.commits += value('cita_sqlite_commits_total');
  }
  return counts;
}

const describe = (run: EndToEndRun) =>
  `${run.store === 'redis' ? 'Redis' : 'SQLite'}, Graph API ${run.graphLatencyMs ? `${run.graphLatencyMs} ms` : 'instant'}` +
  (run.processes > 1 ? `, ${run.processes} processes` : '');

/** The benchmark as `npm run bench` reports it. */
export async function endToEndBenchmark(options: EndToEndOptions, command: string): Promise<BenchResult> {
  const runs = await runEndToEnd(options);
  const figures = runs.flatMap((run) => {
    const label = describe(run);
    if (run.redisRoundTripsPerMessage !== null) {
      return [
        {
          label: `${label}, ${run.concurrency === 1 ? 'one customer at a time' : `${run.concurrency} customers at a time`}, through a counting relay: Redis round trips / commands per message`,
          value: `${run.redisRoundTripsPerMessage} / ${run.redisCommandsPerMessage}`,
        },
      ];
    }
    const instant = runs.find(
      (other) => other.store === run.store && other.graphLatencyMs === 0 && other.redisRoundTripsPerMessage === null,
    );
    const redisTwin = runs.find(
      (other) =>
        other.store === 'redis' &&
        other.graphLatencyMs === run.graphLatencyMs &&
        other.redisRoundTripsPerMessage === null,
    );
    const ratios = [
      run.graphLatencyMs > 0 && instant
        ? `×${round(run.messagesPerSecond / instant.messagesPerSecond, 2)} of instant`
        : '',
      run.store === 'embedded' && redisTwin
        ? `×${round(run.messagesPerSecond / redisTwin.messagesPerSecond, 2)} of Redis`
        : '',
    ].filter(Boolean);
    return [
      {
        label: `${label}: messages handled/s${ratios.length ? ` (${ratios.join(', ')})` : ''}; cita's CPU per message`,
        value: `${run.messagesPerSecond}; ${run.serverCpuMsPerMessage ?? 'n/a'} ms`,
      },
      {
        label: `${label}: webhook POST → 200 p99; → reply at Graph API p50 / p99`,
        value: `${run.acceptMs.p99}; ${run.replyMs.p50} / ${run.replyMs.p99}`,
        unit: 'ms',
      },
      {
        label: `${label}: booked / customers, double bookings`,
        value: `${run.booked} / ${run.customers}, ${run.doubleBookings}`,
      },
      ...(run.sqliteCommitsPerMessage === null
        ? []
        : [
            {
              label: `${label}: SQLite transactions / commits per message (those asked for together share a commit)`,
              value: `${run.sqliteTransactionsPerMessage} / ${run.sqliteCommitsPerMessage}`,
            },
          ]),
      {
        label: `${label}: CPU per message, Redis / load generator (cita's: above)`,
        value: `${run.redisCpuMsPerMessage ?? '–'} / ${run.loadGeneratorCpuMsPerMessage}`,
        unit: 'ms',
      },
    ];
  });
  return {
    name: 'end-to-end',
    title: 'End to end: customers booking through the webhook, the store and the Graph API',
    command,
    method:
      `${options.customers} customers (${options.concurrency} at a time, each answering as soon as the reply arrives) ` +
      'each book through POST /webhook/whatsapp of one `node src/server/main.ts` process (CITA_WORKERS default), on Redis ' +
      'or on the embedded SQLite file (no REDIS_URL), with replies going to a local Graph API that answers each send after ' +
      'BENCH_GRAPH_LATENCY_MS (Meta: 100–300 ms) or at once. Customers type "hola"/"hi", tap a service, pick a day and a ' +
      'time at random from those offered (typing "el 9 de diciembre" / "a las 17:30" half of the time, tapping otherwise) ' +
      'and type "sí"/"yes". Latency is from sending the webhook POST to the Graph API receiving the turn\'s question. Shop: ' +
      'bench/shop.json (the real services with 5–15 minute durations, open 00:00–23:55 every day, so 1,000 bookings fit in ' +
      'the 10 days offered). CPU from /proc of the server process and Redis INFO; every run has its own Redis prefix. ' +
      'Round trips are counted in a separate run through a TCP relay in front of Redis (each burst a client writes is one trip).',
    parameters: { customers: options.customers, concurrency: options.concurrency, runs: options.runs },
    figures,
    details: runs,
  };
}
