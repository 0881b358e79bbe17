import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { DATABASE_FILE, openDatabase } from '../../adapters/sqlite/database.ts';
import { SqliteInbox } from '../../adapters/sqlite/inbox.ts';
import { SqliteDeliveryProgress } from '../../adapters/sqlite/outbox.ts';
import { sleep } from '../redis/implementations.ts';
import { tempDataDir } from '../support/cita.ts';
import { startFakeGraphApi } from '../support/fake-graph-api.ts';
import { bodyOf } from '../support/server-process.ts';
import { startStatusWebhook } from '../support/status-webhook.ts';
import { APP_SECRET } from '../whatsapp/helpers.ts';

const WORKER = fileURLToPath(new URL('./fixtures/inbox-worker.ts', import.meta.url));

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

/** A worker in a process of its own, resolved once it is running. */
async function startWorker(path: string, leaseMs: number, graphUrl = ''): Promise<ChildProcess> {
  const child = spawn(process.execPath, [WORKER, path, String(leaseMs), graphUrl], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
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

describe('a worker process on the SQLite file killed while WhatsApp had taken a reply whose answer never came', () => {
  it('sends every reply exactly once: the next process waits for the status of the reply in doubt instead of resending it', async () => {
    const path = join(tempDataDir(), DATABASE_FILE);
    const database = openDatabase(path);
    const leaseMs = 2_000;
    const inbox = new SqliteInbox(database);
    const graph = await startFakeGraphApi({ accessToken: 'crash-test-token', phoneNumberId: '1234567890' });
    // The statuses reach cita's webhook in another process (here, the test's), as behind a load balancer.
    const webhook = await startStatusWebhook(new SqliteDeliveryProgress(database));
    graph.sendStatusesTo(() => webhook.url, APP_SECRET);
    const phones = ['34600000001', '34600000002', '34600000003'];
    // WhatsApp takes this reply (and tells its statuses) but its answer never reaches the worker.
    const lost = `reply to wamid.${phones[0]}.10`;
    graph.holdAnswerTo((message) => bodyOf(message) === lost);
    const first = await startWorker(path, leaseMs, graph.url);

    const expected: string[] = [];
    for (let i = 0; i < 40; i++) {
      for (const phone of phones) {
        const id = `wamid.${phone}.${i}`;
        expected.push(`reply to ${id}`);
        await inbox.accept({
          id,
          shop: 'default',
          phone,
          receivedAt: new Date().toISOString(),
          content: { kind: 'text', text: `${i}` },
        });
      }
    }
    const replies = () => graph.messages.map(bodyOf);
    while (!replies().includes(lost)) await sleep(5);
    first.kill('SIGKILL');
    await once(first, 'exit');

    await startWorker(path, leaseMs, graph.url);
    const deadline = Date.now() + 20_000;
    while (new Set(replies()).size < expected.length && Date.now() < deadline) await sleep(50);
    await sleep(leaseMs);

    const doubled = replies().filter((body, index, all) => all.indexOf(body) !== index);
    expect(doubled).toEqual([]);
    expect(replies().toSorted()).toEqual(expected.toSorted());
    await graph.close();
    await webhook.close();
    database.close();
  }, 40_000);
});
