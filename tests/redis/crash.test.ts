import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { RedisInbox } from '../../adapters/redis/inbox.ts';
import { customerId, redisKeys } from '../../adapters/redis/keys.ts';
import { RedisDeliveryProgress } from '../../adapters/redis/outbox.ts';
import { startFakeGraphApi } from '../support/fake-graph-api.ts';
import { bodyOf } from '../support/server-process.ts';
import { startStatusWebhook } from '../support/status-webhook.ts';
import { APP_SECRET } from '../whatsapp/helpers.ts';
import { addressOf, type RedisRun, redisRuns, sleep } from './implementations.ts';

const runs = await redisRuns();
const WORKER = fileURLToPath(new URL('./fixtures/inbox-worker.ts', import.meta.url));

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

/** A worker in a process of its own, resolved once it is running. */
async function startWorker(
  run: RedisRun,
  prefix: string,
  leaseMs: number,
  stallOn = '',
  graphUrl = '',
): Promise<ChildProcess> {
  const child = spawn(process.execPath, [WORKER, addressOf(run), prefix, String(leaseMs), stallOn, graphUrl], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  await once(child.stdout!, 'data');
  return child;
}

describe.each(runs)('a worker process killed mid-burst ($name)', (run: RedisRun) => {
  // Two real processes, a SIGKILL and a second one taking over: 7 s alone, more on a busy machine.
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
          shop: 'default',
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
    expect(await connection().exists(redisKeys(prefix).phone(customerId('default', phones[0]!), 'lease'))).toBe(1);

    await startWorker(run, prefix, leaseMs);
    const deadline = Date.now() + 15_000;
    while ((await handled()) < 180 && Date.now() < deadline) await sleep(50);
    await sleep(leaseMs * 2);

    for (const phone of phones) expect(await effects(phone)).toEqual(sent.get(phone));
    expect(await inbox.claim()).toBeUndefined();
  }, 60_000);
});

describe.each(runs)(
  'a worker process on Redis killed while WhatsApp had taken a reply whose answer never came ($name)',
  (run: RedisRun) => {
    it('sends every reply exactly once: the next process waits for the status of the reply in doubt instead of resending it', async () => {
      const { connection } = run;
      const prefix = run.prefix();
      const leaseMs = 2_000;
      const inbox = new RedisInbox(connection(), { prefix, shards: run.shards });
      const graph = await startFakeGraphApi({ accessToken: 'crash-test-token', phoneNumberId: '1234567890' });
      // The statuses reach cita's webhook in another process (here, the test's), as behind a load balancer.
      const webhook = await startStatusWebhook(new RedisDeliveryProgress(connection(), { prefix }));
      graph.sendStatusesTo(() => webhook.url, APP_SECRET);
      const phones = ['34600000001', '34600000002', '34600000003'];
      // WhatsApp takes this reply (and tells its statuses) but its answer never reaches the worker.
      const lost = `reply to wamid.${phones[0]}.10`;
      graph.holdAnswerTo((message) => bodyOf(message) === lost);
      const first = await startWorker(run, prefix, leaseMs, '', graph.url);

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

      await startWorker(run, prefix, leaseMs, '', graph.url);
      const deadline = Date.now() + 20_000;
      while (new Set(replies()).size < expected.length && Date.now() < deadline) await sleep(50);
      await sleep(leaseMs);

      const doubled = replies().filter((body, index, all) => all.indexOf(body) !== index);
      expect(doubled).toEqual([]);
      expect(replies().toSorted()).toEqual(expected.toSorted());
      await graph.close();
      await webhook.close();
    }, 40_000);
  },
);
