import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WhatsAppUnavailable } from '../../adapters/whatsapp/messenger.ts';
import type { OutboundMessage } from '../../src/messages/whatsapp.ts';
import { type FakeGraphApi, startFakeGraphApi } from '../support/fake-graph-api.ts';

const ACCESS_TOKEN = 'EAAG-test-token';
const PHONE_NUMBER_ID = '106540352242922';
const CUSTOMER = '34600000001';

let graph: FakeGraphApi;
beforeEach(async () => {
  graph = await startFakeGraphApi({ accessToken: ACCESS_TOKEN, phoneNumberId: PHONE_NUMBER_ID });
});
afterEach(async () => {
  await graph.close();
});

const greeting: OutboundMessage = { kind: 'text', body: '¡Hola! Soy el asistente de la barbería.' };
const confirm: OutboundMessage = {
  kind: 'buttons',
  body: '¿Confirmo Corte de pelo el miércoles 25 a las 10:00?',
  buttons: [
    { id: 'CONFIRM', title: 'Confirmar' },
    { id: 'CHANGE:time', title: 'Otra hora' },
  ],
};
const services: OutboundMessage = {
  kind: 'list',
  body: '¿Qué servicio quieres reservar?',
  button: 'Ver servicios',
  sections: [
    {
      title: 'Servicios',
      rows: [
        { id: 'SELECT_SERVICE:corte', title: 'Corte de pelo', description: '30 min · 15 €' },
        { id: 'SELECT_SERVICE:barba', title: 'Arreglo de barba' },
      ],
    },
  ],
};

