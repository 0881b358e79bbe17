import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDataDir } from '../support/cita.ts';

const CHAT = fileURLToPath(new URL('../../src/cli/chat.ts', import.meta.url));
const EXAMPLES = join(import.meta.dirname, '../../examples/shops');

/** `npm run chat` with the example shops folder, "hola" on its standard input. */
function chat(args: string[]) {
  return spawnSync(process.execPath, [CHAT, ...args], {
    cwd: tempDataDir(),
    input: 'hola\n',
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', SHOPS_DIR: EXAMPLES, CITA_DATA_DIR: tempDataDir() },
    timeout: 30_000,
  });
}

describe('npm run chat with many shops', () => {
  it('talks to the shop --shop names, and to the first without it', () => {
    expect(chat(['--shop', 'la-navaja']).stdout).toContain('asistente de citas de La Navaja');
    expect(chat([]).stdout).toContain('asistente de citas de Barbería El Bigote');
  }, 60_000);

  it('refuses a shop that is not served, listing those that are', () => {
    const result = chat(['--shop', 'el-tupe']);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('no shop "el-tupe" is served; pick one of: el-bigote, la-navaja');
  }, 30_000);
});
