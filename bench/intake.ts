import autocannon, { type Options, type Request, type Result } from 'autocannon';
import { startBareHono } from './support/bare-hono.ts';
import { startBenchGraphApi } from './support/graph-api.ts';
import type { BenchResult } from './support/record.ts';
import { BENCH_REDIS_URL, benchPrefix, cleanPrefix, connectRedis, keysUnder } from './support/redis.ts';
import { startServer } from './support/server.ts';
import { round } from './support/stats.ts';
import { signedHeaders, wamid, webhookBody } from './support/whatsapp.ts';

/** The steady rate the webhook's latency is measured at (the goal: p99 ≤ 15 ms there). */
const STEADY_RATE = 1_000;

export interface IntakeOptions {
  /** Seconds each route is loaded (after a warm-up of a fifth of it). */
  seconds: number;
  connections: number;
  /** Distinct customer phones the messages come from. */
  phones?: number;
  redisUrl?: string;
}

interface RouteFigures {
  requestsPerSecond: number;
  latencyMs: { p50: number; p99: number; max: number };
  requests: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  serverCpuMsPerRequest: number | null;
}

/**
 * POST /webhook/whatsapp of a real server process on Redis under load, with signed, real-shaped
 * text messages and a new message id on every request; then, in the same run and process, the
 * bare GET /healthz for the ratio. The Graph API holds its answers during the run, so the
 * server's workers stay parked on their first reply and the figure is the webhook alone
 * (signature, parsing, durable inbox), not the conversations it starts.
 */
export async function intakeBenchmark(options: IntakeOptions, command: string): Promise<BenchResult> {
  const redisUrl = options.redisUrl ?? BENCH_REDIS_URL;
  const phones = options.phones ?? 1000;
  const prefix = benchPrefix('intake');
  const redis = connectRedis(redisUrl);
  const graph = await startBenchGraphApi();
  graph.stall();
  const server = await startServer({ redisUrl, prefix, graphUrl: graph.url, label: 'intake' });
  let sent = 0;
  const webhook = {
    url: `${server.url}/webhook/whatsapp`,
    connections: options.connections,
    requests: [
      {
        method: 'POST',
        setupRequest(request: Request) {
          const phone = `347${String(sent++ % phones).padStart(8, '0')}`;
          const body = webhookBody(phone, { kind: 'text', text: 'quiero un corte mañana a las 5' }, wamid());
          return { ...request, method: 'POST', body, headers: signedHeaders(body) };
        },
      },
    ],
  };
  const health = { url: `${server.url}/healthz`, connections: options.connections };
  const bareHono = await startBareHono();
  const barePost = { ...webhook, url: `${bareHono.url}/webhook/whatsapp` };
  const load = async (target: Options, cpuSeconds = server.cpuSeconds): Promise<RouteFigures> => {
    await autocannon({ ...target, duration: Math.max(1, Math.round(options.seconds / 5)) });
    const cpuBefore = cpuSeconds();
    const result: Result = await autocannon({ ...target, duration: options.seconds });
    const cpuAfter = cpuSeconds();
    return {
      requestsPerSecond: round(result.requests.average),
      latencyMs: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
      requests: result.requests.total,
      errors: result.errors,
      timeouts: result.timeouts,
      non2xx: result.non2xx,
      serverCpuMsPerRequest:
        cpuBefore === undefined || cpuAfter === undefined
          ? null
          : round(((cpuAfter - cpuBefore) * 1000) / Math.max(1, result.requests.total)),
    };
  };
  try {
    const bare = await load(health);
    const posts = await load(webhook);
    const bareHonoPosts = await load(barePost, bareHono.cpuSeconds);
    // Meta's deliveries at a steady 1,000 a second, as a busy number's would come, not as fast as answered.
    const steady = await load({ ...webhook, overallRate: STEADY_RATE });
    // Every 200 must be a message stored in Redis: the workers hold at most one per loop, still queued.
    const queued = await queuedMessages(redis, prefix);
    const ratio = round(posts.requestsPerSecond / bare.requestsPerSecond, 2);
    return {
      name: 'intake',
      title: 'Webhook intake: signed WhatsApp payloads into the Redis inbox',
      command,
      method:
        `autocannon, ${options.connections} connections, ${options.seconds} s per route after a ${Math.max(1, Math.round(options.seconds / 5))} s warm-up, ` +
        'against one `node src/server/main.ts` (WhatsApp on, REDIS_URL set, logs at info to a file). Each POST is a Meta-shaped text ' +
        `message from one of ${phones} phones with a unique wamid, signed with X-Hub-Signature-256. GET /healthz of the same process ` +
        'in the same run gives the ratio, and so does a bare Hono app (own process) whose POST reads the same body and answers 200. The Graph API holds its answers during the run, so workers do not compete for the CPU.',
      parameters: { seconds: options.seconds, connections: options.connections, phones },
      figures: [
        { label: 'POST /webhook/whatsapp requests/s', value: posts.requestsPerSecond },
        {
          label: 'POST /webhook/whatsapp latency p50 / p99',
          value: `${posts.latencyMs.p50} / ${posts.latencyMs.p99}`,
          unit: 'ms',
        },
        {
          label: 'POST /webhook/whatsapp errors (errors + timeouts + non-2xx)',
          value: posts.errors + posts.timeouts + posts.non2xx,
        },
        { label: 'GET /healthz requests/s (same process)', value: bare.requestsPerSecond },
        { label: 'webhook ÷ healthz throughput', value: ratio },
        {
          label: 'bare Hono POST of the same signed body (own process): requests/s, p99',
          value: `${bareHonoPosts.requestsPerSecond}, ${bareHonoPosts.latencyMs.p99} ms`,
        },
        {
          label: `POST /webhook/whatsapp at a steady ${STEADY_RATE} req/s: p50 / p99`,
          value: `${steady.latencyMs.p50} / ${steady.latencyMs.p99}`,
          unit: 'ms',
        },
        {
          label: 'webhook ÷ bare Hono POST throughput',
          value: round(posts.requestsPerSecond / bareHonoPosts.requestsPerSecond, 2),
        },
        { label: 'server CPU per webhook POST', value: posts.serverCpuMsPerRequest ?? 'n/a', unit: 'ms' },
      ],
      details: {
        webhook: posts,
        healthz: bare,
        bareHonoPost: bareHonoPosts,
        steady,
        messagesQueuedInRedis: queued,
        webhookRequestsIncludingWarmup: sent,
      },
    };
  } finally {
    graph.release();
    await bareHono.stop();
    await server.stop(5_000);
    await graph.close();
    await cleanPrefix(redis, prefix);
    redis.disconnect();
  }
}

async function queuedMessages(redis: ReturnType<typeof connectRedis>, prefix: string): Promise<number> {
  const queues = (await keysUnder(redis, prefix)).filter((key) => key.endsWith(':queue'));
  const pipeline = redis.pipeline();
  for (const key of queues) pipeline.llen(key);
  return ((await pipeline.exec()) ?? []).reduce((sum, [, length]) => sum + Number(length ?? 0), 0);
}
