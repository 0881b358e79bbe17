import { afterEach, describe, expect, it } from 'vitest';
import { log, withMessageContext } from '../../src/log.ts';
import { captureLogs } from '../ops/support.ts';

let logs: ReturnType<typeof captureLogs> | undefined;
afterEach(() => logs?.stop());

describe('log lines with many shops', () => {
  it('carry the shop of the message being handled into every line it causes, its id as written', async () => {
    logs = captureLogs();
    await withMessageContext({ id: 'wamid.ABC', phone: '34600000001', shop: 'barberia-1234567' }, async () => {
      await Promise.resolve();
      log.info({ event: 'deep.inside' });
    });
    expect(logs.records()[0]).toMatchObject({ event: 'deep.inside', shop: 'barberia-1234567' });
  });
});
