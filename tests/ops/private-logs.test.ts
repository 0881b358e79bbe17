import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { messageRef, phoneRef, setLogHashSecret } from '../../src/log.ts';
import type { OutboundMessage } from '../../src/messages/whatsapp.ts';
import { optionsOf } from '../../src/messages/whatsapp.ts';
import { citaPerTest, customer, fakeClock, shop } from '../support/cita.ts';
import { type FakeGraphApi, startFakeGraphApi } from '../support/fake-graph-api.ts';
import { APP_SECRET, buttonReply, listReply, messagePayload, VERIFY_TOKEN } from '../whatsapp/helpers.ts';
import {
  ACCESS_TOKEN,
  captureLogs,
  PHONE_NUMBER_ID,
  realisticWamid,
  statusPayload,
  whatsAppHarness,
} from './support.ts';

/**
 * Whole bookings, in Spanish and English, through the engine and through the WhatsApp webhook and
 * messenger, with every log line captured at debug level: nothing a customer is or wrote may
 * show up, and no credential either.
 */

const HASH_SECRET = 'private-logs-test-hash-secret-7d1e';
const start = citaPerTest();
let logs: ReturnType<typeof captureLogs>;
/** What must never be logged: phones, names, texts, replies, credentials. */
let secrets: string[];

beforeEach(() => {
  setLogHashSecret(HASH_SECRET);
  logs = captureLogs();
  secrets = [HASH_SECRET, ACCESS_TOKEN, APP_SECRET, VERIFY_TOKEN];
});
afterEach(() => logs.stop());

function mustNotLeak(...values: string[]) {
  secrets.push(...values);
}

/** A phone: the international number and the national part, either may be quoted somewhere. */
function phone(number: string) {
  mustNotLeak(number, number.slice(2));
  return number;
}

/** Reply bodies hold names, dates and the shop's words for the customer: none of it belongs in logs. */
function repliesMustNotLeak(replies: OutboundMessage[]) {
  for (const reply of replies) {
    mustNotLeak(reply.body);
    for (const option of optionsOf(reply)) if (option.title.length >= 8) mustNotLeak(option.title);
  }
}

/** Fails naming the first secret found, with the line it was in. */
function expectNothingPrivate() {
  expect(logs.lines.length).toBeGreaterThan(20);
  for (const line of logs.lines) {
    expect(() => JSON.parse(line), 'one JSON object per line').not.toThrow();
    for (const secret of secrets) {
      // Short texts ("sí", "2") would match anywhere: they are looked for as whole JSON strings.
      const needle = secret.length >= 6 ? secret : JSON.stringify(secret);
      if (line.includes(needle)) expect.fail(`log line contains ${JSON.stringify(secret)}: ${line}`);
    }
  }
}

