// First: the settings in .env must be in the environment before any module reads them.
import '../env-file.ts';
import { parseArgs } from 'node:util';
import { serve } from '@hono/node-server';
import { log } from '../log.ts';
import { startCita } from '../startup.ts';
import { createApp } from './app.ts';

const USAGE = `Usage: npm start   (npm run dev: the same, restarted when a source file changes)
Starts cita's server: the WhatsApp webhook when WHATSAPP_* is set, else the simulator page and
API; /healthz, /readyz, /metrics. Every setting comes from the environment or from .env in the
working directory (the environment wins); .env.example lists them all.`;

if (parseArgs({ options: { help: { type: 'boolean', short: 'h' } } }).values.help) {
  console.log(USAGE);
  process.exit(0);
}

const { env, shops, cita, whatsapp, readiness } = startCita();
let draining = false;
const app = createApp(cita, { whatsapp, metricsToken: env.METRICS_TOKEN, readiness, isDraining: () => draining });
const hostname = listenAddress(env.HOST, Boolean(whatsapp));
const server = serve({ fetch: app.fetch, port: env.PORT, hostname }, (info) => {
  const channel = whatsapp ? 'whatsapp' : 'simulator';
  const where = `http://${hostname === '127.0.0.1' ? 'localhost' : (hostname ?? 'localhost')}:${info.port}`;
  // Before 'server.listening', which tells a supervisor (and the tests) that start-up is done.
  log.info(
    { event: 'metrics.access', token: env.METRICS_TOKEN !== undefined },
    env.METRICS_TOKEN !== undefined
      ? '/metrics needs "Authorization: Bearer <METRICS_TOKEN>"'
      : '/metrics answers 127.0.0.1 only (others get 403); set METRICS_TOKEN to scrape it from another machine',
  );
  log.info(
    {
      event: 'server.listening',
      port: info.port,
      host: info.address,
      shops: shops.list().map((shop) => shop.id),
      channel,
    },
    whatsapp
      ? `cita listening on ${where} (all interfaces unless HOST says otherwise); WhatsApp webhook at /webhook/whatsapp`
      : `cita listening on ${where}; simulator page at / (this machine only unless HOST says otherwise)`,
  );
});

/**
 * HOST when set; else the simulator, which lets anyone speak as any customer, only on this machine;
 * WhatsApp, which Meta must reach, on every interface (undefined: Node's `::`, IPv4 and IPv6).
 */
function listenAddress(host: string | undefined, whatsApp: boolean): string | undefined {
  return host ?? (whatsApp ? undefined : '127.0.0.1');
}

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
