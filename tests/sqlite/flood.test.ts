import { describe, expect, it } from 'vitest';
import { createSqliteAdapters } from '../../adapters/sqlite/index.ts';
import type { InboundMessage } from '../../src/engine/ports.ts';
import { citaPerTest, customer, tempDataDir } from '../support/cita.ts';

const start = citaPerTest();

/** Messages from one phone over the rate limit: each is finished at once, never answered. */
const FLOOD = 5_000;
const FLOODER = '34600000099';

describe('one customer flooding the SQLite inbox', () => {
  it('does not keep a new customer waiting: the newcomer is answered while the flood is still queued', async () => {
    const dataDir = tempDataDir();
    const filling = createSqliteAdapters({ dataDir });
    const receivedAt = new Date().toISOString();
    for (let n = 0; n < FLOOD; n++) {
      const message: InboundMessage = {
        id: `wamid.flood.${n}`,
        shop: 'default',
        phone: FLOODER,
        receivedAt,
        content: { kind: 'text', text: `spam ${n}` },
        overLimit: 'dropped',
      };
      await filling.adapters.inbox.accept(message);
    }
    await filling.close();

    // The real worker and the real inbox on the file the flood is in.
    const cita = start({ dataDir });
    const newcomer = customer(cita, '34600000001', 'Ana');
    const replies = await newcomer.say('hola');
    const stillQueued = (await cita.inbox.depth?.()) ?? 0;

    expect(replies.length).toBeGreaterThan(0);
    // Served oldest message first, the newcomer came after all of the flood; in turns, after one.
    expect(stillQueued).toBeGreaterThan(FLOOD / 2);
  });
});
