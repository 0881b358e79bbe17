import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createRedisAdapters } from '../../adapters/redis/index.ts';
import { SimulatorMessenger } from '../../adapters/simulator/messenger.ts';
import { type Cita, createCita } from '../../src/cita.ts';
import type { InboundMessage } from '../../src/engine/ports.ts';
import { es } from '../../src/messages/es.ts';
import type { OutboundMessage } from '../../src/messages/whatsapp.ts';
import { createApp } from '../../src/server/app.ts';
import type { TranscriptView } from '../../src/server/simulator-api.ts';
import { customer, fakeClock, shop, stateOf, tempDataDir } from '../support/cita.ts';
import { redisRun } from './implementations.ts';

const run = await redisRun();

const running: Cita[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((cita) => cita.stop()));
});

/**
 * Two cita processes on one Redis, as two `npm start` behind a load balancer: each has its own
 * connection, workers and data directory; bookings are in Redis too (no Google Calendar), and the
 * customers' phones (`phone`) receive the replies whichever process sends them.
 */
function twoProcesses() {
  const prefix = run!.prefix();
  const clock = fakeClock();
  const phone = new SimulatorMessenger();
  const processes = [0, 1].map(() => {
    const redis = createRedisAdapters({ url: run!.redis.url, prefix });
    const cita = createCita({
      shop,
      clock,
      dataDir: tempDataDir(),
      workers: 3,
      adapters: { ...redis.adapters, calendar: redis.calendar, messenger: phone },
      onStop: redis.close,
    });
    running.push(cita);
    return cita;
  });

  /** A customer's message delivered by WhatsApp to one process's webhook; resolves with the replies. */
  async function deliver(through: Cita, from: string, content: InboundMessage['content']): Promise<OutboundMessage[]> {
    const message: InboundMessage = {
      id: `wamid.${randomUUID()}`,
      shop: 'default',
      phone: from,
      receivedAt: clock().toISOString(),
      content,
    };
    expect(await through.inbox.accept(message)).toBe('accepted');
    return phone.repliesTo(message.id);
  }
  const tap = (through: Cita, from: string, replyId: string) => deliver(through, from, { kind: 'reply', replyId });
  return { processes: processes as [Cita, Cita], calendar: processes[0]!.calendar, deliver, tap, prefix };
}

const DAY = { start: '2026-11-25T00:00:00Z', end: '2026-11-26T00:00:00Z' };

describe.skipIf(!run)('cita on Redis, two processes', () => {
  it('books a haircut for a customer whose messages land on alternating processes', async () => {
    const { processes, calendar, tap } = twoProcesses();
    const [one, two] = processes;
    const carlos = '34600000001';

    await tap(one, carlos, 'SELECT_SERVICE:corte');
    await tap(two, carlos, 'PICK_DATE:2026-11-25');
    await tap(one, carlos, 'PICK_TIME:10:00');
    expect(await stateOf(two, carlos)).toBe('confirming');
    await tap(two, carlos, 'CONFIRM');

    expect(await stateOf(one, carlos)).toBe('booked');
    expect(await calendar.busy(DAY)).toHaveLength(1);
    expect(await calendar.upcomingFor(carlos, new Date('2026-11-24T00:00:00Z'))).toMatchObject([
      { serviceId: 'corte', start: '2026-11-25T09:00:00.000Z', end: '2026-11-25T09:30:00.000Z' },
    ]);
    // The history lives in Redis: the other process sees it.
    expect(await two.history.list(carlos)).toMatchObject([{ serviceId: 'corte', status: 'booked' }]);
    // So does the conversation in messages: either process's simulator page shows all four turns.
    const response = await createApp(one).request(`/simulator/conversations/${carlos}/messages`);
    const { messages } = (await response.json()) as TranscriptView;
    expect(messages.filter((message) => message.from === 'customer').map((message) => message.words)).toEqual(
      ['SELECT_SERVICE:corte', 'PICK_DATE:2026-11-25', 'PICK_TIME:10:00', 'CONFIRM'].map((replyId) => ({
        kind: 'reply',
        replyId,
      })),
    );
    // The confirmation, then the appointment's calendar file.
    expect(messages.at(-2)).toMatchObject({ from: 'cita', message: { body: expect.stringContaining('10:00') } });
    expect(messages.at(-1)).toMatchObject({ from: 'cita', message: { kind: 'document' } });
  });

  it('gives a slot wanted by 40 customers through two processes at once to exactly one of them', async () => {
    const { processes, calendar, tap } = twoProcesses();
    const [one, two] = processes;
    const customers = Array.from({ length: 40 }, (_, i) => `346000${String(i).padStart(5, '0')}`);
    await Promise.all(customers.map((customer, i) => tap(processes[i % 2]!, customer, 'SELECT_SERVICE:corte')));
    await Promise.all(customers.map((customer, i) => tap(processes[i % 2]!, customer, 'PICK_DATE:2026-11-25')));
    await Promise.all(customers.map((customer, i) => tap(processes[(i + 1) % 2]!, customer, 'PICK_TIME:10:00')));

    const states = await Promise.all(customers.map((customer) => stateOf(one, customer)));
    expect(states.filter((state) => state === 'confirming')).toHaveLength(1);
    const winner = customers[states.indexOf('confirming')]!;
    await Promise.all(customers.map((customer) => tap(two, customer, 'CONFIRM')));

    expect(await calendar.busy(DAY)).toHaveLength(1);
    expect(await calendar.upcomingFor(winner, new Date(0))).toHaveLength(1);
  });

  it('answers a burst of 25 messages with 20 replies, one "slow down" and then silence', async () => {
    const { processes, deliver } = twoProcesses();
    const [one, two] = processes;
    const carlos = '34600000001';
    const replies = await Promise.all(
      Array.from({ length: 25 }, (_, i) => deliver(i % 2 ? one : two, carlos, { kind: 'reply', replyId: 'RESTART' })),
    );

    const said = replies.map((turn) => turn.map((message) => message.body));
    const slowDown = [es.remarks.slowDown];
    expect(said.filter((turn) => turn.length > 0 && turn.join() !== slowDown.join())).toHaveLength(20);
    expect(said.filter((turn) => turn.join() === slowDown.join())).toHaveLength(1);
    expect(said.filter((turn) => turn.length === 0)).toHaveLength(4);
  });

  it('ignores something unreadable published on the simulator reply channel', async () => {
    const { processes, prefix } = twoProcesses();
    await run!.redis.connect().publish(`${prefix}:simulator-replies`, 'not json');
    const carlos = customer(processes[0]);
    await carlos.say('hola');
    expect(carlos.lastText).toContain('¿Qué servicio quieres reservar?');
  });

  it('answers the simulator of a process that has no workers of its own, through the other process', async () => {
    const prefix = run!.prefix();
    const clock = fakeClock();
    const [page, worker] = [0, 3].map((workers) => {
      const redis = createRedisAdapters({ url: run!.redis.url, prefix });
      const cita = createCita({
        shop,
        clock,
        dataDir: tempDataDir(),
        workers,
        adapters: { ...redis.adapters, calendar: redis.calendar },
        onStop: redis.close,
      });
      running.push(cita);
      return cita;
    }) as [Cita, Cita];
    const carlos = customer(page);
    await carlos.say('quiero un corte mañana a las 5');
    expect(carlos.lastText).toContain('Corte de pelo el miércoles 25 de noviembre a las 17:00');
    await carlos.say('sí');
    expect(carlos.lastText).toContain('¡Cita reservada!');
    expect(await stateOf(worker, carlos.phone)).toBe('booked');
  });
});
