import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { DeliveryProgress } from '../../adapters/whatsapp/delivery-progress.ts';
import { WhatsAppMessenger } from '../../adapters/whatsapp/messenger.ts';
import { whatsAppWebhook } from '../../src/server/whatsapp-webhook.ts';
import { APP_SECRET, VERIFY_TOKEN } from '../whatsapp/helpers.ts';

/**
 * cita's real webhook route, in a process of its own (the test's), recording WhatsApp's statuses
 * into the shared store as any process behind the load balancer would: what a worker that lost a
 * reply's answer waits for. Meta signs with APP_SECRET.
 */
/** A Hono app (cita's, from `createApp`) served on a free local port, so fakes can call it back over HTTP. */
export async function serveApp(app: Hono) {
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export async function startStatusWebhook(progress: DeliveryProgress) {
  const recorder = new WhatsAppMessenger({ accessToken: 'unused', phoneNumberId: '0', progress });
  const app = new Hono();
  app.route(
    '/webhook/whatsapp',
    whatsAppWebhook({
      appSecret: APP_SECRET,
      verifyToken: VERIFY_TOKEN,
      inbox: { accept: async () => 'accepted' },
      recordStatus: (status) => recorder.statusReceived(status),
    }),
  );
  const served = await serveApp(app);
  return { url: `${served.url}/webhook/whatsapp`, close: served.close };
}