describe('logs of whole bookings', () => {
  it('name no customer, number, text or reply when booking in Spanish and in English through the engine', async () => {
    const clock = fakeClock();
    const cita = start({ clock });
    const ines = customer(cita, phone('34611223344'), 'Inmaculada Valverde');
    const bart = customer(cita, phone('447700912345'), 'Bartholomew Quince');
    mustNotLeak('Inmaculada', 'Valverde', 'Bartholomew', 'Quince');

    const spanish = ['hola, soy Inmaculada', '¿cuánto cuesta un corte?'];
    mustNotLeak(...spanish);
    for (const text of spanish) repliesMustNotLeak(await ines.say(text));
    repliesMustNotLeak(await ines.tap('Corte de pelo'));
    repliesMustNotLeak(await ines.tap('Mañana'));
    repliesMustNotLeak(await ines.tap('10:00'));
    repliesMustNotLeak(await ines.tap('Confirmar'));
    expect(ines.lastText).toContain('¡Cita reservada!');

    const english = ['Hi, I would like to book a haircut', 'tomorrow', 'at 5pm', 'yes'];
    mustNotLeak(...english);
    for (const text of english) repliesMustNotLeak(await bart.say(text));
    expect(bart.lastText).toContain('Booked!');

    // The reminders go out too, and log what they did.
    clock.set('2026-11-25T08:30:00Z');
    await cita.sendDueReminders();

    expectNothingPrivate();
    const events = new Set(logs.records().map((record) => record.event));
    for (const event of ['interpreter.read', 'message.handled', 'calendar.call', 'hold.acquire', 'booking.recorded']) {
      expect(events).toContain(event);
    }
    // Lines about a customer carry their phone's keyed hash instead.
    expect(logs.records().some((record) => record.phoneRef === phoneRef(ines.phone))).toBe(true);
  });

  it('name no customer, number, text, message id or credential when booking over the WhatsApp webhook', async () => {
    const graph: FakeGraphApi = await startFakeGraphApi({ accessToken: ACCESS_TOKEN, phoneNumberId: PHONE_NUMBER_ID });
    try {
      const { deliver } = whatsAppHarness(graph, start);
      const ines = phone('34655443322');
      const bart = phone('447700954321');
      mustNotLeak('Inmaculada', 'Valverde', 'Bartholomew', 'Quince');
      let n = 0;
      /** Delivers one message and returns its id; the id itself spells the number, so it is secret too. */
      const send = async (payloadFor: (wamid: string) => unknown) => {
        const wamid = realisticWamid(n % 2 ? bart : ines, ++n);
        mustNotLeak(wamid, wamid.slice('wamid.'.length));
        const before = graph.messages.length;
        await deliver(payloadFor(wamid), wamid);
        for (const sent of graph.messages.slice(before)) mustNotLeak(JSON.stringify(sent));
        return wamid;
      };
      const text = (from: string, name: string, body: string) => (wamid: string) => {
        mustNotLeak(body);
        return messagePayload(from, wamid, { type: 'text', text: { body } }, name);
      };

      // Spanish, by taps, with one reply WhatsApp fails once (its retry is logged).
      graph.failNext({ status: 500, code: 1, message: 'An unknown error occurred' });
      const first = await send(text(ines, 'Inmaculada Valverde', 'hola, quisiera pedir cita'));
      await send((wamid) => listReply(ines, wamid, 'SELECT_SERVICE:corte', 'Corte de pelo'));
      await send((wamid) => listReply(ines, wamid, 'PICK_DATE:2026-11-25', 'Mañana'));
      await send((wamid) => listReply(ines, wamid, 'PICK_TIME:10:00', '10:00'));
      await send((wamid) => buttonReply(ines, wamid, 'CONFIRM', 'Confirmar'));

      // English, typed.
      for (const body of ['Hello, a beard trim tomorrow at 6pm please', 'yes please']) {
        await send(text(bart, 'Bartholomew Quince', body));
      }

      // Meta reports on cita's replies: delivered, and one failed.
      const sentId = 'wamid.HBgLNDQ3NzAwOTU0MzIxFQIAERgSOUEzQ0E1QjNENENENkU2N0U3AA==';
      mustNotLeak(sentId);
      await deliver(statusPayload(bart, sentId, 'delivered'));
      await deliver(statusPayload(bart, sentId, 'failed', 131026));

      expect(JSON.stringify(graph.messages)).toContain('¡Cita reservada!');
      expect(JSON.stringify(graph.messages)).toContain('Booked!');
      expectNothingPrivate();

      // One correlation id per inbound message, from the webhook's acceptance to the replies sent.
      const about = logs.records().filter((record) => record.correlationId === messageRef(first));
      expect(about.map((record) => record.event)).toEqual(
        expect.arrayContaining(['interpreter.read', 'message.handled', 'whatsapp.send', 'whatsapp.send_retry']),
      );
      const accepted = logs.records().find((record) => record.event === 'whatsapp.message.accepted');
      expect(accepted?.messageId).toBe(messageRef(first));
      const booking = logs.records().find((record) => record.event === 'booking.recorded');
      expect(booking?.correlationId).toEqual(expect.stringMatching(/^m_/));
      expect(logs.records().some((record) => record.event === 'calendar.call' && record.correlationId)).toBe(true);
    } finally {
      await graph.close();
    }
  });

  it("name no staff member's number or name, nor the customers they act on, when the shop runs its day over WhatsApp", async () => {
    const graph: FakeGraphApi = await startFakeGraphApi({ accessToken: ACCESS_TOKEN, phoneNumberId: PHONE_NUMBER_ID });
    try {
      const owner = phone('34622334455');
      const barber = phone('34633445566');
      const ines = phone('34644556677');
      mustNotLeak('Remedios', 'Escolano', 'Inmaculada', 'Valverde');
      const staff = [
        { phone: owner, name: 'Remedios Escolano', role: 'owner' as const },
        { phone: barber, name: 'Barbero', role: 'barber' as const },
      ];
      const { deliver } = whatsAppHarness(graph, (options) => start({ ...options, shop: { ...shop, staff } }));
      let n = 0;
      const send = async (from: string, name: string, payloadFor: (wamid: string) => unknown) => {
        const wamid = realisticWamid(from, ++n);
        mustNotLeak(wamid, wamid.slice('wamid.'.length));
        const before = graph.messages.length;
        await deliver(payloadFor(wamid), wamid);
        for (const sent of graph.messages.slice(before)) mustNotLeak(JSON.stringify(sent));
        mustNotLeak(name);
      };
      const text = (from: string, name: string, body: string) =>
        send(from, name, (wamid) => {
          mustNotLeak(body);
          return messagePayload(from, wamid, { type: 'text', text: { body } }, name);
        });

      await text(owner, 'Remedios Escolano', 'hola, buenos días');
      await text(ines, 'Inmaculada Valverde', 'quisiera un corte mañana a las 10');
      await text(ines, 'Inmaculada Valverde', 'sí, perfecto');
      await text(owner, 'Remedios Escolano', 'agenda mañana');
      await text(barber, 'Barbero', 'bloquear mañana de 16 a 17');
      // The block is asked about first; the barber's own "sí" writes it.
      await text(barber, 'Barbero', 'sí');
      await text(ines, 'Inmaculada Valverde', 'quiero hablar con una persona, tengo una queja');
      await text(ines, 'Inmaculada Valverde', 'me cortaron mal el flequillo la semana pasada');
      await send(owner, 'Remedios Escolano', (wamid) =>
        buttonReply(owner, wamid, `HAND_BACK:${ines}`, 'Devolver al bot'),
      );

      expect(graph.messages.some((m) => m.to === owner && JSON.stringify(m).includes('wa.me'))).toBe(true);
      expectNothingPrivate();
      const events = new Set(logs.records().map((record) => record.event));
      for (const event of ['staff.notice', 'time.blocked', 'handoff.handed_back', 'message.held_for_staff']) {
        expect(events).toContain(event);
      }
    } finally {
      await graph.close();
    }
  });

  it('hash every message id, whatever it looks like, and never route a forged simulator id to the simulator', async () => {
    const graph: FakeGraphApi = await startFakeGraphApi({ accessToken: ACCESS_TOKEN, phoneNumberId: PHONE_NUMBER_ID });
    try {
      const { deliver, cita } = whatsAppHarness(graph, start);
      const ines = phone('34611100002');
      // Ids that look like our own references or the simulator's, each spelling a phone number.
      const crafted = ['m_34611100003_leak', 'm_3461110000412345', `phoneRef_${phone('34611100005')}`];
      mustNotLeak(phone('34611100003'), phone('34611100004'));
      const texts = ['hola', 'un corte mañana a las 5', 'sí'];
      for (const [i, id] of crafted.entries()) {
        mustNotLeak(id);
        await deliver(messagePayload(ines, id, { type: 'text', text: { body: texts[i] } }, 'Inés'), id);
      }
      const sent = graph.messages.length;
      const forged = `sim:${phone('34611100006')}`;
      mustNotLeak(forged);
      await deliver(messagePayload(ines, forged, { type: 'text', text: { body: 'hola' } }, 'Inés'));

      expectNothingPrivate();
      for (const id of crafted) {
        expect(logs.records().some((record) => record.messageId === messageRef(id))).toBe(true);
      }
      // The forged id was refused at the border: counted, never put in the inbox.
      const dropped = await cita.metrics.inboundDropped.get();
      expect(dropped.values).toEqual([{ labels: { reason: 'simulator_id' }, value: 1 }]);
      expect(graph.messages).toHaveLength(sent);
      expect(await cita.inbox.depth?.()).toBe(0);
    } finally {
      await graph.close();
    }
  });
});
