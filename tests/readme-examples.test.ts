import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const CHAT = join(REPO, 'src/cli/chat.ts');

/** The README's terminal-chat examples: each `sh` block piping into `npm run chat`, and the `text` block after it. */
function chatExamples(readme: string): { command: string; output: string }[] {
  const section = readme.slice(readme.indexOf('### Terminal chat'), readme.indexOf('### Simulator page'));
  return [...section.matchAll(/```sh\n(.*\| npm run chat --silent -- .*)\n```\n\n```text\n([\s\S]*?)```/g)].map(
    ([, command, output]) => ({ command: command!, output: output! }),
  );
}

describe("the README's terminal-chat examples", () => {
  const examples = chatExamples(readFileSync(join(REPO, 'README.md'), 'utf8'));

  it('are there, each with the output it prints and a fixed clock', () => {
    expect(examples.length).toBeGreaterThanOrEqual(2);
    for (const { command } of examples) expect(command).toMatch(/--now \S+/);
  });

  it('print what the README shows, run one after the other in a fresh folder as a newcomer would', () => {
    const folder = mkdtempSync(join(tmpdir(), 'cita-readme-'));
    for (const { command, output } of examples) {
      // The README's own command line, with `npm run chat --silent --` spelled out as the script it runs.
      const script = command.replace('npm run chat --silent --', `"${process.execPath}" "${CHAT}"`);
      const run = spawnSync('bash', ['--noprofile', '--norc', '-c', script], {
        cwd: folder,
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '' },
        timeout: 60_000,
      });
      expect(run.stderr).toBe('');
      expect(run.stdout, command).toBe(output);
    }
  }, 120_000);
});
