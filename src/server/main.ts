import { serve } from '@hono/node-server';
import { log } from '../log.ts';
import { startCita } from '../startup.ts';
import { createApp } from './app.ts';

const { env, shop, cita, whatsapp } = startCita();
const server = serve({ fetch: createApp(cita, { whatsapp }).fetch, port: env.PORT }, (info) => {
  log.info(
    { event: 'server.listening', port: info.port, shop: shop.name, channel: whatsapp ? 'whatsapp' : 'simulator' },
    whatsapp
      ? `cita listening on http://localhost:${info.port}; WhatsApp webhook at /webhook/whatsapp`
      : `cita listening on http://localhost:${info.port}; simulator page at /`,
  );
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close();
    cita.stop().then(() => process.exit(0));
  });
}
