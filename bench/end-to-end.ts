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
import { type BenchServer, startServer } from './support/server.ts';
import { round, summary } from './support/stats.ts';

export interface EndToEndOptions {
  customers: number;
  /** Customers in a conversation at the same time (each answers as soon as the reply arrives). */
  concurrency: number;
  /** Server processes to compare, each count a separate run on a fresh Redis prefix. */
  processes: number[];
  redisUrl?: string;
  /** Extra node flags for the servers (e.g. --cpu-prof). */
  nodeArgs?: string[];
  /** Keep the Redis keys (for inspecting a run); default: deleted. */
  keepKeys?: boolean;
}

/** One run: `processes` servers on one Redis, `customers` bookings. */
export interface EndToEndRun {
  processes: number;
  customers: number;
  booked: number;
  failed: number;
  failures: Record<string, number>;
  messages: number;
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
  redisCpuMsPerMessage: number;
  redisCommandsPerMessage: number;
  /** CPU of this benchmark process (customers and Graph API), per message: the load generator's share of the 2 cores. */
  loadGeneratorCpuMsPerMessage: number;
  serverRssMiB: (number | undefined)[];
  /** Stored conversation (the JSON Redis keeps per phone) of the customers, after booking. */
  conversationBytes: ReturnType<typeof summary>;
  /** The XState snapshot alone, inside it. */
  snapshotBytes: ReturnType<typeof summary>;
  /** Redis memory the run left behind, per customer, by kind of key. */
  redisBytesPerCustomer: Record<string, number>;
  serverProblems: Record<string, number>;
  logFiles: string[];
}

/**
 * Customers book through the webhook of real `node src/server/main.ts` processes on one Redis,
 * with replies going to a local Graph API, and the calendar is checked for double bookings.
 */
export async function runEndToEnd(options: EndToEndOptions): Promise<EndToEndRun[]> {
  const runs: EndToEndRun[] = [];
  for (const processes of options.processes) runs.push(await oneRun(options, processes));
  return runs;
}

async function oneRun(options: EndToEndOptions, processCount: number): Promise<EndToEndRun> {
  const redisUrl = options.redisUrl ?? BENCH_REDIS_URL;
  const prefix = benchPrefix(`e2e${processCount}`);
  const redis = connectRedis(redisUrl);
  let crowd: CustomerCrowd | undefined;
  const graph = await startBenchGraphApi((sent) => crowd?.receive(sent));
  const servers: BenchServer[] = [];
  let run: EndToEndRun | undefined;
  try {
    for (let i = 0; i < processCount; i++) {
      servers.push(
        await startServer({
          redisUrl,
          prefix,
          graphUrl: graph.url,
          nodeArgs: options.nodeArgs,
          label: `e2e-${processCount}-${i}`,
        }),
      );
    }
    crowd = new CustomerCrowd(servers.map((server) => server.url));
    const random = seededRandom(processCount * 7919);
    const outcomes: CustomerOutcome[] = [];

    const cpuBefore = servers.map((server) => server.cpuSeconds());
    const redisBefore = await redisCounters(redis);
    const ownCpuBefore = process.cpuUsage();
    const started = performance.now();
    let next = 0;
    const customerLoop = async () => {
      while (next < options.customers) {
        const index = next++;
        const phone = `346${String(index).padStart(8, '0')}`;
        const outcome = await crowd!.book(phone, index % 3 === 2 ? 'en' : 'es', random);
        outcomes.push(outcome);
        // Nobody has booked and several have failed: the set-up is broken, not slow; stop early.
        if (!outcome.booked && !outcomes.some((o) => o.booked) && outcomes.length >= 3) next = options.customers;
      }
    };
    await Promise.all(Array.from({ length: Math.min(options.concurrency, options.customers) }, customerLoop));
    const seconds = (performance.now() - started) / 1000;
    const ownCpu = process.cpuUsage(ownCpuBefore);
    const redisAfter = await redisCounters(redis);
    const cpuAfter = servers.map((server) => server.cpuSeconds());

    const messages = crowd.samples.length;
    const booked = outcomes.filter((outcome) => outcome.booked).length;
    const failures: Record<string, number> = {};
    for (const outcome of outcomes)
      if (outcome.failure) failures[outcome.failure] = (failures[outcome.failure] ?? 0) + 1;
    const cpuUsed =
      cpuAfter.every((x) => x !== undefined) && cpuBefore.every((x) => x !== undefined)
        ? cpuAfter.reduce((sum, after, i) => sum + (after! - cpuBefore[i]!), 0)
        : undefined;
    const calendar = await checkCalendar(redis, prefix);
    const stored = await storedConversations(
      redis,
      prefix,
      outcomes.map((outcome) => outcome.phone),
    );
    const memory = await memoryByKind(redis, prefix);
    const serverRssMiB = servers.map((server) => server.rssMiB());

    run = {
      processes: processCount,
      customers: options.customers,
      booked,
      failed: outcomes.length - booked,
      failures,
      messages,
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
      serverCpuMsPerMessage: cpuUsed === undefined ? null : round((cpuUsed * 1000) / messages),
      redisCpuMsPerMessage: round(((redisAfter.cpuSeconds - redisBefore.cpuSeconds) * 1000) / messages),
      redisCommandsPerMessage: round((redisAfter.commands - redisBefore.commands) / messages),
      loadGeneratorCpuMsPerMessage: round((ownCpu.user + ownCpu.system) / 1000 / messages),
      serverRssMiB,
      conversationBytes: summary(stored.conversation),
      snapshotBytes: summary(stored.snapshot),
      redisBytesPerCustomer: Object.fromEntries(
        Object.entries(memory)
          .sort(([, a], [, b]) => b.bytes - a.bytes)
          .map(([kind, { bytes }]) => [kind, round(bytes / options.customers)]),
      ),
      serverProblems: {},
      logFiles: servers.map((server) => server.logFile),
    };
  } finally {
    await graph.close().catch(() => {});
    await Promise.all(servers.map((server) => server.stop()));
    const problems: Record<string, number> = {};
    for (const server of servers) {
      for (const [event, count] of Object.entries(server.problems())) problems[event] = (problems[event] ?? 0) + count;
    }
    if (run) run.serverProblems = problems;
    if (!options.keepKeys) await cleanPrefix(redis, prefix);
    redis.disconnect();
  }
  if (!run) throw new Error('the end-to-end run ended without a result');
  return run;
}

