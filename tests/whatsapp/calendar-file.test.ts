import ICAL from 'ical.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteAdapters } from '../../adapters/sqlite/index.ts';
import { createApp } from '../../src/server/app.ts';
import { fakeClock, shop, tempDataDir, testCita } from '../support/cita.ts';
import { type FakeGraphApi, startFakeGraphApi } from '../support/fake-graph-api.ts';
import {
  APP_SECRET,
  buttonReply,
  signedPost,
  textMessage,
  turnTracking,
  VERIFY_TOKEN,
  webhookPayload,
} from './helpers.ts';

/**
 * The appointment's calendar file from end to end: signed webhooks in, the real messenger uploading
 * the .ics to a fake Graph API (`POST /{phone-number-id}/media`, refusing what Meta refuses) and
 * sending it as a `document` by the media id; then a move in the chat and one made by the shop in
 * its calendar, each sending the same UID with a higher SEQUENCE.
 */

const ACCESS_TOKEN = 'EAAG-test-token';
const PHONE_NUMBER_ID = '106540352242922';
const CARLOS = '34600000001';
const PABLO = 'US.13491208655302741918';

let graph: FakeGraphApi;
const running: (() => Promise<void>)[] = [];
beforeEach(async () => {
  graph = await startFakeGraphApi({ accessToken: ACCESS_TOKEN, phoneNumberId: PHONE_NUMBER_ID });
});
afterEach(async () => {
  for (const stop of running.splice(0).reverse()) await stop();
  await graph.close();
});

function whatsAppCita(options: Parameters<typeof testCita>[0] = {}) {
  const store = createSqliteAdapters({ dataDir: tempDataDir() });
  const { messenger, turnDone } = turnTracking(graph.messenger());
  const cita = testCita({ ...options, adapters: { ...store.adapters, messenger } });
  running.push(store.close, () => cita.stop());
  const app = createApp(cita, { whatsapp: { appSecret: APP_SECRET, verifyToken: VERIFY_TOKEN } });
  async function deliver(payload: { entry: { changes: { value: { messages: { id: string }[] } }[] }[] }) {
    const wamid = payload.entry[0]!.changes[0]!.value.messages[0]!.id;
    const done = turnDone(wamid);
    const response = await app.request('/webhook/whatsapp', signedPost(JSON.stringify(payload)));
    expect(response.status).toBe(200);
    await done;
  }
  return { cita, store, deliver };
}

/** The documents sent, each with the file Meta was given for it, read back by ical.js. */
function documentsSent() {
  return graph.messages.flatMap((message) => {
    if (message.type !== 'document') return [];
    const upload = graph.uploads.find((file) => file.id === message.document.id);
    if (!upload) throw new Error(`document ${message.document.id} was never uploaded`);
    const event = new ICAL.Component(ICAL.parse(upload.bytes.toString('utf8'))).getFirstSubcomponent('vevent')!;
    return [
      {
        to: message.to ?? message.recipient,
        filename: message.document.filename,
        caption: message.document.caption,
        type: upload.type,
        uid: event.getFirstPropertyValue('uid'),
        sequence: event.getFirstPropertyValue('sequence'),
        start: (event.getFirstPropertyValue('dtstart') as ICAL.Time).toJSDate().toISOString(),
      },
    ];
  });
}

