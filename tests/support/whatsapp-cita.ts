import { afterEach } from 'vitest';
import type { ShopConfig } from '../../config/schema.ts';
import type { Cita } from '../../src/cita.ts';
import { fakeClock, shop, testCita } from './cita.ts';
import { type FakeGraphApi, startFakeGraphApi } from './fake-graph-api.ts';

const running: Cita[] = [];
const graphs: FakeGraphApi[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((cita) => cita.stop()));
  await Promise.all(graphs.splice(0).map((graph) => graph.close()));
});

/**
 * A cita on the embedded stores that sends through a fake Graph API (what WhatsApp took is in
 * `graph.messages`), for the messages cita starts on its own; stopped after each test.
 */
export async function whatsappCita(config: ShopConfig = shop, clock = fakeClock()) {
  const graph = await startFakeGraphApi({ accessToken: 'EAAG-test-token', phoneNumberId: '106540352242922' });
  graphs.push(graph);
  const cita = testCita({ shop: config, clock, adapters: { messenger: graph.messenger() } });
  running.push(cita);
  return { cita, graph, clock };
}
