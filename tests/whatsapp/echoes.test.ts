import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ShopConfig } from '../../config/schema.ts';
import { type Cita, createCita } from '../../src/cita.ts';
import { layeredInterpreter } from '../../src/interpreter/llm/index.ts';
import { readRules } from '../../src/interpreter/rules/index.ts';
import { createApp } from '../../src/server/app.ts';
import { llmOn } from '../llm/llm-test-kit.ts';
import { redisRun } from '../redis/implementations.ts';
import { allShown, CARLOS, OWNER, PHONE_NUMBER_ID, shopWith, to } from '../staff/support.ts';
import { fakeClock, stateOf, tempDataDir } from '../support/cita.ts';
import { type DeliveryStore, deliveryStores } from '../support/delivery-stores.ts';
import { type FakeGraphApi, startFakeGraphApi } from '../support/fake-graph-api.ts';
import { type FakeOpenAI, startFakeOpenAI } from '../support/fake-openai.ts';
import { APP_SECRET, fixture, signedPost, textMessage, turnTracking, VERIFY_TOKEN } from './helpers.ts';

/**
 * The owner answers a customer from the WhatsApp Business app on the shop's own number
 * (coexistence): a signed `smb_message_echoes` webhook goes through the real route, inbox, worker,
 * engine and messenger, on the embedded SQLite store and on Redis, with the LLM behind the rules at
 * a fake OpenAI server. The customer is then with a person: the slot held for them is let go, and
 * nothing they write gets a reply or reaches the LLM, until the quiet period passes or the staff
 * hand them back. Echoes of cita's own replies change nothing; a shop can switch this off.
 */

const ACCESS_TOKEN = 'EAAG-echo-test-token';
const TOMORROW = { start: '2026-11-25T00:00:00Z', end: '2026-11-26T00:00:00Z' };
/** Words the rules cannot read: only the LLM is asked what they mean. */
const UNCLEAR = 'pues mira lo que veas tú, me fío';

const redis = await redisRun();

type Store = DeliveryStore;

/** The stores as `npm start` builds them: SQLite in CITA_DATA_DIR, or Redis at REDIS_URL. */
const STORES = deliveryStores(redis);

let graph: FakeGraphApi;
let llm: FakeOpenAI;
const running: Cita[] = [];
beforeEach(async () => {
  [graph, llm] = await Promise.all([
    startFakeGraphApi({ accessToken: ACCESS_TOKEN, phoneNumberId: PHONE_NUMBER_ID }),
    startFakeOpenAI(),
  ]);
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((cita) => cita.stop()));
  await Promise.all([graph.close(), llm.close()]);
});
afterAll(() => {
  if (!redis && process.env.CI) throw new Error('CI must run these tests on Redis too');
});

/** An echo of what the shop wrote to `customer` from the app, as Meta posts it (`echo_text.json`). */
function echoOf(customer: string, id: string) {
  const payload = fixture('echo_text');
  const { value } = payload.entry[0].changes[0];
  value.metadata.phone_number_id = PHONE_NUMBER_ID;
  value.contacts = [{ profile: { name: 'Carlos' }, wa_id: customer }];
  value.message_echoes[0] = { ...value.message_echoes[0], from: '34910000000', to: customer, id };
  delete value.message_echoes[0].to_user_id;
  delete value.message_echoes[0].to_parent_user_id;
  return payload;
}

/** cita wired as `npm start` wires it with WhatsApp and an LLM, on one store. */
function harness(makeStore: () => Store, config: ShopConfig = shopWith()) {
  const store = makeStore();
  const clock = fakeClock();
  const whatsapp = graph.messenger({ progress: store.progress });
  const { messenger, turnDone } = turnTracking(whatsapp);
  const cita = createCita({
    shop: config,
    clock,
    dataDir: tempDataDir(),
    adapters: { ...store.adapters, messenger, interpreter: layeredInterpreter(readRules, llmOn([llm])) },
    onStop: store.close,
  });
  running.push(cita);
  const app = createApp(cita, {
    whatsapp: {
      appSecret: APP_SECRET,
      verifyToken: VERIFY_TOKEN,
      // As startup wires it: the ids the shop's number sent tell cita's own echoes from the owner's.
      sentByCita: (_shop, customer, messageId) => store.progress.sentByCita(customer, messageId),
    },
  });
  let n = 0;
  /** Posts a signed webhook and answers what its turn sent (to anyone), and the POST's receipt. */
  async function post(payload: unknown, id: string) {
    const before = graph.messages.length;
    const done = turnDone(id);
    const response = await app.request('/webhook/whatsapp', signedPost(JSON.stringify(payload)));
    expect(response.status).toBe(200);
    const receipt = (await response.json()) as { accepted: number; ignored: number };
    if (receipt.accepted > 0) await done;
    return { sent: graph.messages.slice(before), receipt };
  }
  return {
    cita,
    clock,
    say: async (phone: string, text: string) => {
      const id = `wamid.in${++n}-${randomUUID().slice(0, 6)}`;
      return (await post(textMessage(phone, id, text), id)).sent;
    },
    ownerWritesFromApp: (customer: string, id = `wamid.echo${++n}`) => post(echoOf(customer, id), id),
    heldTomorrow: () => cita.holds.overlapping(TOMORROW),
  };
}

