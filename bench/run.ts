import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { log } from '../src/log.ts';
import { availabilityBenchmark } from './availability.ts';
import { conversationCostBenchmark } from './conversation-cost.ts';
import { costBenchmark } from './cost.ts';
import { endToEndBenchmark, standardRuns } from './end-to-end.ts';
import { inProcessBenchmark } from './in-process.ts';
import { intakeBenchmark } from './intake.ts';
import { manyShopsBenchmark, type ShopsStore } from './many-shops.ts';
import { peerBenchmark } from './peer.ts';
import { redisCeilingBenchmark } from './redis-ceiling.ts';
import { statusStormBenchmark } from './status-storm.ts';
import { GRAPH_LATENCY_MS } from './support/graph-api.ts';
import { type BenchResult, machineDescription, REPO_DIR, RESULTS_DIR, saveResult } from './support/record.ts';
import { BENCH_REDIS_URL, redisAnswers } from './support/redis.ts';

const USAGE = `Usage: npm run bench -- [--quick] [name ...]
Benchmarks: intake, status-storm, end-to-end, in-process, cost, availability, conversation-cost, redis-ceiling, many-shops, peer (default: all).
  --quick   small sizes (seconds, not minutes); results go to the temp directory, not bench/results/
  --table   run nothing: rebuild table.md (and, for bench/results/, the README's table) from the saved results
Environment: BENCH_CUSTOMERS (1000), BENCH_CONCURRENCY (400 for end-to-end, 50 otherwise), BENCH_GRAPH_LATENCY_MS (150),
  BENCH_CONVERSATIONS (10000, in-process's memory figures), REDIS_URL (redis://127.0.0.1:6379), BENCH_RESULTS_DIR;
  many-shops: BENCH_SHOP_FILES (1000), BENCH_SHOPS (100), BENCH_CUSTOMERS_PER_SHOP (100), BENCH_STORES (embedded,redis,cluster),
  BENCH_REPLY_TIMEOUT_MS (50 ms per customer, at least 20 s).`;

interface Benchmark {
  name: string;
  needsRedis: boolean;
  run(quick: boolean, command: string): Promise<BenchResult> | BenchResult;
}

const numberFromEnv = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);

export const BENCHMARKS: Benchmark[] = [
  {
    name: 'intake',
    needsRedis: true,
    run: (quick, command) => intakeBenchmark({ seconds: quick ? 2 : 10, connections: quick ? 10 : 20 }, command),
  },
  {
    name: 'status-storm',
    needsRedis: false,
    run: (quick, command) => statusStormBenchmark({ seconds: quick ? 2 : 10, connections: quick ? 10 : 20 }, command),
  },
  {
    name: 'end-to-end',
    needsRedis: true,
    run: (quick, command) =>
      endToEndBenchmark(
        {
          customers: numberFromEnv('BENCH_CUSTOMERS', quick ? 60 : 1000),
          // Little's law: with Meta's 150 ms per send, hundreds of conversations must be under way
          // at once for a thousand messages a second.
          concurrency: numberFromEnv('BENCH_CONCURRENCY', quick ? 20 : 400),
          runs: standardRuns(GRAPH_LATENCY_MS, quick ? 20 : 400),
        },
        command,
      ),
  },
  {
    name: 'in-process',
    needsRedis: false,
    run: (quick, command) =>
      inProcessBenchmark(
        {
          customers: numberFromEnv('BENCH_CUSTOMERS', quick ? 100 : 1000),
          concurrency: numberFromEnv('BENCH_CONCURRENCY', 50),
          conversations: numberFromEnv('BENCH_CONVERSATIONS', quick ? 1000 : 10_000),
        },
        command,
      ),
  },
  {
    name: 'cost',
    needsRedis: true,
    run: (quick, command) =>
      costBenchmark({ idleConversations: quick ? 1000 : 10_000, profiledCustomers: quick ? 30 : 200 }, command),
  },
  {
    name: 'availability',
    needsRedis: false,
    run: (quick, command) => availabilityBenchmark({ iterations: quick ? 5 : 100 }, command),
  },
  { name: 'conversation-cost', needsRedis: false, run: (_quick, command) => conversationCostBenchmark(command) },
  {
    name: 'redis-ceiling',
    needsRedis: true,
    run: (quick, command) =>
      redisCeilingBenchmark(
        { requests: quick ? 5000 : 50_000, connections: numberFromEnv('BENCH_CONCURRENCY', quick ? 20 : 50) },
        command,
      ),
  },
  {
    name: 'many-shops',
    // Without Redis (or redis-server for the cluster) those stores are left out and the result says so.
    needsRedis: false,
    run: (quick, command) =>
      manyShopsBenchmark(
        {
          shopFiles: numberFromEnv('BENCH_SHOP_FILES', quick ? 20 : 1000),
          shops: numberFromEnv('BENCH_SHOPS', quick ? 4 : 100),
          customersPerShop: numberFromEnv('BENCH_CUSTOMERS_PER_SHOP', quick ? 5 : 100),
          graphLatencyMs: GRAPH_LATENCY_MS,
          stores: (process.env.BENCH_STORES ?? 'embedded,redis,cluster').split(',') as ShopsStore[],
          ...(process.env.BENCH_REPLY_TIMEOUT_MS && { replyTimeoutMs: Number(process.env.BENCH_REPLY_TIMEOUT_MS) }),
        },
        command,
      ),
  },
  {
    name: 'peer',
    needsRedis: false,
    run: (quick, command) =>
      peerBenchmark(
        {
          customers: numberFromEnv('BENCH_CUSTOMERS', quick ? 100 : 1000),
          concurrency: numberFromEnv('BENCH_CONCURRENCY', quick ? 20 : 50),
        },
        command,
      ),
  },
];

