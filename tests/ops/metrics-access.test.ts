import type { ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/server/app.ts';
import { citaPerTest, tempDataDir } from '../support/cita.ts';
import { startServerProcess } from '../support/server-process.ts';
import { whatsAppEnv } from './support.ts';

/**
 * Issue 25: /metrics maps the shop's traffic. Without METRICS_TOKEN it answers this machine only,
 * also when the server listens on every interface for WhatsApp.
 */
const start = citaPerTest();
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

/** The bindings @hono/node-server gives a request, as `getConnInfo` reads them: the peer's socket. */
const fromPeer = (remoteAddress: string) => ({
  incoming: {
    socket: { remoteAddress, remotePort: 40_000, remoteFamily: remoteAddress.includes(':') ? 'IPv6' : 'IPv4' },
  },
});

describe('GET /metrics without METRICS_TOKEN', () => {
  it('answers a peer on another machine 403 with the reason, and this machine 200', async () => {
    const app = createApp(start());
    const away = await app.request('/metrics', {}, fromPeer('203.0.113.7'));
    expect(away.status).toBe(403);
    expect(await away.json()).toEqual({
      error: 'GET /metrics answers only 127.0.0.1 without METRICS_TOKEN: set it to scrape from elsewhere',
    });
    expect((await app.request('/metrics', {}, fromPeer('2001:db8::1'))).status).toBe(403);
    for (const local of ['127.0.0.1', '::1', '::ffff:127.0.0.1']) {
      expect((await app.request('/metrics', {}, fromPeer(local))).status, local).toBe(200);
    }
  });

  it('answers any peer with the token, when METRICS_TOKEN is set', async () => {
    const app = createApp(start(), { metricsToken: 'scrape-me' });
    const headers = { authorization: 'Bearer scrape-me' };
    expect((await app.request('/metrics', { headers }, fromPeer('203.0.113.7'))).status).toBe(200);
  });

  it('says so at start-up, and a server on every interface still answers this machine', async () => {
    const server = await startServerProcess({
      PORT: '0',
      LOG_LEVEL: 'info',
      CITA_DATA_DIR: tempDataDir(),
      ...whatsAppEnv('http://127.0.0.1:9'),
    });
    children.push(server.child);
    expect(['::', '0.0.0.0']).toContain(server.host);
    expect((await fetch(`${server.url}/metrics`)).status).toBe(200);
    expect(server.logs.join('\n')).toContain('/metrics answers 127.0.0.1 only (others get 403)');
  });
});
