import { serve } from '@hono/node-server';
import { log } from '../log.ts';
import { startCita } from '../startup.ts';
import { createApp } from './app.ts';

const { env, shop, cita, whatsapp, readiness } = startCita();
let draining = false;
const app = createApp(cita, { whatsapp, metricsToken: env.METRICS_TOKEN, readiness, isDraining: () => draining });
const server = serve({ fetch: app.fetch, port: env.PORT }, (info) => {
  log.info(
    { event: 'server.listening', port: info.port, shop: shop.name, channel: whatsapp ? 'whatsapp' : 'simulator' },
    whatsapp
      ? `cita listening on http://localhost:${info.port}; WhatsApp webhook at /webhook/whatsapp`
      : `cita listening on http://localhost:${info.port}; simulator page at /`,
  );
});

/**
 * SIGTERM (a deploy, systemd, Kubernetes) or SIGINT (Ctrl+C): stop taking messages (the webhook
 * answers 503, so Meta delivers them again to a process that is up), finish the ones in hand
 * within CITA_SHUTDOWN_MS and hand back the rest, close Redis, exit 0. A second signal exits at once.
 */
async function shutDown(signal: NodeJS.Signals): Promise<void> {
  draining = true;
  log.info(
    { event: 'shutdown.started', signal, inFlight: cita.inFlight, graceMs: env.CITA_SHUTDOWN_MS },
    'shutting down',
  );
  // Simulator requests in hand wait for their replies over open connections: those close after.
  await cita.stop({ graceMs: env.CITA_SHUTDOWN_MS });
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    if ('closeAllConnections' in server) server.closeAllConnections();
  });
  log.info({ event: 'shutdown.done' }, 'stopped');
  process.exit(0);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    for (const again of ['SIGINT', 'SIGTERM'] as const) process.once(again, () => process.exit(1));
    shutDown(signal).catch((error) => {
      log.error({ event: 'shutdown.failed', error: String(error) }, 'shutdown failed');
      process.exit(1);
    });
  });
}
