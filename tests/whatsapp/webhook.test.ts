import { afterEach, describe, expect, it } from 'vitest';
import { WhatsAppConfigError, whatsAppConfig } from '../../adapters/whatsapp/config.ts';
import { signatureFor } from '../../adapters/whatsapp/signature.ts';
import { createApp } from '../../src/server/app.ts';
import { WHATSAPP_BODY_LIMIT_BYTES } from '../../src/server/whatsapp-webhook.ts';
import { testCita } from '../support/cita.ts';
import {
  APP_SECRET,
  fixtureText,
  messagePayload,
  RecordingInbox,
  signedPost,
  textMessage,
  VERIFY_TOKEN,
} from './helpers.ts';

const running: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((cita) => cita.stop()));
});

function webhookApp() {
  const inbox = new RecordingInbox();
  const cita = testCita({ adapters: { inbox }, workers: 1 });
  running.push(cita);
  return { app: createApp(cita, { whatsapp: { appSecret: APP_SECRET, verifyToken: VERIFY_TOKEN } }), inbox };
}

describe("Meta's webhook verification (GET /webhook/whatsapp)", () => {
  const verify = (query: string) => webhookApp().app.request(`/webhook/whatsapp?${query}`);

  it('echoes hub.challenge when the verify token matches', async () => {
    const response = await verify(`hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1158201444`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('1158201444');
  });

  it.each([
    ['a wrong token', 'hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1'],
    ['a token one character short', `hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN.slice(0, -1)}&hub.challenge=1`],
    ['no token', 'hub.mode=subscribe&hub.challenge=1'],
    ['another mode', `hub.mode=unsubscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1`],
  ])('refuses %s with 403', async (_, query) => {
    const response = await verify(query);
    expect(response.status).toBe(403);
    expect(await response.text()).not.toBe('1');
  });
});

describe('notifications (POST /webhook/whatsapp)', () => {
  const body = fixtureText('text');

  it('accepts a message before answering 200', async () => {
    const { app, inbox } = webhookApp();
    const response = await app.request('/webhook/whatsapp', signedPost(body));
    expect(response.status).toBe(200);
    expect(inbox.accepted).toHaveLength(1);
  });

  it('acknowledges a redelivered payload with 200 and accepts its message once', async () => {
    const { app, inbox } = webhookApp();
    const first = await app.request('/webhook/whatsapp', signedPost(body));
    const again = await app.request('/webhook/whatsapp', signedPost(body));
    expect([first.status, again.status]).toEqual([200, 200]);
    expect(await again.json()).toMatchObject({ accepted: 0, duplicates: 1 });
    expect(inbox.accepted).toHaveLength(1);
  });

  it('accepts every message of a batch with several entries and changes, in order', async () => {
    const { app, inbox } = webhookApp();
    const first = textMessage('34600000001', 'wamid.A', 'hola').entry[0]!;
    const second = textMessage('34600000002', 'wamid.B', 'buenas').entry[0]!;
    const third = textMessage('34600000001', 'wamid.C', 'un corte').entry[0]!;
    const payload = {
      object: 'whatsapp_business_account',
      entry: [{ ...first, changes: [...first.changes, ...second.changes] }, third],
    };
    const response = await app.request('/webhook/whatsapp', signedPost(JSON.stringify(payload)));
    expect(await response.json()).toMatchObject({ accepted: 3 });
    expect(inbox.accepted.map((m) => [m.id, m.phone])).toEqual([
      ['wamid.A', '34600000001'],
      ['wamid.B', '34600000002'],
      ['wamid.C', '34600000001'],
    ]);
  });

  it('accepts the readable messages of a batch even when one of them is not readable', async () => {
    const { app, inbox } = webhookApp();
    const payload = messagePayload('34600000001', 'wamid.OK', { type: 'text', text: { body: 'hola' } });
    payload.entry[0]!.changes[0]!.value.messages.unshift({ id: 42 } as never);
    const response = await app.request('/webhook/whatsapp', signedPost(JSON.stringify(payload)));
    expect(await response.json()).toMatchObject({ accepted: 1, dropped: 1 });
    expect(inbox.accepted.map((m) => m.id)).toEqual(['wamid.OK']);
  });

  it.each([
    ['no signature', {}],
    ['a signature made with another secret', { 'x-hub-signature-256': signatureFor(body, 'not-the-secret') }],
    ['a signature of another body', { 'x-hub-signature-256': signatureFor(`${body} `, APP_SECRET) }],
    ['a truncated signature', { 'x-hub-signature-256': signatureFor(body, APP_SECRET).slice(0, -2) }],
    ['a signature without its sha256= prefix', { 'x-hub-signature-256': signatureFor(body, APP_SECRET).slice(7) }],
  ])('refuses a POST with %s: 401 and nothing accepted', async (_, headers) => {
    const { app, inbox } = webhookApp();
    const response = await app.request('/webhook/whatsapp', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
    expect(response.status).toBe(401);
    expect(inbox.accepted).toEqual([]);
  });

  it('checks the signature over the raw bytes, so escaped unicode as Meta sends it verifies', async () => {
    const { app, inbox } = webhookApp();
    const raw = JSON.stringify(textMessage('34600000001', 'wamid.U', 'x')).replace('"x"', '"\\u00bfMa\\u00f1ana?"');
    const response = await app.request('/webhook/whatsapp', signedPost(raw));
    expect(response.status).toBe(200);
    expect(inbox.accepted[0]?.content).toEqual({ kind: 'text', text: '¿Mañana?' });
  });

  it('refuses a body over the limit with 413, even when signed', async () => {
    const { app, inbox } = webhookApp();
    const payload = textMessage('34600000001', 'wamid.BIG', 'x'.repeat(WHATSAPP_BODY_LIMIT_BYTES));
    const response = await app.request('/webhook/whatsapp', signedPost(JSON.stringify(payload)));
    expect(response.status).toBe(413);
    expect(inbox.accepted).toEqual([]);
  });

  it('refuses a signed body that is not JSON with 400 and says why', async () => {
    const { app } = webhookApp();
    const response = await app.request('/webhook/whatsapp', signedPost('{"object": "whatsapp_business_account",'));
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: 'body is not JSON' });
  });

  it('refuses signed JSON that is not a WhatsApp payload with 400 and says why', async () => {
    const { app } = webhookApp();
    const response = await app.request('/webhook/whatsapp', signedPost(JSON.stringify({ object: 'page', entry: [] })));
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toMatch(
      /not a WhatsApp Business webhook payload.*object/s,
    );
  });

  it('answers 503, not 200, when the inbox cannot store the message, so Meta delivers it again', async () => {
    const inbox = new RecordingInbox();
    inbox.accept = async () => {
      throw new Error('connection refused');
    };
    const cita = testCita({ adapters: { inbox }, workers: 1 });
    running.push(cita);
    const app = createApp(cita, { whatsapp: { appSecret: APP_SECRET, verifyToken: VERIFY_TOKEN } });
    const response = await app.request('/webhook/whatsapp', signedPost(body));
    expect(response.status).toBe(503);
  });

  it('acknowledges changes of fields other than messages without accepting anything', async () => {
    const { app, inbox } = webhookApp();
    const payload = {
      object: 'whatsapp_business_account',
      entry: [{ id: '1', changes: [{ field: 'account_update', value: { event: 'VERIFIED_ACCOUNT' } }] }],
    };
    const response = await app.request('/webhook/whatsapp', signedPost(JSON.stringify(payload)));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ accepted: 0, ignored: 1 });
    expect(inbox.accepted).toEqual([]);
  });
});