/** The stored conversation JSON of each phone, and the XState snapshot inside it, in bytes. */
async function storedConversations(redis: ReturnType<typeof connectRedis>, prefix: string, phones: string[]) {
  const pipeline = redis.pipeline();
  for (const phone of phones) pipeline.hget(`${prefix}:{${phone}}:conversation`, 'conversation');
  const answers = (await pipeline.exec()) ?? [];
  const conversation: number[] = [];
  const snapshot: number[] = [];
  for (const [, json] of answers) {
    if (typeof json !== 'string') continue;
    conversation.push(Buffer.byteLength(json));
    snapshot.push(Buffer.byteLength(JSON.stringify((JSON.parse(json) as { snapshot: unknown }).snapshot)));
  }
  return { conversation, snapshot };
}

/** The benchmark as `npm run bench` reports it. */
export async function endToEndBenchmark(options: EndToEndOptions, command: string): Promise<BenchResult> {
  const runs = await runEndToEnd(options);
  const base = runs[0];
  const figures = runs.flatMap((run) => {
    const label = `${run.processes} process${run.processes > 1 ? 'es' : ''}`;
    const scale = run === base ? '' : ` (×${round(run.messagesPerSecond / base.messagesPerSecond, 2)} of 1 process)`;
    return [
      { label: `${label}: messages handled/s${scale}`, value: run.messagesPerSecond },
      { label: `${label}: bookings/s`, value: run.bookingsPerSecond },
      {
        label: `${label}: webhook POST → reply at Graph API p50 / p99`,
        value: `${run.replyMs.p50} / ${run.replyMs.p99}`,
        unit: 'ms',
      },
      {
        label: `${label}: booked / customers, double bookings`,
        value: `${run.booked} / ${run.customers}, ${run.doubleBookings}`,
      },
      {
        label: `${label}: CPU per message, cita / Redis / load generator`,
        value: `${run.serverCpuMsPerMessage ?? 'n/a'} / ${run.redisCpuMsPerMessage} / ${run.loadGeneratorCpuMsPerMessage}`,
        unit: 'ms',
      },
    ];
  });
  return {
    name: 'end-to-end',
    title: 'End to end: customers booking through the webhook, Redis and the Graph API',
    command,
    method:
      `${options.customers} customers (${options.concurrency} at a time, each answering as soon as the reply arrives) ` +
      'each book through POST /webhook/whatsapp of `node src/server/main.ts` processes (CITA_WORKERS default) on one Redis, ' +
      'with bookings in Redis and replies going to a local Graph API. Customers say "hola"/"hi" and then tap list rows and ' +
      'buttons picked at random from those offered (service, day of the 10 listed, time of the 9 shown, confirm). ' +
      "Latency is from sending the webhook POST to the Graph API receiving the turn's question. Shop: bench/shop.json " +
      '(the real services with 5–15 minute durations, open 00:00–23:55 every day, so 1,000 bookings fit in the 10 days offered). ' +
      'CPU from /proc of the server processes and Redis INFO; every run has its own Redis prefix.',
    parameters: { customers: options.customers, concurrency: options.concurrency, processes: options.processes },
    figures,
    details: runs,
  };
}
