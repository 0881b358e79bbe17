import { describe, expect, it } from 'vitest';
import { DEDUP_TTL_MS, RedisInbox } from '../../adapters/redis/inbox.ts';
import { customerId, redisKeys } from '../../adapters/redis/keys.ts';
import { RedisRateLimiter } from '../../adapters/redis/rate-limiter.ts';
import { SqliteInbox } from '../../adapters/sqlite/inbox.ts';
import { SqliteRateLimiter } from '../../adapters/sqlite/rate-limiter.ts';
import type { InboundMessage, Inbox, RateLimiter } from '../../src/engine/ports.ts';
import { memoryDatabase } from '../support/sqlite.ts';
import { implementations, type RedisRun, redisRuns, sleep } from './implementations.ts';

const runs = await redisRuns();

let counter = 0;
function message(phone: string, text = `message ${++counter}`): InboundMessage {
  return {
    id: `wamid.${phone}.${++counter}`,
    shop: 'default',
    phone,
    receivedAt: new Date().toISOString(),
    customerName: 'Carlos',
    content: { kind: 'text', text },
  };
}

describe.each(
  implementations<Inbox>(
    () => new SqliteInbox(memoryDatabase()),
    ({ connection, prefix, shards }) => new RedisInbox(connection(), { prefix: prefix(), shards }),
    runs,
  ),
)('inbox contract ($name)', ({ make }) => {
  it('accepts a message once and calls the same id again a duplicate', async () => {
    const inbox = make();
    const first = message('34600000001');
    expect(await inbox.accept(first)).toBe('accepted');
    expect(await inbox.accept({ ...first, content: { kind: 'text', text: 'changed' } })).toBe('duplicate');
    expect(await inbox.claim()).toEqual(first);
    await inbox.ack(first);
    expect(await inbox.claim()).toBeUndefined();
  });

  it("hands out a phone's messages in arrival order, the next only after the previous is acknowledged", async () => {
    const inbox = make();
    const [one, two, three] = [message('34600000001'), message('34600000001'), message('34600000001')];
    for (const m of [one, two, three]) await inbox.accept(m);

    expect(await inbox.claim()).toEqual(one);
    expect(await inbox.claim()).toBeUndefined();
    await inbox.ack(one);
    expect(await inbox.claim()).toEqual(two);
    await inbox.ack(two);
    expect(await inbox.claim()).toEqual(three);
    await inbox.ack(three);
    expect(await inbox.claim()).toBeUndefined();
  });

  it('hands out messages of different phones at the same time', async () => {
    const inbox = make();
    const carlos = message('34600000001');
    const ana = message('34600000002');
    await inbox.accept(carlos);
    await inbox.accept(ana);
    const claimed = [await inbox.claim(), await inbox.claim()];
    expect(claimed).toEqual(expect.arrayContaining([carlos, ana]));
  });

  it('gives a retried message back first, before the ones that came after it', async () => {
    const inbox = make();
    const [one, two] = [message('34600000001'), message('34600000001')];
    await inbox.accept(one);
    await inbox.accept(two);
    expect(await inbox.claim()).toEqual(one);
    await inbox.retry(one);
    expect(await inbox.claim()).toEqual(one);
  });

  it('wakes a waiting worker as soon as a message is accepted', async () => {
    const inbox = make();
    // A worker listens from its first wait on: on a busy machine (more so on a cluster) subscribing
    // can take longer than the test's pause, and a message accepted before it is found by the next poll.
    await inbox.waitForWork(1);
    const started = Date.now();
    const waiting = inbox.waitForWork(5_000);
    await sleep(50);
    await inbox.accept(message('34600000001'));
    await waiting;
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('stops waiting after the given time when nothing arrives', async () => {
    const inbox = make();
    const started = Date.now();
    await inbox.waitForWork(100);
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    await inbox.close();
  });
});

describe.each(
  implementations<{ inbox: Inbox; limiter: RateLimiter }>(
    () => {
      const database = memoryDatabase();
      return { inbox: new SqliteInbox(database), limiter: new SqliteRateLimiter(database, { limit: 2 }) };
    },
    ({ connection, prefix, shards }) => {
      const [redis, shared] = [connection(), prefix()];
      return {
        inbox: new RedisInbox(redis, { prefix: shared, shards }),
        limiter: new RedisRateLimiter(redis, { prefix: shared, limit: 2 }),
      };
    },
    runs,
  ),
)('inbox accepting with the rate counted in the same step ($name)', ({ make }) => {
  it('stores each message marked as its limiter would, counting a redelivery once and sharing the counts with `check`', async () => {
    const { inbox, limiter } = make();
    const [a, b, c, d] = [1, 2, 3, 4].map(() => message('34600000001'));
    expect(await inbox.acceptCounted!(a, limiter)).toBe('accepted');
    expect(await inbox.acceptCounted!(a, limiter)).toBe('duplicate');
    expect(await inbox.acceptCounted!(b, limiter)).toBe('accepted');
    expect(await inbox.acceptCounted!(c, limiter)).toBe('accepted');
    // Counted before it is stored, with the inbox's counts: the "slow down" went to c.
    expect(await limiter.check(d)).toBe('dropped');
    expect(await inbox.acceptCounted!({ ...d, overLimit: 'slowDown' }, limiter)).toBe('accepted');
    for (const expected of [a, b, { ...c, overLimit: 'slowDown' }, { ...d, overLimit: 'dropped' }]) {
      const claimed = await inbox.claim();
      expect(claimed).toEqual(expected);
      await inbox.ack(claimed!);
    }
  });

  it('checks then accepts with a limiter that keeps its counts elsewhere', async () => {
    const { inbox } = make();
    const elsewhere: RateLimiter = { check: async () => 'slowDown' };
    const e = message('34600000002');
    expect(await inbox.acceptCounted!(e, elsewhere)).toBe('accepted');
    expect(await inbox.claim()).toEqual({ ...e, overLimit: 'slowDown' });
  });
});

describe.each(runs)('inbox on $name', (run: RedisRun) => {
  const redis = () => run;
  // The inbox's phones are customers of a shop: the test's messages are the default shop's.
  const ready = (prefix: string, phone: string) =>
    redisKeys(prefix, run.shards).sharded('ready', redisKeys(prefix, run.shards).shardOf(customerId('default', phone)));

  it('finds, once a new process starts, a message a process that died while finishing left out of the index', async () => {
    const prefix = redis().prefix();
    const first = new RedisInbox(redis().connection(), { prefix, shards: run.shards });
    expect(await first.claim()).toBeUndefined();
    const waiting = message('34600000001');
    await first.accept(waiting);
    // What the dead process left: the message queued, its phone taken out of the index.
    await redis().connection().zrem(ready(prefix, waiting.phone), customerId('default', waiting.phone));
    expect(await first.claim()).toBeUndefined();

    const next = new RedisInbox(redis().redis.connect(), { prefix, shards: run.shards });
    expect(await next.claim()).toEqual(waiting);
    await next.ack(waiting);
    expect(await next.claim()).toBeUndefined();
  });

  it('keeps message ids for days, so a new process still recognises a redelivery', async () => {
    const prefix = redis().prefix();
    const first = new RedisInbox(redis().redis.connect(), { prefix, shards: run.shards });
    const m = message('34600000001');
    expect(await first.accept(m)).toBe('accepted');

    const restarted = new RedisInbox(redis().redis.connect(), { prefix, shards: run.shards });
    expect(await restarted.accept(m)).toBe('duplicate');
    const ttl = await redis()
      .connection()
      .pttl(redisKeys(prefix).phone(customerId('default', m.phone), 'seen', m.id));
    expect(ttl).toBeGreaterThan(DEDUP_TTL_MS - 60_000);
    expect(ttl).toBeGreaterThan(6 * 24 * 60 * 60_000);
  });

  it('keeps an accepted message when the accepting process goes away', async () => {
    const prefix = redis().prefix();
    const connection = redis().redis.connect();
    const webhook = new RedisInbox(connection, { prefix, shards: run.shards });
    const m = message('34600000001');
    await webhook.accept(m);
    connection.disconnect();

    const worker = new RedisInbox(redis().redis.connect(), { prefix, shards: run.shards });
    expect(await worker.claim()).toEqual(m);
  });

  it('lets a second process take over a message once the lease of a killed process lapses, and only then', async () => {
    const prefix = redis().prefix();
    // Renewals come every third of a lease: a second keeps them on time on a busy CI machine.
    const leaseMs = 1_000;
    const killedConnection = redis().redis.connect();
    const killed = new RedisInbox(killedConnection, { prefix, leaseMs, shards: run.shards });
    const survivor = new RedisInbox(redis().redis.connect(), { prefix, leaseMs, shards: run.shards });
    const [first, second] = [message('34600000001'), message('34600000001')];
    await survivor.accept(first);
    await survivor.accept(second);

    expect(await killed.claim()).toEqual(first);
    // While the holder lives it renews its lease, well past one lease time.
    await sleep(leaseMs * 2.5);
    expect(await survivor.claim()).toBeUndefined();

    killedConnection.disconnect();
    let taken: InboundMessage | undefined;
    for (let i = 0; i < 80 && !taken; i++) {
      await sleep(50);
      taken = await survivor.claim();
    }
    expect(taken).toEqual(first);
    await survivor.ack(first);
    expect(await survivor.claim()).toEqual(second);
    await survivor.ack(second);
    expect(await survivor.claim()).toBeUndefined();
  });

  it('refuses the acknowledgement of a process whose lease lapsed, so the new holder keeps the message', async () => {
    const prefix = redis().prefix();
    const leaseMs = 200;
    const slow = new RedisInbox(redis().redis.connect(), { prefix, leaseMs, shards: run.shards });
    const other = new RedisInbox(redis().redis.connect(), { prefix, leaseMs, shards: run.shards });
    const m = message('34600000001');
    await other.accept(m);
    expect(await slow.claim()).toEqual(m);
    // A lease taken over behind the slow process's back (as after a long pause).
    await redis()
      .connection()
      .del(redisKeys(prefix).phone(customerId('default', m.phone), 'lease'));
    await redis().connection().zadd(ready(prefix, m.phone), 0, customerId('default', m.phone));
    expect(await other.claim()).toEqual(m);

    await slow.ack(m);
    expect(
      await redis()
        .connection()
        .llen(redisKeys(prefix).phone(customerId('default', m.phone), 'queue')),
    ).toBe(1);
    await other.ack(m);
    expect(
      await redis()
        .connection()
        .llen(redisKeys(prefix).phone(customerId('default', m.phone), 'queue')),
    ).toBe(0);
  });

  it('spreads the ready index of many customers over the masters, and still serves the one who waited longest first', async () => {
    const prefix = redis().prefix();
    const inbox = new RedisInbox(redis().redis.connect(), { prefix, shards: run.shards });
    const phones = Array.from({ length: 40 }, (_, n) => `3464${String(n).padStart(7, '0')}`);
    for (const phone of phones) {
      await inbox.accept(message(phone));
      await sleep(2);
    }
    const parts = new Set(phones.map((phone) => ready(prefix, phone)));
    expect(parts.size).toBe(Math.min(run.shards, phones.length));
    if (run.cluster) {
      const nodes = new Set(await Promise.all([...parts].map((key) => run.cluster!.masterOf(key))));
      expect(nodes.size).toBe(3);
    }
    expect((await inbox.claim())?.phone).toBe(phones[0]);
    expect((await inbox.claim())?.phone).toBe(phones[1]);
  });

  it("processes each phone's messages once, in order and never two at a time, across two processes", async () => {
    const prefix = redis().prefix();
    const processes = [0, 1].map(
      () => new RedisInbox(redis().redis.connect(), { prefix, leaseMs: 5_000, shards: run.shards }),
    );
    const phones = ['34600000001', '34600000002', '34600000003', '34600000004'];
    const sent = new Map(phones.map((phone) => [phone, [] as string[]]));
    for (let i = 0; i < 15; i++) {
      for (const phone of phones) {
        const m = message(phone);
        sent.get(phone)!.push(m.id);
        await processes[i % 2]!.accept(m);
      }
    }

    const handled = new Map(phones.map((phone) => [phone, [] as string[]]));
    const inHand = new Set<string>();
    const overlaps: string[] = [];
    let concurrentPhones = 0;
    const total = phones.length * 15;
    let done = 0;
    async function worker(inbox: RedisInbox) {
      const deadline = Date.now() + 15_000;
      while (done < total && Date.now() < deadline) {
        const m = await inbox.claim();
        if (!m) {
          await inbox.waitForWork(20);
          continue;
        }
        if (inHand.has(m.phone)) overlaps.push(m.phone);
        inHand.add(m.phone);
        concurrentPhones = Math.max(concurrentPhones, inHand.size);
        await sleep(Math.random() * 5);
        handled.get(m.phone)!.push(m.id);
        inHand.delete(m.phone);
        done++;
        await inbox.ack(m);
      }
    }
    // Three loops per process, as CITA_WORKERS would run.
    await Promise.all(processes.flatMap((inbox) => [worker(inbox), worker(inbox), worker(inbox)]));
    await Promise.all(processes.map((inbox) => inbox.close()));

    expect(overlaps).toEqual([]);
    expect(handled).toEqual(sent);
    expect(concurrentPhones).toBeGreaterThan(1);
  });
});
