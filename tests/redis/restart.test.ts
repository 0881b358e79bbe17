import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { customerId, redisKeys } from '../../adapters/redis/keys.ts';
import { ACCESS_TOKEN, PHONE_NUMBER_ID, whatsAppEnv } from '../ops/support.ts';
import { citaPerTest, tempDataDir } from '../support/cita.ts';
import { startFakeGraphApi } from '../support/fake-graph-api.ts';
import { freePort, redisAnswers } from '../support/net.ts';
import { bodyOf, startServerProcess } from '../support/server-process.ts';
import { APP_SECRET, signedPost, textMessage } from '../whatsapp/helpers.ts';
import { sleep } from './implementations.ts';

/**
 * Redis restarted under a running server (`node src/server/main.ts`, WhatsApp against a fake
 * Graph API). The test runs its own redis-server, with the append-only file on and fsynced at
 * every write as a deployment with persistence would, so that it can stop and start it. While
 * Redis is away the server says it is not ready and the webhook refuses (503) what it cannot
 * store, at once; when Redis is back both recover by themselves, and every message the webhook
 * accepted, before or after, is answered exactly once, although one reply's answer from WhatsApp
 * never came back (its status webhook, sent as Meta does, tells the server WhatsApp has it).
 */

const NOW = '2026-11-24T09:00:00Z';
const SCRIPT = ['hola', 'quiero un corte', 'mañana'];
/** Write before the outage: more work than one worker gets through before Redis stops. */
const EARLY = Array.from({ length: 8 }, (_, i) => `3461000${String(i).padStart(4, '0')}`);
/** Writes while Redis is away (refused), and is delivered again afterwards, as Meta does. */
const DURING = '34620000000';
/** Write once Redis is back. */
const LATE = ['34630000000', '34630000001'];
/** A refused request must be answered, not left hanging: far above the ~1 s it takes. */
const NO_HANG_MS = 10_000;

const haveRedisServer = spawnSync('redis-server', ['--version']).status === 0;
if (!haveRedisServer && process.env.CI) throw new Error('CI must run the Redis tests: install redis-server.');

const start = citaPerTest();
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

/** A server process, killed after the test; resolves with its URL once it listens. */
async function startServer(env: Record<string, string>): Promise<string> {
  const { child, url } = await startServerProcess(env);
  cleanups.push(() => child.exitCode === null && child.kill('SIGKILL'));
  return url;
}

