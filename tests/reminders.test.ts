import { afterEach, describe, expect, it } from 'vitest';
import { createRedisAdapters } from '../adapters/redis/index.ts';
import { ShopConfig } from '../config/schema.ts';
import { type Cita, createCita } from '../src/cita.ts';
import { redisRun } from './redis/implementations.ts';
import { customer, fakeClock, rawShop, shop, tempDataDir, testCita } from './support/cita.ts';
import { type CloudApiMessage, type FakeGraphApi, startFakeGraphApi } from './support/fake-graph-api.ts';

const run = await redisRun();

const running: { stop(): Promise<void> }[] = [];
const graphs: FakeGraphApi[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((cita) => cita.stop()));
  await Promise.all(graphs.splice(0).map((graph) => graph.close()));
});

const EVER = new Date(0);
const ACCESS_TOKEN = 'EAAG-test-token';
const PHONE_NUMBER_ID = '106540352242922';

async function fakeGraph() {
  const graph = await startFakeGraphApi({ accessToken: ACCESS_TOKEN, phoneNumberId: PHONE_NUMBER_ID });
  graphs.push(graph);
  return graph;
}

/** Carlos books a haircut for Wednesday 25 November at 17:00 (16:00 UTC) on Tuesday at 10:00. */
async function bookedCarlos(cita: Cita) {
  const carlos = customer(cita);
  await carlos.say('corte mañana a las 5');
  await carlos.say('sí');
  const [appointment] = await cita.calendar.upcomingFor(carlos.phone, EVER);
  return { carlos, appointment: appointment! };
}

/** The template of a message the fake Graph API took: its name, language code and body parameters. */
function templateSent(message: CloudApiMessage | undefined) {
  if (message?.type !== 'template') return undefined;
  const body = message.template.components?.find((component) => component.type === 'body');
  return {
    name: message.template.name,
    language: message.template.language.code,
    parameters: body?.parameters.map((parameter) => parameter.text),
  };
}

