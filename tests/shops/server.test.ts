import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { tempDataDir } from '../support/cita.ts';
import { type FakeGraphApi, startFakeGraphApi } from '../support/fake-graph-api.ts';
import { bodyOf } from '../support/server-process.ts';
import { signedPost, textMessage } from '../whatsapp/helpers.ts';

/**
 * `npm start` with SHOPS_DIR pointing at a copy of examples/shops: both shops answer through
 * signed webhooks on their own numbers and from the simulator page, and a shop file dropped into
 * the folder is served without a restart. Each server runs in its own process group, signalled
 * as a group.
 */

const MAIN = fileURLToPath(new URL('../../src/server/main.ts', import.meta.url));
const EXAMPLES = join(import.meta.dirname, '../../examples/shops');
const APP_SECRET = 'shops-app-secret';
const METRICS_TOKEN = 'shops-metrics-token';
const BIGOTE = { id: 'el-bigote', number: '106540352242922', token: 'EAAG-bigote' };
const NAVAJA = { id: 'la-navaja', number: '106540352242933', token: 'EAAG-navaja' };
const TUPE = { id: 'el-tupe', number: '106540352242944' };
const CARLOS = '34600000001';

interface Server {
  child: ChildProcess;
  url: string;
}

/** `npm start`'s entry point in a process group of its own, resolved once it listens. */
async function startServer(env: Record<string, string>): Promise<Server> {
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? '', PORT: '0', CITA_DATA_DIR: tempDataDir(), ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
    cwd: tempDataDir(),
    detached: true,
  });
  let buffered = '';
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`server exited with ${code} before listening`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) if (line.includes('"server.listening"')) resolve(JSON.parse(line).port);
    });
  });
  return { child, url: `http://127.0.0.1:${port}` };
}

async function stopServer({ child }: Server) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  process.kill(-child.pid!, 'SIGTERM');
  await exited;
}

function shopsFolder(): string {
  const folder = tempDataDir();
  for (const name of ['el-bigote.json', 'la-navaja.json']) copyFileSync(join(EXAMPLES, name), join(folder, name));
  return folder;
}

/** A third shop: El Bigote's configuration under another name, id and number. */
function dropThirdShop(folder: string) {
  const shop = JSON.parse(readFileSync(join(EXAMPLES, 'el-bigote.json'), 'utf8'));
  const tupe = { ...shop, id: TUPE.id, name: 'El Tupé', whatsapp: { phoneNumberId: TUPE.number }, staff: [] };
  writeFileSync(join(folder, 'el-tupe.json'), JSON.stringify(tupe));
}

function toNumber(number: string, phone: string, id: string, text: string) {
  const payload = textMessage(phone, id, text);
  payload.entry[0]!.changes[0]!.value.metadata.phone_number_id = number;
  return JSON.stringify(payload);
}