describe('the WhatsApp messenger', () => {
  it('marks the customer message read with a typing indicator, then sends the replies in order as Cloud API JSON', async () => {
    // The worker marks the message read before handling it; send itself only sends.
    const sender = graph.messenger();
    await sender.markRead('wamid.IN1');
    await sender.send(CUSTOMER, [greeting, services, confirm], 'wamid.IN1');

    expect(graph.requests.map((r) => r.path)).toEqual(Array(4).fill(`/v25.0/${PHONE_NUMBER_ID}/messages`));
    expect(graph.requests.every((r) => r.authorization === `Bearer ${ACCESS_TOKEN}` && r.status === 200)).toBe(true);
    expect(graph.requests.map((r) => r.body)).toEqual([
      { messaging_product: 'whatsapp', status: 'read', message_id: 'wamid.IN1', typing_indicator: { type: 'text' } },
      {
        messaging_product: 'whatsapp',
        recipient_type: 'individual',
        to: CUSTOMER,
        type: 'text',
        text: { body: greeting.body, preview_url: false },
        // Each reply names its outbox id (the turn and its place in it): WhatsApp gives it back on every status.
        biz_opaque_callback_data: JSON.stringify({ o: 'wamid.IN1#0', c: CUSTOMER, p: 'reply' }),
      },
      {
        messaging_product: 'whatsapp',
        recipient_type: 'individual',
        to: CUSTOMER,
        type: 'interactive',
        biz_opaque_callback_data: JSON.stringify({ o: 'wamid.IN1#1', c: CUSTOMER, p: 'reply' }),
        interactive: {
          type: 'list',
          body: { text: '¿Qué servicio quieres reservar?' },
          action: {
            button: 'Ver servicios',
            sections: [
              {
                title: 'Servicios',
                rows: [
                  { id: 'SELECT_SERVICE:corte', title: 'Corte de pelo', description: '30 min · 15 €' },
                  { id: 'SELECT_SERVICE:barba', title: 'Arreglo de barba' },
                ],
              },
            ],
          },
        },
      },
      {
        messaging_product: 'whatsapp',
        recipient_type: 'individual',
        to: CUSTOMER,
        type: 'interactive',
        biz_opaque_callback_data: JSON.stringify({ o: 'wamid.IN1#2', c: CUSTOMER, p: 'reply' }),
        interactive: {
          type: 'button',
          body: { text: confirm.body },
          action: {
            buttons: [
              { type: 'reply', reply: { id: 'CONFIRM', title: 'Confirmar' } },
              { type: 'reply', reply: { id: 'CHANGE:time', title: 'Otra hora' } },
            ],
          },
        },
      },
    ]);
  });

  it('uses the configured Graph API version', async () => {
    await graph.messenger({ apiVersion: 'v26.0' }).send(CUSTOMER, [greeting], 'wamid.IN1');
    expect(graph.requests.at(-1)?.path).toBe(`/v26.0/${PHONE_NUMBER_ID}/messages`);
  });

  it('retries a reply WhatsApp answered with 429, and sends it once', async () => {
    const sender = graph.messenger();
    graph.failNext({ status: 429, code: 130429, message: 'Rate limit hit' });

    await sender.send(CUSTOMER, [greeting, confirm], 'wamid.IN1');

    expect(graph.requests.map((r) => r.status)).toEqual([429, 200, 200]);
    expect(graph.messages.map((m) => m.type)).toEqual(['text', 'interactive']);
  });

  it('retries server errors until WhatsApp takes the reply', async () => {
    const sender = graph.messenger();
    graph.failNext({ status: 500, code: 1, message: 'An unknown error occurred' }, { times: 2 });

    await sender.send(CUSTOMER, [greeting], 'wamid.IN1');

    expect(graph.requests.map((r) => r.status)).toEqual([500, 500, 200]);
    expect(graph.messages).toHaveLength(1);
  });

  it('does not retry a 400, and sends nothing more of that turn', async () => {
    const sender = graph.messenger();
    graph.failNext({ status: 400, code: 100, message: 'Invalid parameter' });

    await sender.send(CUSTOMER, [greeting, confirm], 'wamid.IN1');

    expect(graph.requests.map((r) => r.status)).toEqual([400]);
    expect(graph.messages).toEqual([]);
  });

  it('does not retry a reply refused because the 24-hour window is closed (131047)', async () => {
    const sender = graph.messenger();
    graph.failNext({ status: 400, code: 131047, message: 'Re-engagement message' });

    await expect(sender.send(CUSTOMER, [greeting], 'wamid.IN1')).resolves.toEqual([undefined]);
    expect(graph.requests.map((r) => r.status)).toEqual([400]);
  });

  it('gives the turn back to the worker when WhatsApp stays unavailable', async () => {
    const sender = graph.messenger({ attempts: 3 });
    graph.failNext({ status: 503, code: 2, message: 'Service temporarily unavailable' }, { times: 3 });

    await expect(sender.send(CUSTOMER, [greeting], 'wamid.IN1')).rejects.toThrow(WhatsAppUnavailable);
    expect(graph.requests.map((r) => r.status)).toEqual([503, 503, 503]);
  });

  it('retries when the Graph API cannot be reached at all', async () => {
    const url = graph.url;
    await graph.close();
    const sender = graph.messenger({ apiBaseUrl: url, attempts: 2 });
    await expect(sender.send(CUSTOMER, [greeting], 'wamid.IN1')).rejects.toThrow(/after 2 tries: network error/);
  });

  it('still sends the replies when marking the message read fails', async () => {
    graph.failNext({ status: 500, code: 1, message: 'An unknown error occurred' }, { on: 'read' });
    const sender = graph.messenger();
    await sender.markRead('wamid.IN1');
    await sender.send(CUSTOMER, [greeting], 'wamid.IN1');
    expect(graph.requests.map((r) => r.status)).toEqual([500, 200]);
    expect(graph.messages).toHaveLength(1);
  });

  it('refuses to send a reply that breaks WhatsApp limits instead of letting Meta refuse it', async () => {
    const tooMany = { ...confirm, buttons: [...confirm.buttons, { id: 'A', title: 'a' }, { id: 'B', title: 'b' }] };
    await expect(graph.messenger().send(CUSTOMER, [tooMany], 'wamid.IN1')).rejects.toThrow();
    expect(graph.messages).toEqual([]);
  });
});
