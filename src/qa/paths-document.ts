import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Coverage } from './paths.ts';
import { type Plan, planJson } from './plans.ts';
import type { Scenario } from './scenario.ts';

/** Where `npm run paths -- --write` keeps the booking machine's plans. */
export const PATHS_FILE = 'docs/paths.json';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const BIOME = createRequire(import.meta.url).resolve('@biomejs/biome/bin/biome');

/**
 * The plans as JSON, byte for byte as the repo commits them: formatted by the repo's own Biome
 * (`npm run format` would otherwise rewrite what `npm run paths` wrote, and the other way round).
 */
export function pathsDocument(generated: { scenario: Scenario; coverage: Coverage; plans: Plan[] }): string {
  const { scenario, coverage, plans } = generated;
  const json = JSON.stringify({ now: scenario.now, coverage, plans: plans.map(planJson) }, null, 2);
  const biome = spawnSync(process.execPath, [BIOME, 'format', `--stdin-file-path=${PATHS_FILE}`], {
    cwd: REPO,
    input: json,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (biome.status !== 0) throw new Error(`biome could not format the plans: ${biome.stderr}`);
  return biome.stdout;
}
