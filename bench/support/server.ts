import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../tests/support/net.ts';
import { GRAPH_ACCESS_TOKEN, GRAPH_PHONE_NUMBER_ID } from './graph-api.ts';
import { REPO_DIR } from './record.ts';

export const BENCH_APP_SECRET = 'bench-app-secret';
export const BENCH_SHOP_CONFIG = join(REPO_DIR, 'bench', 'shop.json');

export interface ServerOptions {
  /** REDIS_URL; without it the server keeps everything in SQLite in its data directory (the embedded default). */
  redisUrl?: string;
  prefix: string;
  /** CITA_DATA_DIR; a new temporary directory when absent. */
  dataDir?: string;
  graphUrl: string;
  shopConfig?: string;
  /** SHOPS_DIR: a folder of shop files instead of the one SHOP_CONFIG (each file names its number). */
  shopsDir?: string;
  /** REDIS_CLUSTER_NODES: a Redis Cluster instead of REDIS_URL. */
  redisClusterNodes?: string;
  /** CITA_WORKERS; the product's default when unset. */
  workers?: number;
  /** How long start-up may take before /healthz answers (a thousand shop files take longer); default 20 s. */
  startTimeoutMs?: number;
  /** Extra flags for node, e.g. --cpu-prof. */
  nodeArgs?: string[];
  label: string;
}

/** Settings a benchmark must never inherit from the shell: they would reach Google or an LLM. */
const NETWORKED = [
  'GOOGLE_CALENDAR_ID',
  'GOOGLE_SERVICE_ACCOUNT_JSON',
  'GOOGLE_APPLICATION_CREDENTIALS',
  'LLM_API_KEY',
];

/**
 * `node src/server/main.ts` as a child process, exactly as `npm start` runs it, with WhatsApp
 * pointed at the benchmark's Graph API and everything in Redis under the run's prefix. Its logs
 * go to a file (read afterwards for warnings and errors), never through this process.
 *
 * @example
 * const server = await startServer({ redisUrl, prefix, graphUrl: graph.url, label: 'e2e-1' });
 * await fetch(`${server.url}/healthz`);
 * await server.stop();
 */
export async function startServer(options: ServerOptions) {
  const port = await freePort();
  const logFile = join(mkdtempSync(join(tmpdir(), 'cita-bench-')), `${options.label}.log`);
  const log = openSync(logFile, 'w');
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'cita-bench-data-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    REDIS_PREFIX: options.prefix,
    SHOP_CONFIG: options.shopConfig ?? BENCH_SHOP_CONFIG,
    CITA_DATA_DIR: dataDir,
    WHATSAPP_ACCESS_TOKEN: GRAPH_ACCESS_TOKEN,
    WHATSAPP_PHONE_NUMBER_ID: GRAPH_PHONE_NUMBER_ID,
    WHATSAPP_APP_SECRET: BENCH_APP_SECRET,
    WHATSAPP_VERIFY_TOKEN: 'bench-verify-token',
    WHATSAPP_API_URL: options.graphUrl,
    // Meta's cap per business number (80/s by default) would measure Meta, not cita: raised to its maximum.
    WHATSAPP_MAX_PER_SECOND: process.env.WHATSAPP_MAX_PER_SECOND ?? '1000',
    LOG_HASH_SECRET: 'bench-log-hash-secret-0123456789',
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
    NODE_ENV: 'production',
  };
  for (const name of [...NETWORKED, 'CITA_NOW', 'CITA_WORKERS', 'VITEST', 'REDIS_URL']) delete env[name];
  for (const name of ['SHOPS_DIR', 'REDIS_CLUSTER_NODES']) delete env[name];
  if (options.redisUrl) env.REDIS_URL = options.redisUrl;
  if (options.redisClusterNodes) env.REDIS_CLUSTER_NODES = options.redisClusterNodes;
  if (options.shopsDir) {
    env.SHOPS_DIR = options.shopsDir;
    delete env.SHOP_CONFIG;
    delete env.WHATSAPP_PHONE_NUMBER_ID;
  }
  if (options.workers) env.CITA_WORKERS = String(options.workers);
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), 'src/server/main.ts'], {
    cwd: REPO_DIR,
    env,
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  const url = `http://127.0.0.1:${port}`;
  await waitUntilHealthy(url, child, logFile, options.startTimeoutMs);

  return {
    url,
    pid: child.pid!,
    logFile,
    /** CITA_DATA_DIR: where the embedded store's `cita.db` is. */
    dataDir,
    /** CPU seconds (user + system) the process has used so far; undefined where /proc is missing. */
    cpuSeconds: () => cpuSecondsOf(child.pid!),
    /** Resident memory in MiB; undefined where /proc is missing. */
    rssMiB: () => rssMiBOf(child.pid!),
    /** Warnings and errors the server logged, counted by their `event`. */
    problems: () => logProblems(logFile),
    /** SIGTERM (the server drains its workers), then SIGKILL if it has not gone after `graceMs`. */
    async stop(graceMs = 10_000): Promise<void> {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

export type BenchServer = Awaited<ReturnType<typeof startServer>>;

async function waitUntilHealthy(url: string, child: ChildProcess, logFile: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`the cita server exited with ${child.exitCode} before answering; its log:\n${tail(logFile)}`);
    }
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`the cita server did not answer /healthz within ${timeoutMs / 1000} s; its log:\n${tail(logFile)}`);
}

function tail(file: string): string {
  return readFileSync(file, 'utf8').split('\n').slice(-20).join('\n');
}

let clockTicks: number | undefined;

export function cpuSecondsOf(pid: number): number | undefined {
  try {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    return (Number(fields[11]) + Number(fields[12])) / clockTicks;
  } catch {
    return undefined;
  }
}

function rssMiBOf(pid: number): number | undefined {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('VmRSS:'));
    return line ? Math.round(Number(line.split(/\s+/)[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

/** pino levels 40 (warn) and above, counted by event name. */
function logProblems(logFile: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const line of readFileSync(logFile, 'utf8').split('\n')) {
    if (!line.includes('"level":4') && !line.includes('"level":5') && !line.includes('"level":6')) continue;
    try {
      const entry = JSON.parse(line) as { level: number; event?: string; msg?: string };
      if (entry.level < 40) continue;
      const key = `${entry.level >= 50 ? 'error' : 'warn'} ${entry.event ?? entry.msg ?? '?'}`;
      counts[key] = (counts[key] ?? 0) + 1;
    } catch {
      counts['unparsed output'] = (counts['unparsed output'] ?? 0) + 1;
    }
  }
  return counts;
}
