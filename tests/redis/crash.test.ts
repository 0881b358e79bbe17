import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { RedisInbox } from '../../adapters/redis/inbox.ts';
import { redisKeys } from '../../adapters/redis/keys.ts';
import { addressOf, type RedisRun, redisRuns, sleep } from './implementations.ts';

const runs = await redisRuns();
const WORKER = fileURLToPath(new URL('./fixtures/inbox-worker.ts', import.meta.url));

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

/** A worker in a process of its own, resolved once it is running. */
async function startWorker(run: RedisRun, prefix: string, leaseMs: number, stallOn = ''): Promise<ChildProcess> {
  const child = spawn(process.execPath, [WORKER, addressOf(run), prefix, String(leaseMs), stallOn], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  await once(child.stdout!, 'data');
  return child;
}

describe.each(runs)('a worker process killed mid-burst ($name)', (run: RedisRun) => {
  it('loses nothing and repeats nothing: every accepted message is handled once, in order per phone', async () => {
    const { connection } = run;
    const prefix = run.prefix();
    // Long enough that the lease the killed worker held is still there when checked, even on a busy CI machine.
    const leaseMs = 2_000;
    const inbox = new RedisInbox(connection(), { prefix, shards: run.shards });
    const phones = ['34600000001', '34600000002', '34600000003'];
    const effects = (phone: string) => connection().lrange(`${prefix}:{${phone}}:test-effects`, 0, -1);
    const handled = async () => (await Promise.all(phones.map(effects))).flat().length;

    // It is sure to die with a message in hand: handled, not yet acknowledged.
    const stalled = `wamid.${phones[0]}.10`;
    const first = await startWorker(run, prefix, leaseMs, stalled);
    const sent = new Map(phones.map((phone) => [phone, [] as string[]]));
    for (let i = 0; i < 60; i++) {
      for (const phone of phones) {
        const id = `wamid.${phone}.${i}`;
        sent.get(phone)!.push(id);
        await inbox.accept({
          id,
          phone,
          receivedAt: new Date().toISOString(),
          content: { kind: 'text', text: `${i}` },
        });
      }
    }
    // Kill it with work in hand: some messages handled, one in hand, the rest still queued.
    while ((await handled()) < 20 || !(await effects(phones[0]!)).includes(stalled)) await sleep(5);
    first.kill('SIGKILL');
    await once(first, 'exit');
    // It died holding a message: its lease must lapse before anyone else may take it.
    expect(await connection().exists(redisKeys(prefix).phone(phones[0]!, 'lease'))).toBe(1);

    await startWorker(run, prefix, leaseMs);
    const deadline = Date.now() + 15_000;
    while ((await handled()) < 180 && Date.now() < deadline) await sleep(50);
    await sleep(leaseMs * 2);

    for (const phone of phones) expect(await effects(phone)).toEqual(sent.get(phone));
    expect(await inbox.claim()).toBeUndefined();
  });
});