describe('npm start with a shops folder', () => {
  let graph: FakeGraphApi;
  let folder: string;
  let whatsapp: Server;
  let simulator: Server;

  beforeAll(async () => {
    graph = await startFakeGraphApi({
      accessToken: BIGOTE.token,
      phoneNumberId: BIGOTE.number,
      numbers: { [NAVAJA.number]: NAVAJA.token, [TUPE.number]: BIGOTE.token },
    });
    folder = shopsFolder();
    [whatsapp, simulator] = await Promise.all([
      startServer({
        SHOPS_DIR: folder,
        WHATSAPP_ACCESS_TOKEN: BIGOTE.token,
        LA_NAVAJA_WHATSAPP_TOKEN: NAVAJA.token,
        WHATSAPP_APP_SECRET: APP_SECRET,
        WHATSAPP_VERIFY_TOKEN: 'shops-verify-token',
        WHATSAPP_API_URL: graph.url,
        METRICS_TOKEN,
      }),
      startServer({ SHOPS_DIR: shopsFolder() }),
    ]);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([whatsapp, simulator].filter(Boolean).map(stopServer));
    await graph?.close();
  });

  /** The texts sent from a number to a phone. */
  function sentFrom(number: string, phone: string): string {
    return graph.requests
      .flatMap((request) => {
        const body = request.body as { to?: string; type?: string };
        return request.path.includes(`/${number}/messages`) && request.status === 200 && body.to === phone && body.type
          ? [bodyOf(body as never)]
          : [];
      })
      .join('\n');
  }

  async function post(number: string, id: string) {
    const response = await fetch(`${whatsapp.url}/webhook/whatsapp`, {
      ...signedPost(toNumber(number, CARLOS, id, 'hola'), APP_SECRET),
    });
    expect(response.status).toBe(200);
    return response.json();
  }

  it('answers signed webhooks for both numbers, each from its own shop', async () => {
    expect(await post(BIGOTE.number, 'wamid.e1')).toMatchObject({ accepted: 1 });
    expect(await post(NAVAJA.number, 'wamid.e2')).toMatchObject({ accepted: 1 });
    await vi.waitFor(
      () => {
        expect(sentFrom(BIGOTE.number, CARLOS)).toMatch(/El Bigote/);
        expect(sentFrom(NAVAJA.number, CARLOS)).toMatch(/La Navaja/);
        // La Navaja is a chain of two barbershops on its one number: the customer picks one first.
        expect(sentFrom(NAVAJA.number, CARLOS)).toMatch(/¿En cuál de nuestras barberías quieres la cita\?/);
      },
      { timeout: 20_000 },
    );
    const shops = await fetch(`${whatsapp.url}/shops`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(await shops.json()).toMatchObject({
      shops: [
        { id: BIGOTE.id, phoneNumberId: BIGOTE.number, state: 'serving' },
        { id: NAVAJA.id, phoneNumberId: NAVAJA.number, state: 'serving' },
      ],
      refused: [],
    });
    expect((await fetch(`${whatsapp.url}/shops`)).status).toBe(401);
    expect(await (await fetch(`${whatsapp.url}/readyz`)).json()).toMatchObject({ shops: { loaded: 2, refused: 0 } });
  }, 30_000);

  it('serves a shop file dropped into the folder within 10 seconds, without a restart', async () => {
    dropThirdShop(folder);
    await vi.waitFor(
      async () => {
        const readiness = await (await fetch(`${whatsapp.url}/readyz`)).json();
        expect(readiness).toMatchObject({ shops: { loaded: 3 } });
      },
      { timeout: 10_000, interval: 250 },
    );
    expect(await post(TUPE.number, 'wamid.e3')).toMatchObject({ accepted: 1 });
    await vi.waitFor(() => expect(sentFrom(TUPE.number, CARLOS)).toMatch(/El Tupé/), { timeout: 20_000 });
  }, 40_000);

  it('lets the simulator page pick either shop', async () => {
    const page = await (await fetch(`${simulator.url}/?shop=${NAVAJA.id}`)).text();
    expect(page).toContain('<h1 id="shop-name">La Navaja</h1>');
    expect(page).toMatch(/<select id="shop"[^>]*>.*value="el-bigote".*value="la-navaja" selected/s);
    for (const [shop, name] of [
      [BIGOTE.id, /El Bigote/],
      [NAVAJA.id, /La Navaja/],
    ] as const) {
      const response = await fetch(`${simulator.url}/simulator/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ phone: CARLOS, text: 'hola', shop }),
      });
      const { replies } = (await response.json()) as { replies: { body: string }[] };
      expect(replies.map((reply) => reply.body).join('\n')).toMatch(name);
    }
    // The chain's location is picked on the page as on WhatsApp, and its own services follow.
    const picked = await fetch(`${simulator.url}/simulator/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ phone: CARLOS, text: 'en Gràcia', shop: NAVAJA.id }),
    });
    const { replies } = (await picked.json()) as { replies: { body: string }[] };
    expect(JSON.stringify(replies)).toMatch(/¿Qué servicio quieres reservar\?[\s\S]*Arreglo de barba/);
    expect(JSON.stringify(replies)).not.toMatch(/Corte infantil/);
    const unknown = await fetch(`${simulator.url}/?shop=nobody`);
    expect(unknown.status).toBe(404);
  }, 30_000);
});