describe('reminders', () => {
  it('reminds 24 hours and 2 hours before, once each, with buttons to come, change or cancel', async () => {
    const clock = fakeClock();
    const cita = testCita({ clock });
    running.push(cita);
    const { carlos, appointment } = await bookedCarlos(cita);

    clock.set('2026-11-24T15:59:00Z');
    expect(await cita.sendDueReminders()).toEqual({ sent: 0, skipped: 0, failed: 0 });
    clock.set('2026-11-24T16:00:00Z');
    expect(await cita.sendDueReminders()).toEqual({ sent: 1, skipped: 0, failed: 0 });
    expect(await cita.sendDueReminders()).toEqual({ sent: 0, skipped: 0, failed: 0 });
    clock.set('2026-11-25T14:00:00Z');
    expect(await cita.sendDueReminders()).toMatchObject({ sent: 1 });

    // The phone shows both reminders before the reply to the next message.
    await carlos.say('¿dónde estáis?');
    const [first, second] = carlos.last;
    expect(first?.body).toContain(
      '⏰ Recordatorio: tienes cita de Corte de pelo el miércoles 25 de noviembre a las 17:00',
    );
    expect(second?.body).toContain('Recordatorio');
    expect(carlos.options.slice(0, 3).map((o) => o.title)).toEqual(['Allí estaré', 'Cambiar cita', 'Anular cita']);
    await carlos.tap('Allí estaré');
    expect(carlos.lastText).toContain('¡Gracias por confirmar!');
    expect((await cita.history.list(carlos.phone)).at(-1)).toMatchObject({
      bookingId: appointment.id,
      status: 'attendanceConfirmed',
    });
  });

  it('sends nothing for a cancelled appointment', async () => {
    const clock = fakeClock();
    const cita = testCita({ clock });
    running.push(cita);
    const { carlos } = await bookedCarlos(cita);
    await carlos.say('cancelar mi cita');
    await carlos.say('sí');
    clock.set('2026-11-25T15:00:00Z');
    expect(await cita.sendDueReminders()).toEqual({ sent: 0, skipped: 0, failed: 0 });
  });

  it('reminds a moved appointment at its new time only', async () => {
    const clock = fakeClock();
    const cita = testCita({ clock });
    running.push(cita);
    const { carlos } = await bookedCarlos(cita);
    await carlos.say('cambiar mi cita');
    await carlos.say('el jueves a las 6');
    await carlos.say('sí');
    clock.set('2026-11-25T14:00:00Z'); // the old 2-hour reminder time: nothing
    expect(await cita.sendDueReminders()).toMatchObject({ sent: 0 });
    clock.set('2026-11-25T17:00:00Z'); // 24 hours before Thursday 18:00
    expect(await cita.sendDueReminders()).toMatchObject({ sent: 1 });
    await carlos.say('hola');
    expect(carlos.last[0]?.body).toContain('jueves 26 de noviembre a las 18:00');
  });

  it('uses free text inside the 24-hour window and the approved template outside it', async () => {
    const graph = await fakeGraph();
    const clock = fakeClock();
    const whatsapp = graph.messenger();
    // A booking made a week ahead: the 24-hour reminder falls long after the customer's last message.
    const cita = testCita({ clock, adapters: { messenger: whatsapp } });
    running.push(cita);
    const carlos = customer(cita);
    await carlos.say('corte el 1 de diciembre a las 5');
    await carlos.say('sí');
    const [appointment] = await cita.calendar.upcomingFor(carlos.phone, EVER);

    clock.set('2026-11-30T16:00:00Z');
    expect(await cita.sendDueReminders()).toMatchObject({ sent: 1 });
    expect(graph.messages).toEqual([
      expect.objectContaining({
        to: carlos.phone,
        type: 'template',
        template: {
          name: 'cita_reminder',
          language: { code: 'es' },
          components: [
            {
              type: 'body',
              parameters: [
                { type: 'text', text: 'Corte de pelo' },
                { type: 'text', text: 'martes 1 de diciembre' },
                { type: 'text', text: '17:00' },
              ],
            },
            ...['CONFIRM_ATTENDANCE', 'MOVE_BOOKING', 'CANCEL_BOOKING'].map((type, index) => ({
              type: 'button',
              sub_type: 'quick_reply',
              index: String(index),
              parameters: [{ type: 'payload', payload: `${type}:${appointment!.id}` }],
            })),
          ],
        },
      }),
    ]);

    // The customer wrote in the last 24 hours: the 2-hour reminder is an ordinary buttons message.
    clock.set('2026-12-01T13:00:00Z');
    await carlos.say('¿a qué hora abrís?');
    clock.set('2026-12-01T14:00:00Z');
    expect(await cita.sendDueReminders()).toMatchObject({ sent: 1 });
    expect(graph.messages.at(-1)).toMatchObject({ type: 'interactive', interactive: { type: 'button' } });
  });

  it('does not retry a reminder WhatsApp cannot deliver (131026): the history says the customer was not reached', async () => {
    const graph = await fakeGraph();
    const clock = fakeClock();
    const cita = testCita({ clock, adapters: { messenger: graph.messenger() } });
    running.push(cita);
    const carlos = customer(cita);
    await carlos.say('corte el 1 de diciembre a las 5');
    await carlos.say('sí');

    clock.set('2026-11-30T16:00:00Z');
    graph.failNext({ status: 400, code: 131026 });
    expect(await cita.sendDueReminders()).toEqual({ sent: 0, skipped: 0, failed: 1 });
    // Not planned again: the next look sends nothing, and WhatsApp was asked once.
    expect(await cita.sendDueReminders()).toEqual({ sent: 0, skipped: 0, failed: 0 });
    expect(graph.requests.filter((r) => r.status === 400)).toHaveLength(1);
    for (let i = 0; i < 50 && (await cita.history.list(carlos.phone)).length < 2; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect((await cita.history.list(carlos.phone)).map((entry) => entry.status)).toEqual(['booked', 'notReached']);
  });

  it('sends an English customer the English template outside the window, and a Spanish one the Spanish', async () => {
    const graph = await fakeGraph();
    const clock = fakeClock();
    const cita = testCita({ clock, adapters: { messenger: graph.messenger() } });
    running.push(cita);
    const john = customer(cita, '447700900001', 'John');
    await john.say('hi, a haircut on 1 December at 5pm please');
    await john.say('yes');
    const carlos = customer(cita, '34600000002');
    await carlos.say('corte el 1 de diciembre a las 6');
    await carlos.say('sí');

    clock.set('2026-11-30T17:00:00Z'); // both 24-hour reminders are due, days after either wrote
    expect(await cita.sendDueReminders()).toMatchObject({ sent: 2 });
    const sentTo = (phone: string) => templateSent(graph.messages.find((m) => m.to === phone));
    expect(sentTo(john.phone)).toEqual({
      name: 'cita_reminder',
      language: 'en',
      parameters: ['Haircut', 'Tuesday 1 December', '17:00'],
    });
    expect(sentTo(carlos.phone)).toEqual({
      name: 'cita_reminder',
      language: 'es',
      parameters: ['Corte de pelo', 'martes 1 de diciembre', '18:00'],
    });
  });

  it('sends the one template of a config in the older single form to every customer, in its language', async () => {
    const graph = await fakeGraph();
    const clock = fakeClock();
    const single = ShopConfig.parse({
      ...rawShop(),
      reminders: { template: { name: 'recordatorio', language: 'es_ES' } },
    });
    const cita = testCita({ shop: single, clock, adapters: { messenger: graph.messenger() } });
    running.push(cita);
    const john = customer(cita, '447700900001', 'John');
    await john.say('hi, a haircut on 1 December at 5pm please');
    await john.say('yes');
    clock.set('2026-11-30T16:00:00Z');
    expect(await cita.sendDueReminders()).toMatchObject({ sent: 1 });
    expect(templateSent(graph.messages.at(-1))).toEqual({
      name: 'recordatorio',
      language: 'es_ES',
      parameters: ['Corte de pelo', 'martes 1 de diciembre', '17:00'],
    });
  });

  it('sends the template instead when WhatsApp says the window is closed (131047) though the last message was recent', async () => {
    const graph = await fakeGraph();
    const clock = fakeClock();
    const cita = testCita({ clock, adapters: { messenger: graph.messenger() } });
    running.push(cita);
    await bookedCarlos(cita);
    clock.set('2026-11-24T16:00:00Z'); // 7 hours after Carlos wrote: open, as far as cita knows
    graph.failNext({ status: 400, code: 131047, message: 'Re-engagement message' });
    expect(await cita.sendDueReminders()).toMatchObject({ sent: 1, failed: 0 });
    expect(graph.messages.at(-1)).toMatchObject({ type: 'template', template: { name: 'cita_reminder' } });
  });

  it('plans a reminder again when WhatsApp does not take it', async () => {
    const graph = await fakeGraph();
    const clock = fakeClock();
    const whatsapp = graph.messenger({ attempts: 1 });
    const cita = testCita({ clock, adapters: { messenger: whatsapp } });
    running.push(cita);
    await bookedCarlos(cita);
    graph.failNext({ status: 503, code: 2, message: 'Service temporarily unavailable' });
    clock.set('2026-11-24T16:00:00Z');
    expect(await cita.sendDueReminders()).toMatchObject({ sent: 0, failed: 1 });
    expect(await cita.sendDueReminders()).toMatchObject({ sent: 1, failed: 0 });
  });
});

describe.skipIf(!run)('reminders with two processes on Redis', () => {
  it('sends each reminder once however many processes look at the same moment', async () => {
    const graph = await fakeGraph();
    const prefix = run!.prefix();
    const clock = fakeClock();
    const processes = [0, 1].map(() => {
      const redis = createRedisAdapters({ url: run!.redis.url, prefix });
      const whatsapp = graph.messenger();
      const cita = createCita({
        shop,
        clock,
        dataDir: tempDataDir(),
        adapters: { ...redis.adapters, calendar: redis.calendar, messenger: whatsapp },
        onStop: redis.close,
      });
      running.push(cita);
      return cita;
    });
    const [first, second] = processes as [Cita, Cita];
    // Three customers book through the first process.
    for (const [n, time] of ['11', '12', '13'].entries()) {
      const person = customer(first, `3460000001${n}`);
      await person.say(`corte mañana a las ${time}`);
      await person.say('sí');
    }
    const before = graph.messages.length;
    clock.set('2026-11-24T12:00:00Z'); // past every 24-hour reminder
    const rounds = await Promise.all([
      first.sendDueReminders(),
      second.sendDueReminders(),
      first.sendDueReminders(),
      second.sendDueReminders(),
    ]);
    expect(rounds.reduce((sum, round) => sum + round.sent, 0)).toBe(3);
    expect(graph.messages.slice(before)).toHaveLength(3);
  });
});
