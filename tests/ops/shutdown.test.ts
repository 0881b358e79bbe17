import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { redisRun, sleep } from '../redis/implementations.ts';
import { citaPerTest, tempDataDir } from '../support/cita.ts';
import { startFakeGraphApi } from '../support/fake-graph-api.ts';
import { bodyOf, startServerProcess } from '../support/server-process.ts';
import { signedPost, textMessage } from '../whatsapp/helpers.ts';
import { ACCESS_TOKEN, PHONE_NUMBER_ID, whatsAppEnv } from './support.ts';

/**
 * A real server process (`node src/server/main.ts`, WhatsApp against a fake Graph API, Redis)
 * gets SIGTERM in the middle of a burst of webhook messages. Meta's behaviour is played by the
 * test: whatever the server did not answer 200 is delivered again, to a second process started on
 * the same Redis. Every customer must then have received exactly the replies an uninterrupted
 * run gives: none missing, none twice, in order.
 */

const run = await redisRun();
const NOW = '2026-11-24T09:00:00Z';
const PHONES = Array.from({ length: 8 }, (_, i) => `3460000${String(i).padStart(4, '0')}`);
const SCRIPT = ['hola', 'quiero un corte', 'mañana'];
const start = citaPerTest();

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

/** Starts a server process, killed after the test. */
async function startServer(env: Record<string, string>) {
  const server = await startServerProcess(env);
  children.push(server.child);
  return server;
}

describe.skipIf(!run)('a server process stopped by SIGTERM mid-burst', () => {
  it('loses and repeats nothing: once a new process took over, each customer got exactly the replies of an uninterrupted run', async () => {
    const graph = await startFakeGraphApi({ accessToken: ACCESS_TOKEN, phoneNumberId: PHONE_NUMBER_ID });
    try {
      // What an uninterrupted run answers each customer.
      const reference = start();
      const expected = new Map<string, string[]>();
      for (const phone of PHONES) {
        const bodies: string[] = [];
        for (const text of SCRIPT) {
          const replies = await reference.converse(phone, { kind: 'text', text }, { customerName: 'Carlos' });
          bodies.push(...replies.map(bodyOf));
        }
        expected.set(phone, bodies);
      }

      const env = {
        PORT: '0',
        REDIS_URL: run!.redis.url,
        REDIS_PREFIX: run!.prefix(),
        CITA_NOW: NOW,
        CITA_DATA_DIR: tempDataDir(),
        CITA_WORKERS: '4',
        CITA_SHUTDOWN_MS: '10000',
        LOG_LEVEL: 'info',
        LOG_HASH_SECRET: 'shutdown-test-hash-secret',
        ...whatsAppEnv(graph.url),
      };

      // Turn by turn, every customer writes; the burst is half sent when SIGTERM arrives.
      const burst = SCRIPT.flatMap((text, turn) =>
        PHONES.map((phone) => JSON.stringify(textMessage(phone, `wamid.SD.${phone}.${turn}`, text))),
      );
      const first = await startServer(env);
      const redeliver: string[] = [];
      let refused = false;
      for (const [i, payload] of burst.entries()) {
        if (i === burst.length / 2) first.child.kill('SIGTERM');
        // After the first refusal Meta holds the rest back too, so each phone's messages stay in order.
        if (!refused) {
          const status = await fetch(`${first.url}/webhook/whatsapp`, signedPost(payload)).then(
            (response) => response.status,
            () => 0,
          );
          refused = status !== 200;
        }
        if (refused) redeliver.push(payload);
      }
      const [code] = await once(first.child, 'exit');
      expect(code).toBe(0);

      const second = await startServer(env);
      // One message the first process had accepted comes again too, as Meta's retries do.
      for (const payload of [burst[0]!, ...redeliver]) {
        const response = await fetch(`${second.url}/webhook/whatsapp`, signedPost(payload));
        expect(response.status).toBe(200);
      }
      const total = [...expected.values()].flat().length;
      const deadline = Date.now() + 20_000;
      while (graph.messages.length < total && Date.now() < deadline) await sleep(50);
      // Stopped too, so nothing can still arrive after the comparison.
      second.child.kill('SIGTERM');
      expect((await once(second.child, 'exit'))[0]).toBe(0);

      for (const phone of PHONES) {
        const received = graph.messages.filter((message) => message.to === phone).map(bodyOf);
        expect(received, phone).toEqual(expected.get(phone));
      }
    } finally {
      await graph.close();
    }
  }, 60_000);
});
