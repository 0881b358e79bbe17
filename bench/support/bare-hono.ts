import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { freePort } from '../../tests/support/net.ts';
import { cpuSecondsOf } from './server.ts';

/**
 * The yardstick for the webhook: a bare Hono app on @hono/node-server, in a process of its own,
 * whose POST reads the body and answers 200 (no signature, no parsing, no store).
 *
 * @example
 * const bare = await startBareHono();
 * // autocannon POST `${bare.url}/webhook/whatsapp`, then
 * await bare.stop();
 */
export async function startBareHono() {
  const port = await freePort();
  const child = spawn(process.execPath, [new URL(import.meta.url).pathname], {
    env: { ...process.env, BARE_HONO_PORT: String(port) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const [message] = await once(child, 'message');
  if (message !== 'listening') throw new Error(`bare Hono server did not start: ${String(message)}`);
  return {
    url: `http://127.0.0.1:${port}`,
    cpuSeconds: () => cpuSecondsOf(child.pid!),
    async stop(): Promise<void> {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}

if (process.env.BARE_HONO_PORT && process.send) {
  const app = new Hono();
  app.post('/webhook/whatsapp', async (c) => {
    await c.req.arrayBuffer();
    return c.json({ ok: true });
  });
  serve({ fetch: app.fetch, port: Number(process.env.BARE_HONO_PORT), hostname: '127.0.0.1' }, () =>
    process.send?.('listening'),
  );
}