/** Waits until `done()` holds, checking every 50 ms; fails naming `what` at the deadline. */
async function until(what: string, done: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting until ${what}`);
    await sleep(50);
  }
}

/** A redis-server of this test's own, persisting to `dir` (AOF, fsync always); startable again. */
function ownRedis(port: number, dir: string) {
  const url = `redis://127.0.0.1:${port}`;
  let server: ChildProcess | undefined;
  const stop = async () => {
    const running = server;
    server = undefined;
    if (!running || running.exitCode !== null) return;
    running.kill('SIGTERM');
    await once(running, 'exit');
  };
  cleanups.push(() => server?.kill('SIGKILL'));
  return {
    url,
    async start() {
      const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', ''];
      args.push('--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir);
      server = spawn('redis-server', args, { stdio: 'ignore' });
      await until('redis-server answers', () => redisAnswers(url), 10_000);
    },
    /** SIGTERM: Redis finishes writing the append-only file and exits, as in a restart. */
    stop,
  };
}

describe.skipIf(!haveRedisServer)('Redis restarted under a running server', () => {
  it('refuses webhooks with 503 and reports not ready while Redis is away, then recovers and answers every accepted message once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cita-redis-restart-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const redis = ownRedis(await freePort(), dir);
    await redis.start();
    const graph = await startFakeGraphApi({ accessToken: ACCESS_TOKEN, phoneNumberId: PHONE_NUMBER_ID });
    cleanups.push(() => void graph.close());

    // What an uninterrupted run answers each customer.
    const reference = start();
    const expected = new Map<string, string[]>();
    for (const phone of [...EARLY, DURING, ...LATE]) {
      const bodies: string[] = [];
      for (const text of SCRIPT) {
        const replies = await reference.converse(phone, { kind: 'text', text }, { customerName: 'Carlos' });
        bodies.push(...replies.map(bodyOf));
      }
      expected.set(phone, bodies);
    }
    const total = [...expected.values()].flat().length;
    // WhatsApp takes the first customer's first reply but its answer never comes back (the request
    // times out): the server must not send it again, since its status webhook says WhatsApp has it.
    let serverUrl: string | undefined;
    graph.sendStatusesTo(() => serverUrl && `${serverUrl}/webhook/whatsapp`, APP_SECRET);
    const lost = expected.get(EARLY[0]!)![0]!;
    graph.holdAnswerTo((message) => message.to === EARLY[0] && bodyOf(message) === lost);

    const url = await startServer({
      PORT: '0',
      REDIS_URL: redis.url,
      CITA_NOW: NOW,
      CITA_DATA_DIR: tempDataDir(),
      CITA_WORKERS: '1',
      LOG_LEVEL: 'info',
      LOG_HASH_SECRET: 'restart-test-hash-secret',
      ...whatsAppEnv(graph.url),
    });
    serverUrl = url;
    const payload = (phone: string, turn: number) =>
      JSON.stringify(textMessage(phone, `wamid.RR.${phone}.${turn}`, SCRIPT[turn]!));
    const post = (body: string) =>
      fetch(`${url}/webhook/whatsapp`, { ...signedPost(body), signal: AbortSignal.timeout(NO_HANG_MS) });
    const readyz = async () => {
      const response = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(NO_HANG_MS) });
      return { status: response.status, body: (await response.json()) as { failing: string[] } };
    };
    /** Every customer's whole script, turn by turn; each phone's messages in order. */
    const converse = async (phones: string[]) => {
      for (const turn of SCRIPT.keys()) {
        const statuses = await Promise.all(phones.map(async (phone) => (await post(payload(phone, turn))).status));
        expect(statuses).toEqual(phones.map(() => 200));
      }
    };

    expect((await readyz()).status).toBe(200);
    await converse(EARLY);
    // Redis goes away with accepted messages still waiting (one worker cannot have handled them all).
    const counter = new Redis(redis.url, { maxRetriesPerRequest: 0, retryStrategy: () => null });
    counter.on('error', () => {});
    const waiting = (
      await Promise.all(EARLY.map((phone) => counter.llen(redisKeys().phone(customerId('default', phone), 'queue'))))
    ).reduce((sum, n) => sum + n, 0);
    counter.disconnect();
    await redis.stop();
    expect(waiting).toBeGreaterThan(0);

    // Not ready, naming Redis (probes are cached for a few seconds, hence the wait).
    await until('/readyz reports Redis down', async () => (await readyz()).status === 503);
    expect((await readyz()).body.failing).toContain('redis');
    // The webhook refuses what it cannot store, at once and saying why; Meta will deliver it again.
    const refused = await post(payload(DURING, 0));
    expect(refused.status).toBe(503);
    expect(await refused.json()).toEqual({ error: expect.stringContaining('deliver again later') });

    await redis.start();
    await until('/readyz recovers', async () => (await readyz()).status === 200);
    // Meta delivers the refused message again (and, as it may, one that was already accepted).
    await until('the webhook accepts again', async () => (await post(payload(DURING, 0))).status === 200, 10_000);
    const again = await post(payload(EARLY[0]!, 0));
    expect(await again.json()).toMatchObject({ accepted: 0, duplicates: 1 });
    for (const turn of [1, 2]) expect((await post(payload(DURING, turn))).status).toBe(200);
    await converse(LATE);

    await until('every accepted message is answered', () => graph.messages.length >= total, 30_000);
    // Nothing more arrives: no message is answered twice.
    await sleep(500);
    for (const [phone, bodies] of expected) {
      const received = graph.messages.filter((message) => message.to === phone).map(bodyOf);
      expect(received, phone).toEqual(bodies);
    }
  }, 90_000);
});
