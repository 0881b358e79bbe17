import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { REPLICA_WAIT_MS } from '../../adapters/redis/client.ts';
import { createRedisAdapters } from '../../adapters/redis/index.ts';
import { customerId, redisKeys } from '../../adapters/redis/keys.ts';
import { failureReason, type Slot } from '../../machines/booking.context.ts';
import { dayAvailability } from '../../src/availability/slots.ts';
import { bookingStepsFor } from '../../src/engine/booking-actors.ts';
import type { InboundMessage } from '../../src/engine/ports.ts';
import { fakeClock, shop } from '../support/cita.ts';
import { addressOf, clusterRun, sleep } from './implementations.ts';

const run = await clusterRun();
const WORKER = fileURLToPath(new URL('./fixtures/inbox-worker.ts', import.meta.url));
const DAY = '2026-11-25';
const WINDOW = { start: '2026-11-25T00:00:00.000Z', end: '2026-11-26T00:00:00.000Z' };

const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});

async function startWorker(prefix: string): Promise<void> {
  const child = spawn(process.execPath, [WORKER, addressOf(run!), prefix, '2000'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  await once(child.stdout!, 'data');
}

/**
 * What Meta does with a webhook: delivers it again until it is answered 200 (here: `accept`
 * resolving). Answers the time it was first acknowledged.
 */
async function deliverUntilAccepted(accept: () => Promise<unknown>): Promise<void> {
  for (;;) {
    try {
      await accept();
      return;
    } catch {
      await sleep(100);
    }
  }
}

describe.skipIf(!run)('writes that must survive a master dying, on a Redis Cluster', () => {
  it('acknowledges a message, a hold and a booking only once a replica has them', async () => {
    const prefix = run!.prefix();
    const adapters = createRedisAdapters({ clusterNodes: run!.cluster!.nodes, prefix });
    const keys = redisKeys(prefix);
    const phone = '34630000001';
    const message: InboundMessage = {
      id: 'wamid.replicated',
      shop: 'default',
      phone,
      receivedAt: new Date().toISOString(),
      content: { kind: 'text', text: 'hola' },
    };
    const messageReplica = await run!.cluster!.replicaOf(
      await run!.cluster!.masterOf(keys.phone(customerId('default', phone), 'queue')),
    );
    const bookingReplica = await run!.cluster!.replicaOf(await run!.cluster!.masterOf(keys.slot('holds', 'index')));
    const clock = fakeClock();
    const steps = bookingStepsFor({ phone }, { shop, clock, ...adapters.adapters, calendar: adapters.calendar });
    const [slot] = dayAvailability({
      rules: shop,
      date: DAY,
      durationMinutes: 30,
      busy: [],
      holds: [],
      phone,
      now: clock(),
    }).slots;

    // Replicas that stopped taking their masters' writes: what a master dying now would lose.
    run!.cluster!.pause(messageReplica, true);
    run!.cluster!.pause(bookingReplica, true);
    const refused = await Promise.allSettled([
      adapters.adapters.inbox.accept(message),
      steps.holdSlot({ serviceId: 'corte', slot: slot! }),
    ]);
    run!.cluster!.pause(messageReplica, false);
    run!.cluster!.pause(bookingReplica, false);
    // Not acknowledged: the webhook answers 503 and Meta delivers it again; the customer is told to try again.
    expect(refused.map((r) => r.status)).toEqual(['rejected', 'rejected']);

    // Delivered again once a replica takes the writes: a duplicate of what the master kept, handled once.
    expect(await adapters.adapters.inbox.accept(message)).toBe('duplicate');
    const hold = await steps.holdSlot({ serviceId: 'corte', slot: slot! });
    run!.cluster!.pause(bookingReplica, true);
    const booking = steps.bookAppointment({ serviceId: 'corte', hold }).then(
      () => 'booked',
      () => 'refused',
    );
    await sleep(REPLICA_WAIT_MS / 2);
    run!.cluster!.pause(bookingReplica, false);
    expect(await booking).toBe('booked');
    await adapters.close();
  });

  it("sends a replicated write's script with its body to a master that does not know it (one just promoted)", async () => {
    const prefix = run!.prefix();
    const adapters = createRedisAdapters({ clusterNodes: run!.cluster!.nodes, prefix });
    const message = (id: string): InboundMessage => ({
      id,
      shop: 'default',
      phone: '34630000002',
      receivedAt: new Date().toISOString(),
      content: { kind: 'text', text: 'hola' },
    });
    expect(await adapters.adapters.inbox.accept(message('wamid.known'))).toBe('accepted');
    // Every node forgets its scripts, as a replica promoted after a failover knows none of them.
    await Promise.all(
      run!.cluster!.nodes.split(',').map(async (address) => {
        const node = new Redis(Number(address.split(':')[1]), '127.0.0.1');
        await node.script('FLUSH');
        node.disconnect();
      }),
    );
    expect(await adapters.adapters.inbox.accept(message('wamid.unknown'))).toBe('accepted');
    expect(await adapters.adapters.inbox.accept(message('wamid.unknown'))).toBe('duplicate');
    expect((await adapters.adapters.inbox.claim())?.id).toBe('wamid.known');
    await adapters.close();
  });
});

describe.skipIf(!run)('a Redis Cluster master killed mid-burst', () => {
  it('loses no accepted message: every message answered 200 is handled, once, in order per phone', async () => {
    const prefix = run!.prefix();
    const intake = createRedisAdapters({ clusterNodes: run!.cluster!.nodes, prefix });
    await Promise.all([startWorker(prefix), startWorker(prefix)]);
    const phones = Array.from({ length: 60 }, (_, n) => `3461${String(n).padStart(7, '0')}`);
    const perPhone = 12;
    const keys = redisKeys(prefix);
    const victim = await run!.cluster!.masterOf(keys.phone(customerId('default', phones[0]!), 'queue'));

    const acknowledged = new Map(phones.map((phone) => [phone, [] as string[]]));
    let accepted = 0;
    const killing = (async () => {
      while (accepted < (phones.length * perPhone) / 3) await sleep(5);
      await run!.cluster!.killMaster(victim);
    })();
    // Each customer writes in turn, the next message once the last was acknowledged, as a phone does.
    await Promise.all(
      phones.map(async (phone) => {
        for (let i = 0; i < perPhone; i++) {
          const message: InboundMessage = {
            id: `wamid.${phone}.${i}`,
            shop: 'default',
            phone,
            receivedAt: new Date().toISOString(),
            content: { kind: 'text', text: `${i}` },
          };
          await deliverUntilAccepted(() => intake.adapters.inbox.accept(message));
          acknowledged.get(phone)!.push(message.id);
          accepted++;
        }
      }),
    );
    await killing;

    const connection = run!.connection();
    const effects = (phone: string) => connection.lrange(keys.phone(phone, 'test-effects'), 0, -1);
    const handled = async () => (await Promise.all(phones.map(effects))).flat().length;
    const deadline = Date.now() + 30_000;
    while ((await handled()) < accepted && Date.now() < deadline) await sleep(100);

    for (const phone of phones) expect(await effects(phone)).toEqual(acknowledged.get(phone));
    await intake.close();
    // Two worker processes, a master killed and a failover: seconds alone, far more on a busy machine.
  }, 60_000);

  it('books nothing twice: of customers racing for the same times across the failover, one per time', async () => {
    const prefix = run!.prefix();
    const keys = redisKeys(prefix);
    const victim = await run!.cluster!.masterOf(keys.slot('holds', 'index'));
    const processes = [0, 1, 2].map(() => createRedisAdapters({ clusterNodes: run!.cluster!.nodes, prefix }));
    const clock = fakeClock();
    const deps = processes.map((p) => ({ shop, clock, ...p.adapters, calendar: p.calendar }));
    const slots = dayAvailability({
      rules: shop,
      date: DAY,
      durationMinutes: 30,
      busy: [],
      holds: [],
      phone: 'nobody',
      now: clock(),
    })
      // Times an hour apart, further than a cut and the shop's buffer after it: each can be booked once.
      .slots.filter((slot) => new Date(slot.start).getUTCMinutes() === 0)
      .slice(0, 8);

    let tried = 0;
    const killing = (async () => {
      while (tried < 60) await sleep(2);
      await run!.cluster!.killMaster(victim);
    })();
    // 240 customers, each wanting one of 8 times, each trying again after an error as the worker does.
    const outcomes = await Promise.all(
      Array.from({ length: 240 }, async (_, n) => {
        const slot: Slot = slots[n % slots.length]!;
        const steps = bookingStepsFor({ phone: `3462${String(n).padStart(7, '0')}` }, deps[n % deps.length]!);
        for (let attempt = 0; attempt < 100; attempt++) {
          tried++;
          try {
            const hold = await steps.holdSlot({ serviceId: 'corte', slot });
            await steps.bookAppointment({ serviceId: 'corte', hold });
            return 'booked';
          } catch (error) {
            const reason = failureReason(error);
            if (reason === 'slotTaken') return reason;
            await sleep(100);
          }
        }
        return 'gave up';
      }),
    );
    await killing;

    const booked = await deps[0]!.calendar.busy(WINDOW);
    expect(outcomes.filter((o) => o === 'booked')).toHaveLength(booked.length);
    expect(outcomes).not.toContain('gave up');
    // One appointment per time, each time booked.
    expect(booked.map((b) => b.start).sort()).toEqual(slots.map((s) => s.start).sort());
    await Promise.all(processes.map((p) => p.close()));
  }, 60_000);
});
