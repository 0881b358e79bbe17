import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const emptyFolder = () => mkdtempSync(join(tmpdir(), 'cita-cli-'));

/** Runs a CLI of the repo as `npm run` would, in `cwd` (an empty folder: no .env, nothing to overwrite). */
function run(script: string, args: string[], cwd = emptyFolder()) {
  return spawnSync(process.execPath, [join(REPO, script), ...args], {
    cwd,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '' },
    timeout: 20_000,
  });
}

// eval's own options are tested with it (tests/eval.test.ts).
const CLIS = [
  'src/server/main.ts',
  'src/cli/chat.ts',
  'src/cli/paths.ts',
  'src/cli/diagram.ts',
  'src/cli/interpret.ts',
  'bench/run.ts',
];

describe('the command-line tools', () => {
  it.each(CLIS)('%s answers --help with its usage, doing nothing else', (script) => {
    const cwd = emptyFolder();
    const result = run(script, ['--help'], cwd);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^Usage: npm (start|run \w+)/);
    expect(existsSync(join(cwd, 'data')) || existsSync(join(cwd, 'docs'))).toBe(false);
  });

  it('npm run diagram prints the diagram and writes files only with --write', () => {
    const cwd = emptyFolder();
    const printed = run('src/cli/diagram.ts', [], cwd);
    expect(printed.status).toBe(0);
    expect(printed.stdout).toContain('stateDiagram-v2');
    expect(existsSync(join(cwd, 'docs'))).toBe(false);

    mkdirSync(join(cwd, 'docs'));
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
    writeFileSync(join(cwd, 'README.md'), readme);
    const written = run('src/cli/diagram.ts', ['--write'], cwd);
    expect(written.status).toBe(0);
    expect(readFileSync(join(cwd, 'docs', 'booking-machine.md'), 'utf8')).toContain('stateDiagram-v2');
    expect(readFileSync(join(cwd, 'README.md'), 'utf8')).toBe(readme);
  });
});
