import { afterEach, describe, expect, it } from 'vitest';
import { log, messageRef, phoneRef, setLogHashSecret, withMessageContext } from '../../src/log.ts';
import { captureLogs } from './support.ts';

let logs: ReturnType<typeof captureLogs> | undefined;
afterEach(() => logs?.stop());

describe('log lines', () => {
  it('stand for a phone by a hash keyed with LOG_HASH_SECRET: stable under one key, different under another', () => {
    setLogHashSecret('first-secret-0123456789');
    const first = phoneRef('34600000001');
    expect(phoneRef('34600000001')).toBe(first);
    expect(phoneRef('34600000002')).not.toBe(first);
    setLogHashSecret('second-secret-0123456789');
    expect(phoneRef('34600000001')).not.toBe(first);
  });

  it('carry the correlation id of the message being handled into every line it causes, however deep', async () => {
    logs = captureLogs();
    await withMessageContext({ id: 'wamid.ABC', phone: '34600000001' }, async () => {
      await Promise.resolve();
      log.info({ event: 'deep.inside', step: 'greeting' });
      log.info({ event: 'next' });
    });
    log.info({ event: 'outside' });
    const [inside, next, outside] = logs.records();
    expect(inside).toMatchObject({ correlationId: messageRef('wamid.ABC'), phoneRef: phoneRef('34600000001') });
    // Each line has its own fields: nothing of one line carries over to the next.
    expect(next).toMatchObject({ correlationId: messageRef('wamid.ABC'), event: 'next' });
    expect(next).not.toHaveProperty('step');
    expect(outside).not.toHaveProperty('correlationId');
  });

  it('hash message ids and mask digit runs in any other text, such as an error quoting a Redis key', () => {
    logs = captureLogs();
    log.warn({
      event: 'test',
      messageId: 'wamid.HBgLMzQ2MDAwMDAwMDEVAgASGBQz',
      error: String(new Error('READONLY cita:{34600000001}:queue')),
      failure: new Error('no appointment for 34600000001'),
    });
    const [line] = logs.lines;
    expect(line).not.toContain('34600000001');
    expect(line).not.toContain('HBgL');
    expect(JSON.parse(line!)).toMatchObject({
      messageId: messageRef('wamid.HBgLMzQ2MDAwMDAwMDEVAgASGBQz'),
      error: 'Error: READONLY cita:{[digits]}:queue',
      failure: { type: 'Error', message: 'no appointment for [digits]' },
    });
  });
});
