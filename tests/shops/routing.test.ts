import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createSqliteAdapters } from '../../adapters/sqlite/index.ts';
import { WhatsAppMessenger } from '../../adapters/whatsapp/messenger.ts';
import { createCita } from '../../src/cita.ts';
import { createApp } from '../../src/server/app.ts';
import { ShopRegistry } from '../../src/shops/registry.ts';
import { fakeClock, tempDataDir } from '../support/cita.ts';
import { type FakeGraphApi, startFakeGraphApi } from '../support/fake-graph-api.ts';
import { bodyOf } from '../support/server-process.ts';
import { APP_SECRET, signedPost, textMessage, VERIFY_TOKEN } from '../whatsapp/helpers.ts';

/**
 * Two shops on one cita, each with its WhatsApp number: webhooks routed by `phone_number_id`, each
 * shop's data apart, replies from the number the customer wrote to.
 */

const EXAMPLES = join(import.meta.dirname, '../../examples/shops');
const BIGOTE = { id: 'el-bigote', number: '106540352242922', token: 'EAAG-bigote' };
const NAVAJA = { id: 'la-navaja', number: '106540352242933', token: 'EAAG-navaja' };
const CARLOS = '34600000001';
/** El Bigote's owner (examples/shops/el-bigote.json): a customer like any other at La Navaja. */
const LUIS = '34611000001';

let graph: FakeGraphApi;
const stops: (() => Promise<void> | void)[] = [];
beforeEach(async () => {
  graph = await startFakeGraphApi({
    accessToken: BIGOTE.token,
    phoneNumberId: BIGOTE.number,
    numbers: { [NAVAJA.number]: NAVAJA.token },
  });
});
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
  await graph.close();
});

function twoShops({ navajaAppSecret = APP_SECRET }: { navajaAppSecret?: string } = {}) {
  const folder = tempDataDir();
  for (const shop of [BIGOTE, NAVAJA]) copyFileSync(join(EXAMPLES, `${shop.id}.json`), join(folder, `${shop.id}.json`));
  const shops = ShopRegistry.fromFolder(folder);
  const sqlite = createSqliteAdapters({ path: ':memory:' });
  const tokens = new Map([BIGOTE, NAVAJA].map((shop) => [shop.number, shop.token]));
  const cita = createCita({
    shops,
    clock: fakeClock(),
    dataDir: tempDataDir(),
    adapters: { inbox: sqlite.adapters.inbox, replies: sqlite.adapters.replies },
    storesFor: (shop) => ({
      ...sqlite.forShop(shop.id),
      messenger: new WhatsAppMessenger({
        accessToken: tokens.get(shop.whatsapp!.phoneNumberId)!,
        phoneNumberId: shop.whatsapp!.phoneNumberId,
        apiBaseUrl: graph.url,
      }),
    }),
    onStop: () => sqlite.close(),
  });
  stops.push(() => cita.stop());
  const app = createApp(cita, {
    whatsapp: {
      appSecret: APP_SECRET,
      verifyToken: VERIFY_TOKEN,
      shopFor: (number) => {
        const shop = shops.shopFor(number);
        return shop && { shop: shop.id, appSecret: shop.id === NAVAJA.id ? navajaAppSecret : APP_SECRET };
      },
      appSecrets: () => [APP_SECRET, navajaAppSecret],
    },
  });
  return { folder, shops, cita, app };
}

/** A customer's message to one of the shops' numbers, as Meta posts it. */
function toNumber(number: string, phone: string, id: string, text: string) {
  const payload = textMessage(phone, id, text);
  payload.entry[0]!.changes[0]!.value.metadata.phone_number_id = number;
  return JSON.stringify(payload);
}

/** The texts sent from a number to a phone. */
function sentFrom(number: string, phone: string): string[] {
  return graph.requests.flatMap((request) => {
    const body = request.body as { to?: string; type?: string };
    return request.path.includes(`/${number}/messages`) && request.status === 200 && body.to === phone && body.type
      ? [bodyOf(body as never)]
      : [];
  });
}

