import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tokenReadiness, type WhatsAppMessengerOptions } from '../../adapters/whatsapp/messenger.ts';
import type { HistoryEntry } from '../../src/engine/ports.ts';
import type { OutboundMessage } from '../../src/messages/whatsapp.ts';
import { createApp } from '../../src/server/app.ts';
import { sample } from '../ops/support.ts';
import { ACCESS_TOKEN, allShown, CARLOS, OWNER, optionIds, PHONE_NUMBER_ID, shopWith, to } from '../staff/support.ts';
import { citaPerTest, fakeClock, tempDataDir } from '../support/cita.ts';
import { type CloudApiMessage, type FakeGraphApi, startFakeGraphApi } from '../support/fake-graph-api.ts';
import { serveApp } from '../support/status-webhook.ts';
import { APP_SECRET, buttonReply, listReply, signedPost, textMessage, turnTracking, VERIFY_TOKEN } from './helpers.ts';

/**
 * Every answer Meta gives a message cita sent, end to end: the real app, engine and messenger over
 * HTTP at the fake Graph API, which answers each error code with Meta's own body and sends status
 * webhooks back (with the message's `biz_opaque_callback_data`) to the app, served on a port.
 */

const start = citaPerTest();
/** Message ids are unique in the file: a cita restarted on the same store would take a repeated one as a redelivery. */
let n = 0;
let graph: FakeGraphApi;
const closing: (() => Promise<void>)[] = [];
beforeEach(async () => {
  graph = await startFakeGraphApi({ accessToken: ACCESS_TOKEN, phoneNumberId: PHONE_NUMBER_ID });
});
afterEach(async () => {
  for (const close of closing.splice(0)) await close();
  await graph.close();
});