describe('the calendar file through WhatsApp', () => {
  it('goes with the confirmation, and again, same UID and a higher SEQUENCE, after each move', async () => {
    const { cita, store, deliver } = whatsAppCita();
    await cita.calendarSync.syncAll();
    await deliver(textMessage(CARLOS, 'wamid.1', 'corte el jueves a las 5'));
    expect(documentsSent()).toEqual([]);
    await deliver(buttonReply(CARLOS, 'wamid.2', 'CONFIRM', 'Confirmar'));
    const [appointment] = await cita.calendar.upcomingFor(CARLOS, cita.clock());
    const uid = `${appointment!.id}@cita.invalid`;
    expect(documentsSent()).toEqual([
      {
        to: CARLOS,
        filename: 'cita-2026-11-26.ics',
        caption: 'Añadir a mi calendario',
        // Meta takes no text/calendar: the file goes up as the plain text it is, named .ics.
        type: 'text/plain',
        uid,
        sequence: 0,
        start: '2026-11-26T16:00:00.000Z',
      },
    ]);
    // The confirmation first, the file after it.
    expect(graph.messages.at(-2)).toMatchObject({ type: 'interactive' });

    // The customer moves it in the chat.
    await deliver(textMessage(CARLOS, 'wamid.3', 'cambiar mi cita'));
    await deliver(textMessage(CARLOS, 'wamid.4', 'el viernes a las 10'));
    await deliver(buttonReply(CARLOS, 'wamid.5', 'CONFIRM', 'Confirmar'));
    expect(documentsSent().at(-1)).toMatchObject({ uid, sequence: 1, start: '2026-11-27T09:00:00.000Z' });

    // The shop moves it in its calendar (here the embedded one, behind the chat's back).
    await store.adapters.calendar.reschedule({
      ...appointment!,
      start: '2026-11-27T11:00:00.000Z',
      end: '2026-11-27T11:30:00.000Z',
    });
    expect(await cita.calendarSync.syncAll()).toMatchObject({ moved: 1 });
    expect(JSON.stringify(graph.messages.at(-2))).toContain('Me va bien');
    expect(documentsSent().at(-1)).toMatchObject({ uid, sequence: 2, start: '2026-11-27T11:00:00.000Z' });

    // A cancellation sends no file: a calendar opening one would add the event again, not remove it.
    await store.adapters.calendar.cancel(appointment!.id);
    expect(await cita.calendarSync.syncAll()).toMatchObject({ cancelled: 1 });
    expect(JSON.stringify(graph.messages.at(-1))).toContain('Reservar otra');
    expect(documentsSent()).toHaveLength(3);
    expect(graph.requests.filter((request) => request.status !== 200)).toEqual([]);
  });

  it("outside the customer's window, goes in the move template's Document header when the template has one", async () => {
    const clock = fakeClock();
    const withHeader = {
      ...shop,
      notices: {
        ...shop.notices,
        movedByShopTemplate: { ...shop.notices.movedByShopTemplate, calendarFile: true },
      },
    };
    const { cita, store, deliver } = whatsAppCita({ clock, shop: withHeader });
    await cita.calendarSync.syncAll();
    await deliver(textMessage(CARLOS, 'wamid.1', 'corte el jueves a las 5'));
    await deliver(buttonReply(CARLOS, 'wamid.2', 'CONFIRM', 'Confirmar'));
    const [appointment] = await cita.calendar.upcomingFor(CARLOS, cita.clock());
    // A day and an hour without a word from Carlos: only a template reaches him now.
    clock.advance(25 * 60);
    await store.adapters.calendar.reschedule({
      ...appointment!,
      start: '2026-11-27T11:00:00.000Z',
      end: '2026-11-27T11:30:00.000Z',
    });
    expect(await cita.calendarSync.syncAll()).toMatchObject({ moved: 1 });
    const template = graph.messages.at(-1);
    expect(template).toMatchObject({ type: 'template', template: { name: 'cita_moved_by_shop' } });
    const header = template?.type === 'template' ? template.template.components?.[0] : undefined;
    const file = header?.type === 'header' ? header.parameters[0]?.document : undefined;
    expect(file?.filename).toBe('cita-2026-11-27.ics');
    const upload = graph.uploads.find((u) => u.id === file?.id);
    expect(upload?.bytes.toString()).toContain('SEQUENCE:1');
    expect(upload?.bytes.toString()).toContain('DTSTART:20261127T110000Z');
  });

  it('reaches a customer known only by their WhatsApp user id', async () => {
    const { deliver } = whatsAppCita();
    const fromUserId = (id: string, message: Record<string, unknown>) =>
      webhookPayload({
        contacts: [{ profile: { name: 'Pablo', username: 'pablomorales' }, user_id: PABLO }],
        messages: [{ from_user_id: PABLO, id, timestamp: '1795510800', ...message }],
      });
    await deliver(fromUserId('wamid.U1', { type: 'text', text: { body: 'corte el jueves a las 5' } }));
    await deliver(
      fromUserId('wamid.U2', {
        type: 'interactive',
        interactive: { type: 'button_reply', button_reply: { id: 'CONFIRM', title: 'Confirmar' } },
      }),
    );
    expect(documentsSent()).toMatchObject([{ to: PABLO, sequence: 0, start: '2026-11-26T16:00:00.000Z' }]);
  });

  it('is left out when Meta refuses the upload: the confirmation still goes, and nobody hears the customer was not reached', async () => {
    const { cita, deliver } = whatsAppCita();
    await deliver(textMessage(CARLOS, 'wamid.1', 'corte el jueves a las 5'));
    graph.failNext(
      { status: 400, code: 100, message: 'Param file must be a file with one of the following types' },
      {
        on: 'upload',
      },
    );
    await deliver(buttonReply(CARLOS, 'wamid.2', 'CONFIRM', 'Confirmar'));
    expect(JSON.stringify(graph.messages.at(-1))).toContain('Cita reservada');
    expect(documentsSent()).toEqual([]);
    expect((await cita.history.list(CARLOS)).map((entry) => entry.status)).toEqual(['booked']);
  });

  it('is uploaded again after a passing failure (5xx), then sent', async () => {
    const { deliver } = whatsAppCita();
    await deliver(textMessage(CARLOS, 'wamid.1', 'corte el jueves a las 5'));
    graph.failNext({ status: 503, code: 2, message: 'Service temporarily unavailable' }, { on: 'upload' });
    await deliver(buttonReply(CARLOS, 'wamid.2', 'CONFIRM', 'Confirmar'));
    expect(documentsSent()).toHaveLength(1);
    expect(graph.requests.filter((request) => request.path.endsWith('/media')).map((r) => r.status)).toEqual([
      503, 200,
    ]);
  });
});

describe("the fake Graph API's media upload, as Meta answers it", () => {
  const upload = (form: FormData, token = ACCESS_TOKEN) =>
    fetch(`${graph.url}/v25.0/${PHONE_NUMBER_ID}/media`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: form,
    });
  const form = (type: string, fields: Record<string, string> = { messaging_product: 'whatsapp' }) => {
    const body = new FormData();
    for (const [name, value] of Object.entries(fields)) body.set(name, value);
    body.set('type', type);
    body.set('file', new Blob(['BEGIN:VCALENDAR\r\n'], { type }), 'cita.ics');
    return body;
  };

  it('refuses text/calendar with the types it takes, a missing messaging_product, and a wrong token', async () => {
    const calendar = await upload(form('text/calendar'));
    expect(calendar.status).toBe(400);
    const refusal = (await calendar.json()) as { error: { code: number; message: string } };
    expect(refusal.error.code).toBe(100);
    expect(refusal.error.message).toContain("Received file of type 'text/calendar'");
    expect((await upload(form('text/plain', {}))).status).toBe(400);
    expect((await upload(form('text/plain'), 'wrong')).status).toBe(401);
    const taken = await upload(form('text/plain'));
    expect(taken.status).toBe(200);
    expect(await taken.json()).toEqual({ id: expect.stringMatching(/^\d+$/) });
  });
});
