import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type BenchResult, RESULTS_DIR } from './support/record.ts';
import { BENCH_REDIS_URL, benchPrefix, cleanPrefix, connectRedis, infoNumber, redisCounters } from './support/redis.ts';
import { round } from './support/stats.ts';

const run = promisify(execFile);

export interface RedisCeilingOptions {
  /** Requests per command. */
  requests: number;
  /** Connections, as the end-to-end benchmark's customers at a time. */
  connections: number;
  /** Distinct keys per command (`-r`). */
  keyspace?: number;
  redisUrl?: string;
}

/** What cita measured per message end to end (bench/results/end-to-end.json, 1 process), if it has been run. */
export interface CitaPerMessage {
  redisCommandsPerMessage: number;
  redisCpuMsPerMessage: number;
  messagesPerSecond: number;
  source: string;
}

/** Before `npm run bench -- end-to-end` has written its result: the figures in the README. */
const README_FIGURES: CitaPerMessage = {
  redisCommandsPerMessage: 46,
  redisCpuMsPerMessage: 0.78,
  messagesPerSecond: 135,
  source: 'README.md (no bench/results/end-to-end.json)',
};

export function citaPerMessage(file = join(RESULTS_DIR, 'end-to-end.json')): CitaPerMessage {
  if (!existsSync(file)) return README_FIGURES;
  const result = JSON.parse(readFileSync(file, 'utf8')) as {
    details: {
      processes: number;
      redisCommandsPerMessage: number;
      redisCpuMsPerMessage: number;
      messagesPerSecond: number;
    }[];
    machine?: { timestamp?: string };
  };
  const one = result.details.find((run) => run.processes === 1) ?? result.details[0];
  return {
    redisCommandsPerMessage: one.redisCommandsPerMessage,
    redisCpuMsPerMessage: one.redisCpuMsPerMessage,
    messagesPerSecond: one.messagesPerSecond,
    source: `bench/results/end-to-end.json, 1 process (${result.machine?.timestamp ?? 'undated'})`,
  };
}

/** A 3,000-byte value: about what cita stores per conversation mid-booking. */
const CONVERSATION = 'x'.repeat(3000);

/** A lease like the inbox's: read the key, set it with an expiry, return what it held. */
const LEASE_LUA = "local v = redis.call('GET', KEYS[1]) redis.call('SET', KEYS[1], ARGV[1], 'PX', 30000) return v";

/**
 * The commands cita's Redis adapters send most, each on keys under the run's prefix (never
 * redis-benchmark's own `key:…`/`mylist` keys: the Redis may be shared); `__rand_int__` is
 * replaced by redis-benchmark with a random number below the keyspace.
 */
function commands(prefix: string, sha: string): { name: string; args: string[] }[] {
  const key = (kind: string) => `${prefix}:{__rand_int__}:${kind}`;
  return [
    { name: 'PING', args: ['PING'] },
    { name: 'SET … NX PX (dedup)', args: ['SET', key('seen'), '1', 'NX', 'PX', '604800000'] },
    { name: 'GET', args: ['GET', key('seen')] },
    { name: 'HSET 3 KB (save conversation)', args: ['HSET', key('conversation'), 'conversation', CONVERSATION] },
    { name: 'HGET 3 KB (load conversation)', args: ['HGET', key('conversation'), 'conversation'] },
    { name: 'RPUSH (queue a message)', args: ['RPUSH', key('queue'), 'message'] },
    { name: 'LRANGE 0 9', args: ['LRANGE', key('queue'), '0', '9'] },
    {
      name: 'ZADD (calendar, reminders)',
      args: ['ZADD', `${prefix}:{calendar}:by-start`, '__rand_int__', 'a:__rand_int__'],
    },
    {
      name: 'ZRANGEBYSCORE LIMIT 10',
      args: ['ZRANGEBYSCORE', `${prefix}:{calendar}:by-start`, '0', '+inf', 'LIMIT', '0', '10'],
    },
    { name: 'EVALSHA (lease script)', args: ['EVALSHA', sha, '1', key('lease'), 'worker'] },
  ];
}

