import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DATABASE_FILE } from '../../adapters/sqlite/database.ts';
import { tempDataDir } from '../support/cita.ts';
import { startServerProcess } from '../support/server-process.ts';
import { whatsAppEnv } from './support.ts';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

async function start(env: Record<string, string>, cwd?: string) {
  const server = await startServerProcess({ PORT: '0', LOG_LEVEL: 'info', ...env }, { cwd });
  children.push(server.child);
  return server;
}

describe('where the server listens', () => {
  it('keeps the simulator, which lets anyone speak as any customer, on this machine only', async () => {
    const server = await start({ CITA_DATA_DIR: tempDataDir() });
    expect(server.host).toBe('127.0.0.1');
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('listens on every interface with WhatsApp connected, for Meta to reach the webhook', async () => {
    // Nothing is sent at start-up: the Graph API address only has to be well-formed.
    const server = await start({ CITA_DATA_DIR: tempDataDir(), ...whatsAppEnv('http://127.0.0.1:9') });
    expect(['::', '0.0.0.0']).toContain(server.host);
  });

  it('listens where HOST says', async () => {
    const server = await start({ CITA_DATA_DIR: tempDataDir(), HOST: '127.0.0.2' });
    expect(server.host).toBe('127.0.0.2');
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});

describe('.env', () => {
  it('is read at start from the working directory, and a variable already set in the environment wins', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'cita-env-'));
    const dataDir = tempDataDir();
    writeFileSync(join(cwd, '.env'), `# the shop's settings\nCITA_DATA_DIR=${dataDir}\nHOST=127.0.0.2\n`);
    const fromFile = await start({}, cwd);
    expect(fromFile.host).toBe('127.0.0.2');
    expect(existsSync(join(dataDir, DATABASE_FILE))).toBe(true);

    const overridden = await start({ HOST: '127.0.0.1' }, cwd);
    expect(overridden.host).toBe('127.0.0.1');
  });
});