describe('without WhatsApp settings', () => {
  function simulatorApp() {
    const cita = testCita({ workers: 1 });
    running.push(cita);
    return createApp(cita);
  }

  it('answers the webhook with 503 naming the settings to set', async () => {
    const response = await simulatorApp().request('/webhook/whatsapp', signedPost(fixtureText('text')));
    expect(response.status).toBe(503);
    expect(((await response.json()) as { error: string }).error).toContain(
      'WHATSAPP_ACCESS_TOKEN, WHATSAPP_PHONE_NUMBER_ID, WHATSAPP_APP_SECRET, WHATSAPP_VERIFY_TOKEN',
    );
  });

  it('serves the simulator page at /', async () => {
    const response = await simulatorApp().request('/');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await response.text()).toContain('/simulator/messages');
  });

  it('does not serve the simulator page when WhatsApp is connected', async () => {
    const { app } = webhookApp();
    expect((await app.request('/')).status).toBe(404);
  });
});

describe('the WhatsApp settings', () => {
  const all = {
    WHATSAPP_ACCESS_TOKEN: 'EAAG',
    WHATSAPP_PHONE_NUMBER_ID: '106540352242922',
    WHATSAPP_APP_SECRET: 'secret',
    WHATSAPP_VERIFY_TOKEN: 'token',
  };

  it('keeps the simulator when none is set', () => {
    expect(whatsAppConfig({})).toBeUndefined();
  });

  it('connects WhatsApp when all four are set', () => {
    expect(whatsAppConfig(all)).toMatchObject({ phoneNumberId: '106540352242922', appSecret: 'secret' });
  });

  it('stops start-up naming the missing ones when only some are set', () => {
    const { WHATSAPP_APP_SECRET: _, WHATSAPP_VERIFY_TOKEN: __, ...some } = all;
    expect(() => whatsAppConfig(some)).toThrow(WhatsAppConfigError);
    expect(() => whatsAppConfig(some)).toThrow(/^WHATSAPP_APP_SECRET, WHATSAPP_VERIFY_TOKEN are not set/);
  });
});
