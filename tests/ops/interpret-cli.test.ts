import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('../../src/cli/interpret.ts', import.meta.url));

/** Runs `npm run interpret` as support would, rules only (no LLM_API_KEY), and collects its output. */
async function interpret(args: string[], stdin = '') {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { PATH: process.env.PATH ?? '', CITA_NOW: '2026-11-24T09:00:00Z' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  child.stdin.end(stdin);
  const [code] = await once(child, 'exit');
  return { code, stdout, stderr };
}

describe('npm run interpret', () => {
  it('prints the events read in one message given on the command line, as JSON', async () => {
    const { code, stdout } = await interpret([
      '--now',
      '2026-11-24T09:00:00Z',
      '--lang',
      'es',
      'un corte mañana a las 5',
    ]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({
      text: 'un corte mañana a las 5',
      state: 'greeting',
      now: '2026-11-24T09:00:00Z',
      lang: 'es',
      events: [
        { type: 'SELECT_SERVICE', serviceId: 'corte' },
        { type: 'PICK_DATE', date: '2026-11-25' },
        { type: 'PICK_TIME', time: '17:00' },
      ],
    });
  });

  it('reads the message in the state it is given, and refuses a state the machine does not have', async () => {
    const confirming = await interpret(['--state', 'confirming', '--lang', 'en', 'yes']);
    expect(JSON.parse(confirming.stdout).events).toEqual([{ type: 'CONFIRM' }]);
    const bad = await interpret(['--state', 'nowhere', 'yes']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('"nowhere" is not a state of the booking machine');
  });

  it('answers JSON lines from standard input with one result line each, in order, errors included', async () => {
    const lines = [
      { text: 'hola', now: '2026-11-24T09:00:00Z', state: 'greeting' },
      { text: 'at 6pm', now: '2026-11-24T09:00:00Z', state: 'choosingSlot', lang: 'en' },
      'not json',
      { text: 'sí', state: 'choosingSlot', extra: true },
    ];
    const { code, stdout } = await interpret(
      [],
      lines.map((line) => (typeof line === 'string' ? line : JSON.stringify(line))).join('\n'),
    );
    expect(code).toBe(0);
    const results = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(results).toHaveLength(4);
    expect(results[0]).toMatchObject({ text: 'hola', events: [{ type: 'GREET' }] });
    expect(results[1]).toMatchObject({ text: 'at 6pm', lang: 'en', events: [{ type: 'PICK_TIME', time: '18:00' }] });
    expect(results[2]).toMatchObject({ error: expect.stringContaining('not JSON'), line: 'not json' });
    expect(results[3]).toMatchObject({ error: expect.stringContaining('extra') });
  });

  it('reads standard input at the clock, language and state given on the command line, unless a line says', async () => {
    // CITA_NOW is a Tuesday: "tomorrow" is Wednesday 25th; at --now Saturday 28th it is Sunday 29th.
    const lines = [
      { text: 'a haircut tomorrow' },
      { text: 'a haircut tomorrow', now: '2026-11-24T09:00:00Z' },
      { text: 'at 6pm', state: 'choosingSlot' },
    ];
    const { code, stdout } = await interpret(
      ['--now', '2026-11-28T09:00:00Z', '--lang', 'en', '--state', 'choosingDate'],
      lines.map((line) => JSON.stringify(line)).join('\n'),
    );
    expect(code).toBe(0);
    const results = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(results[0]).toMatchObject({ now: '2026-11-28T09:00:00Z', lang: 'en', state: 'choosingDate' });
    expect(results[0].events).toContainEqual({ type: 'PICK_DATE', date: '2026-11-29' });
    expect(results[1]).toMatchObject({ now: '2026-11-24T09:00:00Z' });
    expect(results[1].events).toContainEqual({ type: 'PICK_DATE', date: '2026-11-25' });
    expect(results[2]).toMatchObject({ state: 'choosingSlot', events: [{ type: 'PICK_TIME', time: '18:00' }] });
  });
});
