import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createRedisAdapters } from '../../adapters/redis/index.ts';
import { SimulatorMessenger } from '../../adapters/simulator/messenger.ts';
import { type Cita, createCita } from '../../src/cita.ts';
import type { InboundMessage } from '../../src/engine/ports.ts';
import type { OutboundMessage } from '../../src/messages/whatsapp.ts';
import { fakeClock, shop, stateOf, tempDataDir } from '../support/cita.ts';
import { redisRun } from './implementations.ts';

const run = await redisRun();
const running: Cita[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((cita) => cita.stop()));
});

const OWNER = { phone: '34611000001', name: 'Paco', role: 'owner' as const };
const CARLOS = '34600000001';

/**
 * The shop's side on two processes sharing one Redis: the staff phone and the customer land on
 * either, the hand-back goes through the customer's queue in Redis, and "avisos off" said to one
 * process holds in the other.
 */
describe.skipIf(!run)('the shop on Redis, two processes', () => {
  it('hands a customer to a person and back across processes, and keeps notices off everywhere', async () => {
    const prefix = run!.prefix();
    const clock = fakeClock();
    const phones = new SimulatorMessenger();
    const [one, two] = [0, 1].map(() => {
      const redis = createRedisAdapters({ url: run!.redis.url, prefix });
      const cita = createCita({
        shop: { ...shop, staff: [OWNER] },
        clock,
        dataDir: tempDataDir(),
        adapters: { ...redis.adapters, calendar: redis.calendar, messenger: phones },
        onStop: redis.close,
      });
      running.push(cita);
      return cita;
    }) as [Cita, Cita];
    async function deliver(through: Cita, from: string, text: string): Promise<OutboundMessage[]> {
      const message: InboundMessage = {
        id: `wamid.${randomUUID()}`,
        shop: 'default',
        phone: from,
        receivedAt: clock().toISOString(),
        content: { kind: 'text', text },
      };
      expect(await through.inbox.accept(message)).toBe('accepted');
      return phones.repliesTo(message.id);
    }

    await deliver(one, OWNER.phone, 'hola');
    await deliver(two, CARLOS, 'quiero hablar con una persona');
    expect(
      phones
        .takeUnprompted(OWNER.phone)
        .map((m) => m.body)
        .join(),
    ).toContain('https://wa.me/34600000001');
    expect(await deliver(one, CARLOS, 'hola?')).toEqual([]);

    const back = await deliver(two, OWNER.phone, `listo ${CARLOS}`);
    expect(back.map((m) => m.body).join()).toContain('vuelve a hablar con el bot');
    for (let i = 0; i < 200 && (await stateOf(one, CARLOS)) !== 'greeting'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(await stateOf(one, CARLOS)).toBe('greeting');

    await deliver(one, OWNER.phone, 'avisos off');
    expect(await two.noticeSettings.isMuted(OWNER.phone)).toBe(true);
  });
});
