import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { DATABASE_FILE, openDatabase } from '../../adapters/sqlite/database.ts';
import { SqliteInbox } from '../../adapters/sqlite/inbox.ts';
import { sleep } from '../redis/implementations.ts';
import { tempDataDir } from '../support/cita.ts';

const WORKER = fileURLToPath(new URL('./fixtures/inbox-worker.ts', import.meta.url));

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

/** A worker in a process of its own, resolved once it is running. */
async function startWorker(path: string, leaseMs: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, [WORKER, path, String(leaseMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  await once(child.stdout!, 'data');
  return child;
}

describe('a worker process on the SQLite inbox killed mid-burst', () => {
  it('loses nothing and repeats nothing: every accepted message is handled once, in order per phone', async () => {
    const path = join(tempDataDir(), DATABASE_FILE);
    const database = openDatabase(path);
    // Long enough that the leases the killed worker held are still there when checked, even on a busy CI machine.
    const leaseMs = 2_000;
    const inbox = new SqliteInbox(database);
    const phones = ['34600000001', '34600000002', '34600000003'];
    const first = await startWorker(path, leaseMs);
    const effects = (phone: string) =>
      database.all<{ id: string }>('SELECT id FROM test_effects WHERE phone = ? ORDER BY seq', phone).map((r) => r.id);
    const handled = () => database.get<{ n: number }>('SELECT count(*) AS n FROM test_effects')!.n;

    const sent = new Map(phones.map((phone) => [phone, [] as string[]]));
    for (let i = 0; i < 60; i++) {
      for (const phone of phones) {
        const id = `wamid.${phone}.${i}`;
        sent.get(phone)!.push(id);
        await inbox.accept({
          id,
          shop: 'default',
          phone,
          receivedAt: new Date().toISOString(),
          content: { kind: 'text', text: `${i}` },
        });
      }
    }
    // Kill it with work in hand: some messages handled, the rest still waiting.
    while (handled() < 20) await sleep(5);
    first.kill('SIGKILL');
    await once(first, 'exit');
    expect(handled()).toBeLessThan(180);
    // It died holding messages: their leases must lapse before anyone else may take them.
    const leases = database.get<{ n: number }>('SELECT count(*) AS n FROM inbox_leases WHERE until > ?', Date.now())!;
    expect(leases.n).toBeGreaterThan(0);

    await startWorker(path, leaseMs);
    const deadline = Date.now() + 15_000;
    while (handled() < 180 && Date.now() < deadline) await sleep(50);
    await sleep(leaseMs * 2);

    for (const phone of phones) expect(effects(phone)).toEqual(sent.get(phone));
    expect(await inbox.claim()).toBeUndefined();
    database.close();
  }, 30_000);
});