describe.each(Object.keys(STORES))('the owner writing from the WhatsApp Business app, on %s', (name) => {
  const makeStore = STORES[name]!;

  it('puts the customer with a person: the hold is let go, nothing is answered, the LLM is not asked, until the quiet period passes', async () => {
    const h = harness(makeStore);
    const question = await h.say(CARLOS, 'un corte mañana a las 10');
    expect(allShown(to(CARLOS, question))).toContain('¿La confirmo?');
    expect(await h.heldTomorrow()).toHaveLength(1);

    const echo = await h.ownerWritesFromApp(CARLOS);
    expect(echo.receipt).toMatchObject({ accepted: 1, ignored: 0 });
    // The owner's own message is the only one the customer gets: the bot says nothing, not even "read".
    expect(echo.sent).toEqual([]);
    expect(await stateOf(h.cita, CARLOS)).toBe('withStaff');
    expect(await h.heldTomorrow()).toEqual([]);

    const before = llm.requests.length;
    expect(await h.say(CARLOS, 'sí')).toEqual([]);
    expect(await h.say(CARLOS, UNCLEAR)).toEqual([]);
    expect(llm.requests.length).toBe(before);
    expect(await h.cita.calendar.upcomingFor(CARLOS, h.clock())).toEqual([]);

    // Two hours (handoff.quietMinutes) after the last message of either side, the bot is back:
    // these words now go to the LLM, and the customer is answered.
    h.clock.advance(121);
    const answer = await h.say(CARLOS, UNCLEAR);
    expect(to(CARLOS, answer).length).toBeGreaterThan(0);
    expect(llm.requests.length).toBeGreaterThan(before);
    expect(await stateOf(h.cita, CARLOS)).not.toBe('withStaff');
  });

  it('gives the customer back to the bot when the staff hand them back', async () => {
    const h = harness(makeStore);
    await h.say(OWNER.phone, 'hola');
    await h.say(CARLOS, 'hola');
    await h.ownerWritesFromApp(CARLOS);
    expect(await h.say(CARLOS, 'quiero un corte mañana a las 10')).toEqual([]);

    const handBack = await h.say(OWNER.phone, `listo ${CARLOS}`);
    expect(allShown(to(OWNER.phone, handBack))).toContain('vuelve a hablar con el bot');
    for (let i = 0; i < 200 && (await stateOf(h.cita, CARLOS)) === 'withStaff'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(allShown(to(CARLOS, await h.say(CARLOS, 'un corte mañana a las 10')))).toContain('¿La confirmo?');
  });

  it('changes nothing for an echo of cita’s own reply', async () => {
    const h = harness(makeStore);
    const question = await h.say(CARLOS, 'un corte mañana a las 10');
    const replies = graph.requests.filter(
      (r) => r.messageId !== undefined && (r.body as { to?: string }).to === CARLOS,
    );
    expect(replies.length).toBe(to(CARLOS, question).length);

    // WhatsApp echoes every message the number sent, cita's included, by the id it gave them.
    for (const reply of replies) {
      const echo = await h.ownerWritesFromApp(CARLOS, reply.messageId!);
      expect(echo.receipt).toMatchObject({ accepted: 0, ignored: 1 });
    }
    expect(await stateOf(h.cita, CARLOS)).not.toBe('withStaff');
    expect(await h.heldTomorrow()).toHaveLength(1);
    expect(allShown(to(CARLOS, await h.say(CARLOS, 'sí')))).toContain('¡Cita reservada!');
  });

  it('lets the bot go on talking when the shop switched it off (handoff.fromBusinessApp: false)', async () => {
    const h = harness(makeStore, shopWith({ handoff: { quietMinutes: 120, fromBusinessApp: false } }));
    await h.say(CARLOS, 'un corte mañana a las 10');
    const echo = await h.ownerWritesFromApp(CARLOS);
    expect(echo.sent).toEqual([]);
    expect(await stateOf(h.cita, CARLOS)).not.toBe('withStaff');
    expect(await h.heldTomorrow()).toHaveLength(1);
    expect(allShown(to(CARLOS, await h.say(CARLOS, 'sí')))).toContain('¡Cita reservada!');
  });
});
