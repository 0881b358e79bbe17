import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const BIOME = createRequire(import.meta.url).resolve('@biomejs/biome/bin/biome');

/**
 * A generated JSON file's text exactly as the repo's Biome formats it, so a generator and
 * `npm run format` never rewrite each other's output. `path` (relative to the repo) picks Biome's
 * settings for the file.
 */
export function formattedJson(value: unknown, path: string): string {
  const biome = spawnSync(process.execPath, [BIOME, 'format', `--stdin-file-path=${path}`], {
    cwd: REPO,
    input: JSON.stringify(value, null, 2),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (biome.status !== 0) throw new Error(`biome could not format ${path}: ${biome.stderr}`);
  return biome.stdout;
}
