import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisInbox } from '../../adapters/redis/inbox.ts';
import { SHARED_CONNECTION } from '../../adapters/redis/index.ts';
import { customerId, redisKeys } from '../../adapters/redis/keys.ts';
import { RedisDeliveryProgress } from '../../adapters/redis/outbox.ts';
import { TurnTakenOver } from '../../adapters/whatsapp/messenger.ts';
import type { InboundMessage } from '../../src/engine/ports.ts';
import { startFakeGraphApi } from '../support/fake-graph-api.ts';
import { startLossyLink } from '../support/lossy-link.ts';
import { bodyOf } from '../support/server-process.ts';
import { redisRun } from './implementations.ts';

/**
 * A connection to Redis dropped after a command ran but before its reply arrived (ioredis
 * reconnects and sends the command again), or a reply that is only late while the process goes
 * on. The inbox must read a second answer as the first, not as someone else's work, and leave no
 * message waiting for a lease to lapse (a minute in production, far longer than this test waits).
 */

const run = await redisRun();
const LEASE_MS = 600_000;

const message = (phone: string, n: number): InboundMessage => ({
  id: `wamid.${phone}.${n}`,
  shop: 'default',
  phone,
  receivedAt: new Date().toISOString(),
  content: { kind: 'text', text: `${n}` },
});

describe.skipIf(!run)('the inbox over a connection that loses or holds back a reply', async () => {
  const link = run ? await startLossyLink(run.redis.url) : undefined;
  const lossy = link ? new Redis(link.url, SHARED_CONNECTION) : undefined;
  afterAll(async () => {
    lossy?.disconnect();
    await link?.close();
  });

  it('hands out the claimed message although the claim was sent twice, and the next one as soon as it is acknowledged', async () => {
    const prefix = run!.prefix();
    const inbox = new RedisInbox(lossy!, { prefix, leaseMs: LEASE_MS });
    const [warmUp, one, two] = [message('34600000009', 0), message('34600000001', 1), message('34600000001', 2)];
    // The scripts are loaded first, so the commands cut below are the ones that do the work.
    await inbox.accept(warmUp);
    await inbox.ack((await inbox.claim())!);
    await inbox.accept(one);
    await inbox.accept(two);
    const queue = redisKeys(prefix).phone(customerId('default', one.phone), 'queue');

    const claimCut = link!.loseReplyTo(queue);
    expect(await inbox.claim()).toEqual(one);
    await claimCut;

    const ackCut = link!.loseReplyTo(queue);
    await inbox.ack(one);
    await ackCut;
    expect(await inbox.claim()).toEqual(two);
    await inbox.ack(two);
    expect(await inbox.claim()).toBeUndefined();
  });

  it('leaves a phone claimable when a lease renewal is answered only after its message was acknowledged', async () => {
    const prefix = run!.prefix();
    const leaseMs = 900;
    const inbox = new RedisInbox(lossy!, { prefix, leaseMs });
    const [one, two] = [message('34600000002', 1), message('34600000002', 2)];
    await inbox.accept(one);
    await inbox.accept(two);
    expect(await inbox.claim()).toEqual(one);
    const lease = redisKeys(prefix).phone(customerId('default', one.phone), 'lease');
    // The renewal (one key: the lease) runs on Redis; its answer is held, so the acknowledgement
    // queues behind it (ioredis sends one batch at a time) and goes out with whatever the answer sets off.
    const renewal = link!.holdReplyTo(`\r\n1\r\n$${lease.length}\r\n${lease}\r\n`);
    await renewal.answered;
    const acked = inbox.ack(one);
    renewal.release();
    await acked;
    // The renewal's bump would have put the phone a lease ahead, with nobody holding it.
    expect(await inbox.claim()).toEqual(two);
    await inbox.ack(two);
  });

  it('stops a process cut off past its lease from sending the rest of a turn another process took over', async () => {
    const prefix = run!.prefix();
    const phone = '34600000077';
    const graph = await startFakeGraphApi({ accessToken: 'lost-replies-token', phoneNumberId: '1234567890' });
    const options = { statusPollMs: 20, unknownFateWaitMs: 2_000 };
    // A reaches Redis over the link that holds replies back; B, the process that takes over, directly.
    const a = graph.messenger({ ...options, progress: new RedisDeliveryProgress(lossy!, { prefix }) });
    const b = graph.messenger({ ...options, progress: new RedisDeliveryProgress(run!.connection(), { prefix }) });
    const turn = [
      { kind: 'text', body: 'uno' },
      { kind: 'text', body: 'dos' },
    ] as const;

    // A sends the first reply; the record of it runs on Redis but A never hears back (cut off, its
    // lease runs out), and B takes the turn over and finishes it.
    const held = link!.holdReplyTo(redisKeys(prefix, 1, 'default').phone(phone, 'sent', 'wamid.CUT'));
    const first = a.send(phone, [...turn], 'wamid.CUT').then(
      () => 'went on',
      (error: unknown) => error,
    );
    await held.answered;
    await b.send(phone, [...turn], 'wamid.CUT');
    // A hears back at last: it must not send the second reply again.
    held.release();
    expect(await first).toBeInstanceOf(TurnTakenOver);
    expect(graph.messages.map(bodyOf)).toEqual(['uno', 'dos']);
    await graph.close();
  });
});