/** The sizes each benchmark takes from the environment. */
const ENV_OF: Record<string, string[]> = {
  'end-to-end': ['BENCH_CUSTOMERS', 'BENCH_CONCURRENCY', 'BENCH_GRAPH_LATENCY_MS'],
  'in-process': ['BENCH_CUSTOMERS', 'BENCH_CONCURRENCY', 'BENCH_CONVERSATIONS'],
  'redis-ceiling': ['BENCH_CONCURRENCY'],
  peer: ['BENCH_CUSTOMERS', 'BENCH_CONCURRENCY'],
  'many-shops': [
    'BENCH_SHOP_FILES',
    'BENCH_SHOPS',
    'BENCH_CUSTOMERS_PER_SHOP',
    'BENCH_STORES',
    'BENCH_GRAPH_LATENCY_MS',
  ],
};

/** The command that reproduces a benchmark as it is being run now. */
function commandFor(name: string, quick: boolean): string {
  const env = Object.values(ENV_OF)
    .flat()
    .filter((variable, i, all) => all.indexOf(variable) === i)
    .filter((variable) => (ENV_OF[name] ?? []).includes(variable) && process.env[variable])
    .map((variable) => `${variable}=${process.env[variable]} `)
    .join('');
  return `${env}npm run bench -- ${quick ? '--quick ' : ''}${name}`;
}

/** The results as a Markdown table: benchmark, figure, value, command. */
export function resultsTable(results: BenchResult[]): string {
  const rows = results.flatMap((result) =>
    result.figures.map((figure, i) => [
      i === 0 ? result.name : '',
      figure.label,
      `${figure.value}${figure.unit ? ` ${figure.unit}` : ''}`,
      i === 0 ? `\`${result.command}\`` : '',
    ]),
  );
  const header = ['benchmark', 'figure', 'value', 'command'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}

/** Where the README's table of figures sits; `writeTables` rewrites what is between. */
const README_TABLE = { start: '<!-- bench-table:start -->', end: '<!-- bench-table:end -->' };

/** The results saved in `dir`, in the benchmarks' order. */
function savedResults(dir: string): BenchResult[] {
  return BENCHMARKS.map((benchmark) => join(dir, `${benchmark.name}.json`))
    .filter((path) => existsSync(path))
    .map((path) => JSON.parse(readFileSync(path, 'utf8')) as BenchResult);
}

/**
 * table.md from every result saved in `dir`, and, for the committed results, the README's table
 * too: the README never shows a figure the results do not hold.
 */
function writeTables(dir: string): string {
  const table = resultsTable(savedResults(dir));
  writeFileSync(join(dir, 'table.md'), `${table}\n`);
  if (dir === RESULTS_DIR) {
    const readmePath = join(REPO_DIR, 'README.md');
    const readme = readFileSync(readmePath, 'utf8');
    const [before, rest] = readme.split(README_TABLE.start);
    const after = rest?.split(README_TABLE.end)[1];
    if (before === undefined || after === undefined)
      throw new Error(`README.md has no ${README_TABLE.start} … end markers`);
    writeFileSync(readmePath, `${before}${README_TABLE.start}\n${table}\n${README_TABLE.end}${after}`);
  }
  return table;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      table: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
  });
  if (values.help) return console.log(USAGE);
  if (values.table) return console.log(writeTables(process.env.BENCH_RESULTS_DIR ?? RESULTS_DIR));
  const unknown = positionals.filter((name) => !BENCHMARKS.some((b) => b.name === name));
  if (unknown.length > 0) throw new Error(`unknown benchmark ${unknown.join(', ')}\n${USAGE}`);
  // In-process benchmarks would print a log line per message; the servers log to their own files.
  if (!process.env.LOG_LEVEL) log.level = 'warn';
  const quick = values.quick ?? false;
  const dir = process.env.BENCH_RESULTS_DIR ?? (quick ? join(tmpdir(), 'cita-bench-quick') : RESULTS_DIR);
  const machine = machineDescription();
  console.log(
    `cita benchmarks${quick ? ' (quick)' : ''} on ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, ` +
      `Node ${machine.node}, ${machine.os}, commit ${machine.gitCommit}\n`,
  );
  const redis = await redisAnswers();
  for (const benchmark of BENCHMARKS.filter((b) => positionals.length === 0 || positionals.includes(b.name))) {
    if (benchmark.needsRedis && !redis) {
      console.log(`${benchmark.name}: skipped, no Redis answers at ${BENCH_REDIS_URL} (set REDIS_URL)`);
      continue;
    }
    const started = performance.now();
    process.stdout.write(`${benchmark.name}… `);
    const result = await benchmark.run(quick, commandFor(benchmark.name, quick));
    const path = saveResult(result, dir);
    console.log(`${Math.round((performance.now() - started) / 1000)} s → ${relative(REPO_DIR, path)}`);
  }
  const table = writeTables(dir);
  console.log(`\n${table}\n\nEach result file says how it was measured ("method") and holds every number ("details").`);
}

if (import.meta.main) {
  main().then(
    () => process.exit(0),
    (error) => {
      console.error(`bench failed: ${error instanceof Error ? error.stack : error}`);
      process.exit(1);
    },
  );
}