export interface CommandRate {
  name: string;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

/** Parses `redis-benchmark --csv`: a header line, then one line per test. */
function parseCsv(output: string): { rps: number; p50: number; p99: number } {
  const rows = output
    .trim()
    .split('\n')
    .map((line) => line.split(',').map((cell) => cell.replaceAll('"', '')));
  const header = rows[0] ?? [];
  const row = rows.at(-1) ?? [];
  const at = (column: string) => Number(row[header.indexOf(column)]);
  const rps = at('rps');
  if (!Number.isFinite(rps) || rps <= 0) throw new Error(`redis-benchmark printed no rate: ${output.slice(0, 300)}`);
  return { rps, p50: at('p50_latency_ms'), p99: at('p99_latency_ms') };
}

/** Whether `redis-benchmark` runs on this machine. */
export async function redisBenchmarkVersion(): Promise<string | undefined> {
  try {
    return (await run('redis-benchmark', ['--version'])).stdout.trim();
  } catch {
    return undefined;
  }
}

/**
 * `redis-benchmark` against the benchmarks' Redis, one command at a time at the end-to-end
 * benchmark's concurrency: the ceiling Redis alone sets, against cita's Redis commands per message.
 */
export async function redisCeilingBenchmark(options: RedisCeilingOptions, command: string): Promise<BenchResult> {
  const url = new URL(options.redisUrl ?? BENCH_REDIS_URL);
  const host = url.hostname || '127.0.0.1';
  const port = url.port || '6379';
  const keyspace = options.keyspace ?? 10_000;
  const version = await redisBenchmarkVersion();
  const cita = citaPerMessage();
  const base = {
    name: 'redis-ceiling',
    title: 'The ceiling Redis sets: redis-benchmark at the end-to-end concurrency',
    command,
    parameters: { requests: options.requests, connections: options.connections, keyspace, host, port },
  };
  if (!version) {
    return {
      ...base,
      method:
        'redis-benchmark was not found on PATH (it comes with the redis-server or redis-tools package); nothing measured.',
      figures: [{ label: 'redis-benchmark', value: 'not installed' }],
    };
  }

  const redis = connectRedis(url.toString());
  const prefix = benchPrefix('ceiling');
  const rates: CommandRate[] = [];
  try {
    const sha = String(await redis.script('LOAD', LEASE_LUA));
    const redisVersion = (await redis.info('server')).match(/redis_version:(\S+)/)?.[1] ?? 'unknown';
    const before = await redisCounters(redis);
    const started = performance.now();
    for (const { name, args } of commands(prefix, sha)) {
      const auth = url.password ? ['-a', decodeURIComponent(url.password)] : [];
      const { stdout } = await run('redis-benchmark', [
        '-h',
        host,
        '-p',
        port,
        ...auth,
        '-q',
        '--csv',
        '-n',
        String(options.requests),
        '-c',
        String(options.connections),
        '-r',
        String(keyspace),
        ...args,
      ]);
      const { rps, p50, p99 } = parseCsv(stdout);
      rates.push({ name, requestsPerSecond: round(rps), p50Ms: p50, p99Ms: p99 });
    }
    const seconds = (performance.now() - started) / 1000;
    const after = await redisCounters(redis);
    const usedMemory = await infoNumber(redis, 'memory', 'used_memory');

    // One of each command per "message": the rate the mix runs at is the harmonic mean of the rates.
    const mixed = rates.filter((rate) => rate.name !== 'PING');
    const harmonic = mixed.length / mixed.reduce((sum, rate) => sum + 1 / rate.requestsPerSecond, 0);
    const best = Math.max(...mixed.map((rate) => rate.requestsPerSecond));
    const commandsRun = after.commands - before.commands;
    const redisCpuUsPerCommand = ((after.cpuSeconds - before.cpuSeconds) * 1e6) / commandsRun;
    const perMessage = cita.redisCommandsPerMessage;
    const maxByRate = harmonic / perMessage;
    // Redis is single-threaded: at most one core's worth of CPU, here or in cita's measured run.
    const maxByCpuHere = 1e6 / (redisCpuUsPerCommand * perMessage);
    const maxByCitaCpu = 1000 / cita.redisCpuMsPerMessage;
    return {
      ...base,
      method:
        `redis-benchmark (${version}) as a child process against Redis ${redisVersion} at ${host}:${port}, ` +
        `-q --csv -n ${options.requests} -c ${options.connections} (the end-to-end benchmark's customers at a time) ` +
        `-r ${keyspace}, no pipelining, one run per command cita's Redis adapters send most (the same commands as -t set,get,` +
        "lpush,lrange…, but on keys under this run's prefix, deleted afterwards, with cita-sized values: a 3 KB conversation, " +
        'a Lua lease by EVALSHA). The ceiling is the harmonic mean of their rates (one of each, PING left out); divided by ' +
        `cita's Redis commands per message (${perMessage}, from ${cita.source}) it is the most messages per second this ` +
        "Redis could serve if it did nothing but cita's commands. redis-benchmark, Redis and this process share the " +
        "machine's cores, as in the end-to-end benchmark. Redis CPU per command from INFO during the run.",
      figures: [
        {
          label: "Redis ops/s at this concurrency, cita's commands (harmonic mean / best)",
          value: `${Math.round(harmonic)} / ${Math.round(best)}`,
        },
        { label: 'Redis PING/s (round trips alone)', value: rates[0].requestsPerSecond },
        { label: 'Redis CPU per command', value: round(redisCpuUsPerCommand), unit: 'µs' },
        {
          label: `theoretical max messages/s on this Redis (${perMessage} commands per message)`,
          value: Math.round(maxByRate),
        },
        {
          label: "…by Redis CPU: one core ÷ cita's measured Redis CPU per message",
          value: `${Math.round(maxByCitaCpu)} (${cita.redisCpuMsPerMessage} ms)`,
        },
        {
          label: 'cita measured end to end, 1 process: share of the ceiling',
          value: `${cita.messagesPerSecond} messages/s = ${round((cita.messagesPerSecond / maxByRate) * 100, 2)}%`,
        },
      ],
      details: {
        commands: rates,
        harmonicMeanOpsPerSecond: round(harmonic),
        seconds: round(seconds),
        commandsRun,
        redisCpuUsPerCommand: round(redisCpuUsPerCommand),
        usedMemoryBytesAfter: usedMemory,
        cita,
        maxMessagesPerSecond: {
          byRate: Math.round(maxByRate),
          byRedisCpuPerCommandHere: Math.round(maxByCpuHere),
          byCitaRedisCpuPerMessage: Math.round(maxByCitaCpu),
        },
      },
    };
  } finally {
    await cleanPrefix(redis, prefix);
    redis.disconnect();
  }
}
