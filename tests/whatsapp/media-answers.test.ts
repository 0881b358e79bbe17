import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { en } from '../../src/messages/en.ts';
import { es } from '../../src/messages/es.ts';
import { createApp } from '../../src/server/app.ts';
import { shop, testCita } from '../support/cita.ts';
import { type FakeGraphApi, type RecordedRequest, startFakeGraphApi } from '../support/fake-graph-api.ts';
import { APP_SECRET, fixture, signedPost, textMessage, turnTracking, VERIFY_TOKEN } from './helpers.ts';

/**
 * Photos, stickers, documents, videos, contact cards and locations, as Meta delivers them (the
 * stored real payloads), answered in the customer's language with what the bot can do; a
 * location, or "where are you?", with the shop's address and a pin on the map.
 */

const ACCESS_TOKEN = 'EAAG-test-token';
const PHONE_NUMBER_ID = '106540352242922';
const SPANISH = '34600000001';
const ENGLISH = '447700900001';

let graph: FakeGraphApi;
const running: { stop(): Promise<void> }[] = [];
beforeEach(async () => {
  graph = await startFakeGraphApi({ accessToken: ACCESS_TOKEN, phoneNumberId: PHONE_NUMBER_ID });
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((cita) => cita.stop()));
  await graph.close();
});

function whatsAppCita() {
  const { messenger, turnDone } = turnTracking(graph.messenger());
  const cita = testCita({ adapters: { messenger } });
  running.push(cita);
  const app = createApp(cita, { whatsapp: { appSecret: APP_SECRET, verifyToken: VERIFY_TOKEN } });
  async function deliver(payload: { entry: { changes: { value: { messages: { id: string }[] } }[] }[] }) {
    const wamid = payload.entry[0]!.changes[0]!.value.messages[0]!.id;
    const before = graph.requests.length;
    const done = turnDone(wamid);
    expect((await app.request('/webhook/whatsapp', signedPost(JSON.stringify(payload)))).status).toBe(200);
    await done;
    return graph.requests.slice(before).filter((r) => r.status === 200 && !('status' in (r.body as object)));
  }
  return { cita, deliver };
}

/** A stored real payload, sent by `phone` with id `wamid`. */
function fromFixture(name: string, phone: string, wamid: string) {
  const payload = fixture(name);
  const value = payload.entry[0].changes[0].value;
  value.contacts = [{ profile: { name: 'Carlos' }, wa_id: phone }];
  Object.assign(value.messages[0], { from: phone, id: wamid, timestamp: '1795510800' });
  return payload;
}

function bodies(requests: RecordedRequest[]): string {
  return JSON.stringify(requests.map((r) => r.body));
}

const ANSWERS = [
  { fixture: 'image', remark: 'photo' },
  { fixture: 'image_with_url', remark: 'photo' },
  { fixture: 'sticker', remark: 'sticker' },
  { fixture: 'document', remark: 'document' },
  { fixture: 'video', remark: 'video' },
  { fixture: 'contacts', remark: 'contacts' },
  { fixture: 'unsupported_with_type', remark: 'unsupported' },
] as const;

describe('attachments', () => {
  describe.each([
    { language: 'Spanish', phone: SPANISH, copy: es },
    { language: 'English', phone: ENGLISH, copy: en },
  ])('in $language, from a new customer', ({ phone, copy }) => {
    it.each(ANSWERS)('answers $fixture with what the bot can do', async ({ fixture: name, remark }) => {
      const { deliver } = whatsAppCita();
      const turn = await deliver(fromFixture(name, phone, `wamid.${name}`));
      expect(bodies(turn).split(JSON.stringify(copy.remarks[remark]).slice(1, -1)).length - 1).toBe(1);
    });
  });

  it('answers in the language the conversation is in, whatever the phone', async () => {
    const { deliver } = whatsAppCita();
    await deliver(textMessage(SPANISH, 'wamid.H', 'hello, I want a haircut'));
    const turn = await deliver(fromFixture('sticker', SPANISH, 'wamid.S'));
    expect(bodies(turn)).toContain(JSON.stringify(en.remarks.sticker).slice(1, -1));
  });

  it('keeps the last photos in the conversation for the staff, and the conversation where it was', async () => {
    const { cita, deliver } = whatsAppCita();
    await deliver(textMessage(SPANISH, 'wamid.T', 'quiero un corte'));
    const turn = await deliver(fromFixture('image', SPANISH, 'wamid.I'));
    expect(bodies(turn)).toContain('Elige uno o escríbelo');
    const { conversation } = await cita.conversations.load(SPANISH);
    expect(conversation?.photos).toEqual(['65463453']);
  });
});

describe('where the shop is', () => {
  const pin = {
    type: 'location',
    location: { ...shop.location, name: shop.name, address: shop.address },
  };

  it.each([
    { what: 'a shared location', payload: () => fromFixture('location_current', SPANISH, 'wamid.L1'), copy: es },
    { what: 'a chosen place', payload: () => fromFixture('location_chosen', ENGLISH, 'wamid.L2'), copy: en },
    { what: '"¿dónde estáis?"', payload: () => textMessage(SPANISH, 'wamid.L3', '¿dónde estáis?'), copy: es },
    { what: '"where are you?"', payload: () => textMessage(ENGLISH, 'wamid.L4', 'where are you?'), copy: en },
  ])('answers $what with a pin on the map and the address', async ({ payload, copy }) => {
    const { deliver } = whatsAppCita();
    const turn = await deliver(payload());
    expect(turn[0]?.body).toMatchObject(pin);
    // The pin carries the name and the address: they are not written again below it (issue 25).
    expect(bodies(turn.slice(1))).not.toContain(
      JSON.stringify(copy.info.address(shop.name, shop.address)).slice(1, -1),
    );
    expect(bodies(turn.slice(1))).not.toContain(JSON.stringify(shop.address).slice(1, -1));
  });

  it('is refused by the fake Graph API, as by Meta, when the coordinates are off the map', async () => {
    const response = await fetch(`${graph.url}/v25.0/${PHONE_NUMBER_ID}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ACCESS_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        messaging_product: 'whatsapp',
        to: SPANISH,
        type: 'location',
        location: { latitude: 91, longitude: 0 },
      }),
    });
    expect(response.status).toBe(400);
  });
});
