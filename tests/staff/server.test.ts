import type { ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { DEFAULT_SHOP_CONFIG } from '../../config/load.ts';
import { ACCESS_TOKEN, PHONE_NUMBER_ID, whatsAppEnv } from '../ops/support.ts';
import { tempDataDir } from '../support/cita.ts';
import { startFakeGraphApi } from '../support/fake-graph-api.ts';
import { bodyOf, startServerProcess } from '../support/server-process.ts';
import { signedPost, textMessage } from '../whatsapp/helpers.ts';

/**
 * The issue's "done when" on `npm start`'s own wiring: a server process whose shop config lists a
 * staff phone announces a booking to it, lists it for "agenda mañana", hands a customer who asks
 * for a person to the staff with a number to call back, and runs no booking flow for that customer until handed back.
 */

const OWNER = '34611000001';
const CARLOS = '34600000001';
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

async function until<T>(what: string, probe: () => T | undefined): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const found = probe();
    if (found !== undefined) return found;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`gave up waiting for ${what}`);
}

it('with a staff phone in the config, the staff hear of a booking, see it in "agenda mañana", and get a customer who asks for a person', async () => {
  const graph = await startFakeGraphApi({ accessToken: ACCESS_TOKEN, phoneNumberId: PHONE_NUMBER_ID });
  try {
    const dataDir = tempDataDir();
    const config = JSON.parse(readFileSync(DEFAULT_SHOP_CONFIG, 'utf8'));
    config.staff = [{ phone: OWNER, name: 'Paco', role: 'owner' }];
    const configPath = join(dataDir, 'shop.json');
    writeFileSync(configPath, JSON.stringify(config));
    const server = await startServerProcess({
      PORT: '0',
      CITA_NOW: '2026-11-24T09:00:00Z',
      CITA_DATA_DIR: dataDir,
      SHOP_CONFIG: configPath,
      LOG_LEVEL: 'info',
      ...whatsAppEnv(graph.url),
    });
    children.push(server.child);
    let n = 0;
    const say = async (from: string, text: string) => {
      const response = await fetch(
        `${server.url}/webhook/whatsapp`,
        signedPost(JSON.stringify(textMessage(from, `wamid.S${++n}`, text))),
      );
      expect(response.status).toBe(200);
    };
    const sentTo = (phone: string, needle: string) => () =>
      graph.messages.find((m) => m.to === phone && JSON.stringify(m).includes(needle));

    await say(OWNER, 'hola');
    await until('the staff menu', sentTo(OWNER, 'Hola, Paco'));
    await say(CARLOS, 'quiero un corte mañana a las 10');
    await until('the question', sentTo(CARLOS, '¿La confirmo?'));
    await say(CARLOS, 'sí');
    const notice = await until('the notice', sentTo(OWNER, 'Nueva cita'));
    expect(bodyOf(notice)).toContain('Corte de pelo, miércoles 25 de noviembre 10:00 — “Carlos” (+34600000001)');

    await say(OWNER, 'agenda mañana');
    const agenda = await until('the agenda', sentTo(OWNER, 'Agenda del miércoles 25 de noviembre'));
    expect(bodyOf(agenda)).toContain('10:00 · “Carlos” · Corte de pelo');

    await say(CARLOS, 'quiero hablar con una persona');
    const handoff = await until('the handoff notice', sentTo(OWNER, 'quiere hablar con una persona'));
    expect(JSON.stringify(handoff)).toContain('https://wa.me/34600000001');
    await until('the customer told', sentTo(CARLOS, 'una persona del equipo'));

    const before = graph.messages.length;
    await say(CARLOS, 'un corte el jueves a las 11');
    // Handed back through the customer's own queue: it comes after the message above, in order.
    await say(OWNER, `listo ${CARLOS}`);
    await until('the hand-back', sentTo(OWNER, 'vuelve a hablar con el bot'));
    await say(CARLOS, 'hola');
    await until('the bot again', () =>
      graph.messages.slice(before).find((m) => m.to === CARLOS && JSON.stringify(m).includes('tus próximas citas')),
    );
    // The message sent while a person had him ran no booking flow: no question about Thursday.
    const toCarlos = graph.messages.slice(before).filter((m) => m.to === CARLOS);
    expect(toCarlos.some((m) => JSON.stringify(m).includes('¿La confirmo?'))).toBe(false);
  } finally {
    await graph.close();
  }
});