describe('many shops on one deployment', () => {
  it('answers each customer from the number they wrote to, with that shop, in conversations of its own', async () => {
    const { app, cita } = twoShops();
    const one = await app.request('/webhook/whatsapp', signedPost(toNumber(BIGOTE.number, CARLOS, 'wamid.b1', 'hola')));
    expect(await one.json()).toMatchObject({ accepted: 1, dropped: 0 });
    await app.request('/webhook/whatsapp', signedPost(toNumber(NAVAJA.number, CARLOS, 'wamid.n1', 'hola')));
    await vi.waitFor(() => {
      expect(sentFrom(BIGOTE.number, CARLOS).join('\n')).toMatch(/El Bigote/);
      expect(sentFrom(NAVAJA.number, CARLOS).join('\n')).toMatch(/La Navaja/);
    });
    expect(sentFrom(BIGOTE.number, CARLOS).join('\n')).not.toMatch(/La Navaja/);
    expect(sentFrom(NAVAJA.number, CARLOS).join('\n')).not.toMatch(/El Bigote/);
    // Each shop's reply went out with that shop's token, from its number.
    for (const shop of [BIGOTE, NAVAJA]) {
      const mine = graph.requests.filter((request) => request.path.includes(`/${shop.number}/`));
      expect(mine.length).toBeGreaterThan(0);
      expect(mine.every((request) => request.authorization === `Bearer ${shop.token}`)).toBe(true);
    }
    const bigote = await cita.forShop(BIGOTE.id)!.deps.conversations.load(CARLOS);
    const navaja = await cita.forShop(NAVAJA.id)!.deps.conversations.load(CARLOS);
    expect(bigote.conversation?.lastMessageId).toBe('wamid.b1');
    expect(navaja.conversation?.lastMessageId).toBe('wamid.n1');
    await vi.waitFor(async () => {
      const metrics = await cita.metrics.registry.metrics();
      expect(metrics).toMatch(/cita_shop_messages_total\{shop="el-bigote"\} 1/);
      expect(metrics).toMatch(/cita_shop_messages_total\{shop="la-navaja"\} 1/);
    });
  });

  it("treats one shop's staff phone as a customer at another shop", async () => {
    const { app, cita } = twoShops();
    await app.request('/webhook/whatsapp', signedPost(toNumber(BIGOTE.number, LUIS, 'wamid.b2', 'agenda')));
    await app.request('/webhook/whatsapp', signedPost(toNumber(NAVAJA.number, LUIS, 'wamid.n2', 'agenda')));
    await vi.waitFor(async () => {
      expect((await cita.forShop(BIGOTE.id)!.deps.conversations.load(LUIS)).conversation?.machine).toBe('staff');
      expect((await cita.forShop(NAVAJA.id)!.deps.conversations.load(LUIS)).conversation?.machine).not.toBe('staff');
    });
  });

  it('drops and counts changes for a number no shop owns, and for a shop whose file was just removed', async () => {
    const { app, cita, folder, shops } = twoShops();
    const unknown = await app.request('/webhook/whatsapp', signedPost(toNumber('555', CARLOS, 'wamid.x1', 'hola')));
    expect(await unknown.json()).toMatchObject({ accepted: 0, dropped: 1 });
    rmSync(join(folder, 'la-navaja.json'));
    shops.reload();
    const removed = await app.request(
      '/webhook/whatsapp',
      signedPost(toNumber(NAVAJA.number, CARLOS, 'wamid.x2', 'hola')),
    );
    expect(await removed.json()).toMatchObject({ accepted: 0, dropped: 1 });
    // A message already queued for it when the file went is dropped by the worker, never answered.
    await cita.inbox.accept({
      id: 'wamid.x3',
      shop: NAVAJA.id,
      phone: CARLOS,
      receivedAt: new Date().toISOString(),
      content: { kind: 'text', text: 'hola' },
    });
    await vi.waitFor(async () => expect(await cita.inbox.depth?.()).toBe(0));
    expect(graph.requests).toEqual([]);
    const metrics = await cita.metrics.registry.metrics();
    expect(metrics).toMatch(/cita_inbound_dropped_total\{reason="not_our_number"\} 2/);
    expect(metrics).toMatch(/cita_inbound_dropped_total\{reason="unknown_shop"\} 1/);
  });

  it("checks a number's webhook against the secret of the Meta app the number belongs to", async () => {
    const { app } = twoShops({ navajaAppSecret: 'navaja-own-app-secret' });
    const post = (body: string, secret: string) => app.request('/webhook/whatsapp', signedPost(body, secret));
    const toNavaja = toNumber(NAVAJA.number, CARLOS, 'wamid.s1', 'hola');
    // Signed by the deployment's app, but the number is of La Navaja's own app: not for that app to send.
    expect(await (await post(toNavaja, APP_SECRET)).json()).toMatchObject({ accepted: 0, dropped: 1 });
    expect(await (await post(toNavaja, 'navaja-own-app-secret')).json()).toMatchObject({ accepted: 1 });
    const toBigote = toNumber(BIGOTE.number, CARLOS, 'wamid.s2', 'hola');
    expect(await (await post(toBigote, 'navaja-own-app-secret')).json()).toMatchObject({ accepted: 0, dropped: 1 });
    expect((await post(toBigote, 'nobody-s-secret')).status).toBe(401);
  });

  it("answers from a shop's changed file from the next message on, without a restart", async () => {
    const { app, folder, shops } = twoShops();
    const file = join(folder, 'la-navaja.json');
    writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), name: 'La Navaja de Gràcia' }));
    shops.reload();
    await app.request('/webhook/whatsapp', signedPost(toNumber(NAVAJA.number, CARLOS, 'wamid.c1', 'hola')));
    await vi.waitFor(() => expect(sentFrom(NAVAJA.number, CARLOS).join('\n')).toMatch(/La Navaja de Gràcia/));
  });
});
