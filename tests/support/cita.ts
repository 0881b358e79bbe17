import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';
import { DEFAULT_SHOP_CONFIG, loadShopConfig } from '../../config/load.ts';
import { type CitaOptions, createCita } from '../../src/cita.ts';
import type { OutboundMessage } from '../../src/messages/whatsapp.ts';
import { optionsOf } from '../../src/messages/whatsapp.ts';
import { readShopFile } from '../../src/shops/shop-file.ts';

export const shop = loadShopConfig();

/** The example shop with three barbers (config/barbershop-team.json). */
export const teamShop = loadShopConfig(fileURLToPath(new URL('../../config/barbershop-team.json', import.meta.url)));

/** The example chain (examples/shops/la-navaja.json): two barbershops behind one number. */
export const chainShop = readShopFile(
  fileURLToPath(new URL('../../examples/shops/la-navaja.json', import.meta.url)),
).config;

/** The shop's config file as written, before validation: a base for tests of other configs. */
export function rawShop(): Record<string, unknown> {
  return JSON.parse(readFileSync(DEFAULT_SHOP_CONFIG, 'utf8'));
}

/** A clock the test moves by hand. Tuesday 24 Nov 2026, 10:00 in Madrid. */
export function fakeClock(start = '2026-11-24T09:00:00Z') {
  let now = new Date(start);
  const clock = () => new Date(now);
  clock.set = (instant: string) => {
    now = new Date(instant);
  };
  clock.advance = (minutes: number) => {
    now = new Date(now.getTime() + minutes * 60_000);
  };
  return clock;
}

export function tempDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'cita-test-'));
}

/** A cita with embedded adapters, a fake clock and a fresh data directory. */
export function testCita(options: Partial<CitaOptions> = {}) {
  const clock = options.clock ?? fakeClock();
  return createCita({ shop, clock, dataDir: tempDataDir(), ...options });
}

type TestCita = ReturnType<typeof testCita>;

/**
 * A `testCita` for each test of a file, stopped after each test.
 *
 * @example
 * const start = citaPerTest();
 * it('books', async () => { const cita = start(); ... });
 */
export function citaPerTest() {
  const running: TestCita[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((cita) => cita.stop()));
  });
  return function start(...args: Parameters<typeof testCita>): TestCita {
    const cita = testCita(...args);
    running.push(cita);
    return cita;
  };
}

/** One customer talking to the bot: `say` types, `tap` presses a button or list row by its title. */
export function customer(cita: TestCita, phone = '34600000001', name = 'Carlos') {
  let last: OutboundMessage[] = [];
  const record = (replies: OutboundMessage[]) => {
    last = replies;
    return replies;
  };
  return {
    phone,
    get last() {
      return last;
    },
    /** Everything the bot said in its last turn, as one string. */
    get lastText() {
      return last.map((m) => [m.body, ...optionsOf(m).map((o) => o.title)].join('\n')).join('\n');
    },
    get options() {
      return last.flatMap(optionsOf);
    },
    async say(text: string) {
      return record(await cita.converse(phone, { kind: 'text', text }, { customerName: name }));
    },
    async tap(title: string) {
      const option = last.flatMap(optionsOf).find((o) => o.title === title || o.title.includes(title));
      if (!option)
        throw new Error(
          `no option "${title}" in: ${last
            .flatMap(optionsOf)
            .map((o) => o.title)
            .join(', ')}`,
        );
      return record(
        await cita.converse(phone, { kind: 'reply', replyId: option.id, title: option.title }, { customerName: name }),
      );
    },
    async send(replyId: string) {
      return record(await cita.converse(phone, { kind: 'reply', replyId }, { customerName: name }));
    },
  };
}

/** The machine state a phone's conversation rests in. */
export async function stateOf(cita: TestCita, phone: string): Promise<string> {
  const { conversation } = await cita.conversations.load(phone);
  if (!conversation) throw new Error(`no conversation saved for ${phone}`);
  return String((conversation.snapshot as { value: unknown }).value);
}