async function harness(options: Partial<WhatsAppMessengerOptions> = {}, { dataDir }: { dataDir?: string } = {}) {
  const clock = fakeClock();
  const whatsapp = graph.messenger({ pairBackoffMs: 5, ...options });
  const { messenger, turnDone } = turnTracking(whatsapp);
  const cita = start({ shop: shopWith(), clock, adapters: { messenger }, ...(dataDir && { dataDir }) });
  const app = createApp(cita, {
    whatsapp: { appSecret: APP_SECRET, verifyToken: VERIFY_TOKEN },
    readiness: [tokenReadiness(whatsapp)],
  });
  const served = await serveApp(app);
  closing.push(served.close);
  graph.sendStatusesTo(() => `${served.url}/webhook/whatsapp`, APP_SECRET);
  async function deliver(payload: unknown, id: string): Promise<CloudApiMessage[]> {
    const before = graph.messages.length;
    const done = turnDone(id);
    const response = await app.request('/webhook/whatsapp', signedPost(JSON.stringify(payload)));
    expect(response.status).toBe(200);
    await done;
    return graph.messages.slice(before);
  }
  const say = (phone: string, text: string) => {
    const id = `wamid.u${++n}`;
    return deliver(textMessage(phone, id, text), id);
  };
  const tapButton = (phone: string, replyId: string) => {
    const id = `wamid.u${++n}`;
    return deliver(buttonReply(phone, id, replyId), id);
  };
  const tapRow = (phone: string, replyId: string) => {
    const id = `wamid.u${++n}`;
    return deliver(listReply(phone, id, replyId), id);
  };
  const metrics = async () => (await app.request('/metrics')).text();
  /** The phone's booking history once it holds an entry of `status` (statuses come back asynchronously). */
  async function historyWith(phone: string, status: HistoryEntry['status']): Promise<HistoryEntry[]> {
    await graph.statusesDelivered();
    for (let i = 0; i < 100; i++) {
      const entries = await cita.history.list(phone);
      if (entries.some((entry) => entry.status === status)) return entries;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return cita.history.list(phone);
  }
  return { cita, app, clock, say, tapButton, tapRow, metrics, historyWith };
}

type Harness = Awaited<ReturnType<typeof harness>>;

async function book(h: Harness) {
  await h.say(CARLOS, 'un corte mañana a las 10');
}

describe('a message WhatsApp cannot deliver', () => {
  it('knows a confirmation that failed after WhatsApp took it (131026): the history says the customer was not reached, and it is counted', async () => {
    const h = await harness();
    await book(h);
    // The confirmation's first message is taken, then its status says "failed", code 131026.
    graph.failAfterTaking(131026);
    expect(allShown(to(CARLOS, await h.say(CARLOS, 'sí')))).toContain('¡Cita reservada!');

    const history = await h.historyWith(CARLOS, 'notReached');
    expect(history.map((entry) => entry.status)).toEqual(['booked', 'notReached']);
    expect(history[1]?.bookingId).toBe(history[0]?.bookingId);
    expect(
      sample(await h.metrics(), 'cita_whatsapp_undelivered_total', { purpose: 'reply', reason: 'unreachable' }),
    ).toBe(1);
  });

  it.each([131026, 131049, 130472])(
    'sends nothing more of a turn WhatsApp refused with %i, retries nothing, and records the customer as not reached',
    async (code) => {
      const h = await harness();
      await book(h);
      graph.failNext({ status: 400, code });
      const before = graph.requests.length;
      await h.say(CARLOS, 'sí');
      // The read receipt, then the one refused reply: not tried again, the rest of the turn not sent.
      const tries = graph.requests.slice(before).filter((r) => !('status' in (r.body as object)));
      expect(tries.map((r) => r.status)).toEqual([400]);
      const history = await h.historyWith(CARLOS, 'notReached');
      expect(history.map((entry) => entry.status)).toEqual(['booked', 'notReached']);
      expect(sample(await h.metrics(), 'cita_whatsapp_undelivered_total', { reason: 'unreachable' })).toBe(1);
    },
  );

  it('tells the staff member who cancelled an appointment that WhatsApp did not deliver the customer’s notice', async () => {
    const h = await harness();
    await h.say(OWNER.phone, 'hola');
    await book(h);
    await h.say(CARLOS, 'sí');
    const agenda = await h.say(OWNER.phone, 'agenda mañana');
    const row = optionIds(to(OWNER.phone, agenda)).find((id) => id.startsWith('PICK_APPOINTMENT:'))!;
    await h.tapRow(OWNER.phone, row);
    await h.tapButton(OWNER.phone, 'CANCEL_APPOINTMENT');
    // WhatsApp takes the customer's notice, then fails it.
    graph.failAfterTaking(131026);
    expect(allShown(to(OWNER.phone, await h.tapButton(OWNER.phone, 'CONFIRM')))).toContain('Le he escrito');

    await h.historyWith(CARLOS, 'notReached');
    // The staff member is told once the entry is written: a moment after another reader can see it.
    const notices = () =>
      to(OWNER.phone, graph.messages)
        .map((m) => (m.type === 'text' ? m.text.body : ''))
        .filter((body) => body.includes('WhatsApp no ha podido entregar el aviso'));
    for (let i = 0; i < 100 && notices().length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(notices()).toEqual([
      '⚠️ WhatsApp no ha podido entregar el aviso a Cliente (+34600000001) (Corte de pelo, miércoles 25 de noviembre 10:00). No lo sabe: llámale, por favor.',
    ]);
  });
});

describe('a reply outside the customer’s 24-hour window', () => {
  it('is counted, and the owner is told once per customer, since replies have no template (131047)', async () => {
    const h = await harness();
    await h.say(OWNER.phone, 'hola');
    const toOwner = () =>
      to(OWNER.phone, graph.messages)
        .map((m) => (m.type === 'text' ? m.text.body : ''))
        .filter((body) => body.includes('no ha recibido la respuesta del bot'));
    for (const text of ['hola', 'quiero un corte']) {
      graph.failNext({ status: 400, code: 131047 });
      await h.say(CARLOS, text);
      for (let i = 0; i < 100 && toOwner().length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(toOwner()).toEqual([
      '⚠️ +34600000001 no ha recibido la respuesta del bot: pasaron más de 24 horas desde su último mensaje y WhatsApp solo deja enviar plantillas. Escríbele tú, por favor.',
    ]);
    expect(
      sample(await h.metrics(), 'cita_whatsapp_undelivered_total', { purpose: 'reply', reason: 'outsideWindow' }),
    ).toBe(2);
  });
});

describe('WhatsApp asking cita to slow down', () => {
  it('waits out 130429 and 131056 and sends every reply, in order, none dropped', async () => {
    const reference = await harness();
    /** What the customer sees: the message without the outbox id it carries (another message's, here). */
    const seen = ({ biz_opaque_callback_data: _, ...message }: CloudApiMessage) => message;
    const expected = (await reference.say(CARLOS, 'hola')).map(seen);

    const h = await harness();
    // More refusals in a row than a turn's tries (SEND_ATTEMPTS) times the worker's (MAX_ATTEMPTS).
    graph.failNext({ status: 400, code: 130429 }, { times: 10 });
    graph.failNext({ status: 400, code: 131056 }, { times: 3 });
    const before = graph.requests.length;
    const sent = await h.say(CARLOS, 'hola');
    expect(sent.map(seen)).toEqual(expected);
    // Each refusal got Meta's own body, and the reply refused went again until taken.
    const refused = graph.requests.slice(before).filter((r) => r.status !== 200);
    expect(refused.map((r) => r.status)).toEqual(Array(13).fill(400));
  });
});

describe('a template or a token WhatsApp refuses', () => {
  it('logs and counts a missing template (132001), retries nothing, and tells the owner once per template', async () => {
    const h = await harness();
    await h.say(OWNER.phone, 'hola');
    const template: OutboundMessage = {
      kind: 'template',
      name: 'cita_reminder',
      language: 'es',
      body: 'Recordatorio',
      parameters: ['Corte de pelo', 'mañana', '10:00'],
      buttons: [],
    };
    const toOwner = () =>
      to(OWNER.phone, graph.messages)
        .map((m) => (m.type === 'text' ? m.text.body : ''))
        .filter((body) => body.includes('rechaza la plantilla'));
    graph.failNext({ status: 400, code: 132001 });
    await h.cita.messenger.send(CARLOS, [template], undefined, { purpose: 'reminder' });
    // The owner is told on the side, once the refusal is known.
    for (let i = 0; i < 100 && toOwner().length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    graph.failNext({ status: 400, code: 132001 });
    await h.cita.messenger.send(CARLOS, [template], undefined, { purpose: 'reminder' });
    await new Promise((resolve) => setTimeout(resolve, 200));

    // Each refusal once: nothing tried again.
    expect(graph.requests.filter((r) => r.status === 400)).toHaveLength(2);
    expect(toOwner()).toEqual([
      '⚠️ WhatsApp rechaza la plantilla «cita_reminder» (template name does not exist in the translation). Revísala en WhatsApp Manager: hasta entonces los mensajes que la usan no llegan.',
    ]);
    expect(sample(await h.metrics(), 'cita_whatsapp_undelivered_total', { reason: 'template' })).toBe(2);
  });

  it('tells the owner of a refused template once per shop: not again after a restart on the same store', async () => {
    const dataDir = tempDataDir();
    const template: OutboundMessage = {
      kind: 'template',
      name: 'cita_reminder',
      language: 'es',
      body: 'Recordatorio',
      parameters: ['Corte de pelo', 'mañana', '10:00'],
      buttons: [],
    };
    const told = () =>
      to(OWNER.phone, graph.messages).filter((m) => m.type === 'text' && m.text.body.includes('rechaza la plantilla'));
    const first = await harness({}, { dataDir });
    await first.say(OWNER.phone, 'hola');
    graph.failNext({ status: 400, code: 132001 });
    await first.cita.messenger.send(CARLOS, [template], undefined, { purpose: 'reminder' });
    for (let i = 0; i < 100 && told().length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(told()).toHaveLength(1);
    await first.cita.stop();

    // The process restarts (or another one on the same store sees it): the owner already knows.
    const second = await harness({}, { dataDir });
    graph.failNext({ status: 400, code: 132001 });
    await second.cita.messenger.send(CARLOS, [template], undefined, { purpose: 'reminder' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(told()).toHaveLength(1);
    expect(sample(await second.metrics(), 'cita_whatsapp_undelivered_total', { reason: 'template' })).toBe(1);
  });

  it('tells the owner once, when a message goes through after a restart with a new token, that the answers meanwhile were not sent (190)', async () => {
    const dataDir = tempDataDir();
    const told = () =>
      to(OWNER.phone, graph.messages).filter((m) => m.type === 'text' && m.text.body.includes('rechazó el token'));
    const before = await harness({}, { dataDir });
    await before.say(OWNER.phone, 'hola');
    graph.failNext({ status: 401, code: 190 }, { times: 2 });
    await before.say(CARLOS, 'hola');
    await before.say(CARLOS, 'quiero un corte');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(told()).toEqual([]);
    await before.cita.stop();

    const after = await harness({}, { dataDir });
    expect(to(CARLOS, await after.say(CARLOS, 'hola')).length).toBeGreaterThan(0);
    for (let i = 0; i < 100 && told().length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    await after.say(CARLOS, 'un corte mañana');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(told().map((m) => (m.type === 'text' ? m.text.body : ''))).toEqual([
      expect.stringMatching(
        /^⚠️ WhatsApp rechazó el token de acceso del bot desde el .+: las respuestas de ese rato no se enviaron/,
      ),
    ]);
  });

  it('reports not ready while WhatsApp refuses the token (190), with Meta’s own body, and sends nothing in a loop', async () => {
    const h = await harness();
    expect((await h.app.request('/readyz')).status).toBe(200);
    const h2 = await harness();
    graph.failNext({ status: 401, code: 190 });
    const before = graph.requests.length;
    await h2.say(CARLOS, 'hola');
    const refused = graph.requests.slice(before).filter((r) => r.status !== 200);
    expect(refused.map((r) => r.status)).toEqual([401]);
    const ready = await h2.app.request('/readyz');
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ failing: ['whatsapp_token'] });
    expect(sample(await h2.metrics(), 'cita_whatsapp_undelivered_total', { reason: 'tokenExpired' })).toBe(1);
  });
});
