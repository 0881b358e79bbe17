import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { arch, cpus, loadavg, platform, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const RESULTS_DIR = fileURLToPath(new URL('../results/', import.meta.url));
export const REPO_DIR = fileURLToPath(new URL('../../', import.meta.url));

/** One number a benchmark reports, with what it means and how to get it again. */
export interface Figure {
  label: string;
  value: number | string;
  unit?: string;
}

/** What one benchmark writes to bench/results/<name>.json. */
export interface BenchResult {
  name: string;
  title: string;
  /** The command that reproduces every figure of the result. */
  command: string;
  /** What was measured and how, in a sentence or two. */
  method: string;
  /** Sizes and settings of the run (customers, iterations, processes...). */
  parameters: Record<string, unknown>;
  figures: Figure[];
  /** Everything else the run measured, for whoever reads the JSON. */
  details?: unknown;
}

/** The computer and code a run was measured on, saved with every result. */
export function machineDescription() {
  return {
    os: `${platform()} ${release()} ${arch()}`,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    /** The machine's load average over 1, 5 and 15 minutes when the result was saved: above `cpus`, others were competing. */
    loadAverage: loadavg().map((load) => Math.round(load * 100) / 100),
    timestamp: new Date().toISOString(),
    gitCommit: gitCommit(),
  };
}

/**
 * The commit checked out, with "-dirty" when the working tree has changes other than the results
 * themselves (a full run writes them one benchmark after another, and the README's table from
 * them, so one benchmark run after another is not marked dirty by the one before); "unknown"
 * outside git.
 */
function gitCommit(): string {
  try {
    const run = (...args: string[]) => execFileSync('git', args, { cwd: REPO_DIR, encoding: 'utf8' }).trim();
    const commit = run('rev-parse', '--short=12', 'HEAD');
    const changes = run('status', '--porcelain', '--', '.', ':(exclude)bench/results', ':(exclude)README.md');
    return changes.length > 0 ? `${commit}-dirty` : commit;
  } catch {
    return 'unknown';
  }
}

/** Writes the result with the machine's description; returns the file's path. */
export function saveResult(result: BenchResult, dir = RESULTS_DIR): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${result.name}.json`);
  writeFileSync(path, `${JSON.stringify({ ...result, machine: machineDescription() }, null, 2)}\n`);
  return path;
}
