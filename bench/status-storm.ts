import autocannon, { type Options, type Request, type Result } from 'autocannon';
import { startBenchGraphApi } from './support/graph-api.ts';
import type { BenchResult } from './support/record.ts';
import { BENCH_REDIS_URL, benchPrefix, cleanPrefix, connectRedis, redisAnswers } from './support/redis.ts';
import { startServer } from './support/server.ts';
import { round } from './support/stats.ts';
import { signedHeaders, wamid, webhookBody } from './support/whatsapp.ts';

/** Meta's webhook rate the storm is measured at: a message and its three statuses, 250 times a second. */
const STEADY_RATE = 1_000;
/** Each message cita sends comes back as three statuses: sent, delivered, read. */
const STATUSES = ['sent', 'delivered', 'read'] as const;

export interface StatusStormOptions {
  seconds: number;
  connections: number;
}

/** The goal: under a storm of statuses, the webhook still answers within this at p99. */
export const STATUS_STORM_P99_GOAL_MS = 200;

interface Figures {
  requestsPerSecond: number;
  latencyMs: { p50: number; p99: number; max: number };
  requests: number;
  failures: number;
  /** The server's CPU (user + system, from /proc) over the load, per POST; null where /proc is missing. */
  serverCpuMsPerRequest: number | null;
}

/** What each load posts: three statuses to one customer message, or statuses alone. */
type Mix = 'statusesAndMessages' | 'statusesOnly';

/** A status webhook of one of cita's messages, as Meta posts it: with the outbox id cita sent along. */
function statusBody(phone: string, messageId: string, status: string, outboxId: string): string {
  return JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: 'WABA',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '34910000000', phone_number_id: '106540352242922' },
              statuses: [
                {
                  id: messageId,
                  status,
                  timestamp: String(Math.floor(Date.now() / 1000)),
                  recipient_id: phone,
                  biz_opaque_callback_data: JSON.stringify({ o: outboxId, c: phone, p: 'reply' }),
                },
              ],
            },
          },
        ],
      },
    ],
  });
}

/**
 * POST /webhook/whatsapp of a real server process under a storm of status webhooks: for every
 * customer message, the three statuses of a reply (each its own POST, as Meta sends them), each
 * recorded against its outbox id (sent, delivered) as a resend after a crash needs. On SQLite and,
 * when it answers, on Redis; at a steady 1,000 requests a second and flat out.
 */
export async function statusStormBenchmark(options: StatusStormOptions, command: string): Promise<BenchResult> {
  const stores: ('sqlite' | 'redis')[] = (await redisAnswers()) ? ['sqlite', 'redis'] : ['sqlite'];
  const runs: Record<string, { steady: Figures; statusesOnly: Figures; flatOut: Figures }> = {};
  for (const store of stores) runs[store] = await storm(store, options);
  const figures = stores.flatMap((store) => {
    const { steady, statusesOnly, flatOut } = runs[store]!;
    return [
      {
        label: `${store}: webhook at a steady ${STEADY_RATE} req/s (3 statuses : 1 message), p50 / p99 / max (goal: p99 ≤ ${STATUS_STORM_P99_GOAL_MS})`,
        value: `${steady.latencyMs.p50} / ${steady.latencyMs.p99} / ${steady.latencyMs.max}`,
        unit: 'ms',
      },
      {
        label: `${store}: statuses alone at a steady ${STEADY_RATE} req/s: p99; server CPU per status`,
        value: `${statusesOnly.latencyMs.p99} ms; ${statusesOnly.serverCpuMsPerRequest ?? 'n/a'} ms`,
      },
      {
        label: `${store}: flat out, requests/s and p99; server CPU per POST`,
        value: `${flatOut.requestsPerSecond}, ${flatOut.latencyMs.p99} ms; ${flatOut.serverCpuMsPerRequest ?? 'n/a'} ms`,
      },
      {
        label: `${store}: failed requests (errors, timeouts, non-2xx)`,
        value: steady.failures + statusesOnly.failures + flatOut.failures,
      },
    ];
  });
  return {
    name: 'status-storm',
    title: 'Webhook under a storm of delivery statuses',
    command,
    method:
      `autocannon, ${options.connections} connections, ${options.seconds} s per load after a warm-up, against one ` +
      '`node src/server/main.ts` (WhatsApp on). Three of every four POSTs are a status (sent, delivered, read) of a reply, ' +
      'carrying its biz_opaque_callback_data; the fourth is a customer text; one more load posts statuses alone. CPU per status or POST ' +
      "is the server process's user + system time from /proc over a load, divided by the POSTs answered. The Graph API holds its " +
      'answers, so the figure is the webhook. `machine.loadAverage` says how busy the machine was: figures taken at a load above ' +
      'its CPU count are slower than an idle machine would give.',
    parameters: { ...options, steadyRate: STEADY_RATE, p99GoalMs: STATUS_STORM_P99_GOAL_MS },
    figures,
    details: runs,
  };
}

async function storm(store: 'sqlite' | 'redis', options: StatusStormOptions) {
  const prefix = benchPrefix('status-storm');
  const graph = await startBenchGraphApi();
  graph.stall();
  const server = await startServer({
    ...(store === 'redis' && { redisUrl: BENCH_REDIS_URL }),
    prefix,
    graphUrl: graph.url,
    label: `status-storm-${store}`,
  });
  let n = 0;
  const target = (mix: Mix) => ({
    url: `${server.url}/webhook/whatsapp`,
    connections: options.connections,
    requests: [
      {
        method: 'POST' as const,
        setupRequest(request: Request) {
          const i = n++;
          // Statuses alone: every fourth POST is a `read`, as a message's third status.
          const slot = mix === 'statusesOnly' && i % 4 === 0 ? 3 : i % 4;
          const phone = `347${String(Math.floor(i / 4) % 1000).padStart(8, '0')}`;
          const body =
            slot === 0
              ? webhookBody(phone, { kind: 'text', text: 'hola' }, wamid())
              : statusBody(
                  phone,
                  `wamid.OUT${Math.floor(i / 4)}`,
                  STATUSES[slot - 1]!,
                  `wamid.IN${Math.floor(i / 4)}#0`,
                );
          return { ...request, method: 'POST', body, headers: signedHeaders(body) };
        },
      },
    ],
  });
  const measure = async (mix: Mix, extra: Partial<Options> = {}): Promise<Figures> => {
    const cpuBefore = server.cpuSeconds();
    const result: Result = await autocannon({ ...target(mix), ...extra, duration: options.seconds });
    const cpuAfter = server.cpuSeconds();
    return {
      requestsPerSecond: round(result.requests.average),
      latencyMs: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
      requests: result.requests.total,
      failures: result.errors + result.timeouts + result.non2xx,
      serverCpuMsPerRequest:
        cpuBefore === undefined || cpuAfter === undefined
          ? null
          : round(((cpuAfter - cpuBefore) * 1000) / Math.max(1, result.requests.total)),
    };
  };
  try {
    await autocannon({ ...target('statusesAndMessages'), duration: Math.max(1, Math.round(options.seconds / 5)) });
    const steady = await measure('statusesAndMessages', { overallRate: STEADY_RATE });
    const statusesOnly = await measure('statusesOnly', { overallRate: STEADY_RATE });
    const flatOut = await measure('statusesAndMessages');
    return { steady, statusesOnly, flatOut };
  } finally {
    graph.release();
    await server.stop(5_000);
    await graph.close();
    if (store === 'redis') {
      const redis = connectRedis(BENCH_REDIS_URL);
      await cleanPrefix(redis, prefix);
      redis.disconnect();
    }
  }
}
