import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { atLocation, barberById } from '../../config/schema.ts';
import { ShopRegistry } from '../../src/shops/registry.ts';
import { missingSecret } from '../../src/shops/secrets.ts';
import { tempDataDir } from '../support/cita.ts';

const EXAMPLES = join(import.meta.dirname, '../../examples/shops');

/** A folder holding the example shops (el-bigote, la-navaja), which the test may change. */
function exampleFolder(): string {
  const folder = tempDataDir();
  for (const name of ['el-bigote.json', 'la-navaja.json']) copyFileSync(join(EXAMPLES, name), join(folder, name));
  return folder;
}

function example(name: string): Record<string, unknown> & { whatsapp: Record<string, string> } {
  return JSON.parse(readFileSync(join(EXAMPLES, name), 'utf8'));
}

function write(folder: string, name: string, content: unknown) {
  writeFileSync(join(folder, name), typeof content === 'string' ? content : JSON.stringify(content));
}

/** The parts of the example chain a test spoils. */
type Chain = { locations: { barbers: string[]; services: string[] }[] };

const registries: ShopRegistry[] = [];
afterEach(() => {
  for (const registry of registries.splice(0)) registry.stop();
});

function open(folder: string, options: Parameters<typeof ShopRegistry.fromFolder>[1] = {}) {
  const registry = ShopRegistry.fromFolder(folder, options);
  registries.push(registry);
  return registry;
}

describe('the shop registry', () => {
  it('answers which shop owns a number and which shop an id is', () => {
    const shops = open(exampleFolder());
    expect(shops.shopFor('106540352242922')?.id).toBe('el-bigote');
    expect(shops.shopFor('106540352242933')?.config.name).toBe('La Navaja');
    expect(shops.shopFor('999')).toBeUndefined();
    expect(shops.shop('la-navaja')?.whatsapp?.phoneNumberId).toBe('106540352242933');
    expect(shops.status().refused).toEqual([]);
  });

  it('refuses an invalid file naming the file and the field, and keeps serving its last good version', () => {
    const folder = exampleFolder();
    const refused = vi.fn();
    const shops = open(folder, { onRefused: refused });
    const before = shops.shop('la-navaja');
    write(folder, 'la-navaja.json', { ...example('la-navaja.json'), timezone: 'Mars/Olympus' });
    shops.reload();
    expect(shops.shop('la-navaja')).toBe(before);
    expect(shops.shop('el-bigote')).toBeDefined();
    const [refusal] = shops.status().refused;
    expect(refusal?.file).toBe(join(folder, 'la-navaja.json'));
    expect(refusal?.reason).toMatch(/la-navaja\.json is invalid[\s\S]*IANA timezone[\s\S]*at timezone/);
    expect(shops.status().shops.find((shop) => shop.id === 'la-navaja')?.state).toBe('stale');
    expect(refused).toHaveBeenCalledTimes(1);
    // Read again unchanged: refused again, but said (and counted) once.
    shops.reload();
    expect(refused).toHaveBeenCalledTimes(1);
  });

  it('refuses a new file that does not read, and serves it once it does', () => {
    const folder = exampleFolder();
    const shops = open(folder);
    write(folder, 'el-tupe.json', '{ "id": "el-tupe", ');
    shops.reload();
    expect(shops.shop('el-tupe')).toBeUndefined();
    expect(shops.status().refused[0]?.reason).toMatch(/el-tupe\.json is not JSON/);
    write(folder, 'el-tupe.json', { ...example('el-bigote.json'), id: 'el-tupe', whatsapp: { phoneNumberId: '7' } });
    shops.reload();
    expect(shops.shopFor('7')?.id).toBe('el-tupe');
    expect(shops.status().refused).toEqual([]);
  });

  it('refuses a second file claiming a number, naming both files and the field; the first keeps it', () => {
    const folder = exampleFolder();
    const shops = open(folder);
    write(folder, 'a-copy.json', { ...example('la-navaja.json'), id: 'a-copy' });
    shops.reload();
    expect(shops.shopFor('106540352242933')?.id).toBe('la-navaja');
    expect(shops.shop('a-copy')).toBeUndefined();
    expect(shops.status().refused).toEqual([
      {
        file: join(folder, 'a-copy.json'),
        reason: expect.stringMatching(
          /a-copy\.json is refused: its whatsapp\.phoneNumberId "106540352242933" is already claimed by .*la-navaja\.json/,
        ),
      },
    ]);
    expect(shops.shop('el-bigote')).toBeDefined();
  });

  it('reads a chain: each location with its address, barbers and services, its barbers with its hours', () => {
    const navaja = open(exampleFolder()).shop('la-navaja')!.config;
    expect(navaja.locations?.map((location) => location.id)).toEqual(['eixample', 'gracia']);
    const eixample = atLocation(navaja, 'eixample');
    expect(eixample.address).toMatch(/Enric Granados/);
    expect(eixample.barbers.map((barber) => barber.id)).toEqual(['javi', 'lucia']);
    // Javi has no week of his own: he works Eixample's, Mondays included, and its holiday.
    expect(barberById(navaja, 'javi')?.openingHours?.monday).toEqual([{ from: '10:00', to: '20:00' }]);
    expect(barberById(navaja, 'javi')?.dateOverrides.map((day) => day.date)).toContain('2026-12-26');
    const gracia = atLocation(navaja, 'gracia');
    expect(gracia.services.map((service) => service.id)).toEqual(['corte', 'barba', 'corte-barba']);
    expect(gracia.barbers.map((barber) => barber.id)).toEqual(['marcos']);
  });

  it.each([
    [
      'an unknown barber in a location',
      (chain: Chain) => chain.locations[1].barbers.push('pepe'),
      /"pepe" is not one of the shop's barbers \(javi, lucia, marcos\)\s*→ at locations\[1\]\.barbers\[1\]/,
    ],
    [
      'a barber at two locations',
      (chain: Chain) => chain.locations[0].barbers.push('marcos'),
      /"marcos" already works at "eixample": a barber works at one location\s*→ at locations\[1\]\.barbers\[0\]/,
    ],
    [
      'a barber at no location',
      (chain: Chain) => chain.locations[1].barbers.splice(0, 1),
      /"marcos" works at no location[\s\S]*→ at barbers\[2\]/,
    ],
    [
      'an unknown service in a location',
      (chain: Chain) => chain.locations[0].services.push('tinte'),
      /"tinte" is not one of the shop's services[\s\S]*→ at locations\[0\]\.services\[3\]/,
    ],
  ])('refuses a chain with %s, naming the file and the field; the other shops keep serving', (_what, spoil, reason) => {
    const folder = exampleFolder();
    const chain = example('la-navaja.json') as unknown as Chain;
    spoil(chain);
    write(folder, 'la-navaja.json', chain);
    const shops = open(folder);
    expect(shops.shop('la-navaja')).toBeUndefined();
    expect(shops.shop('el-bigote')).toBeDefined();
    const [refusal] = shops.status().refused;
    expect(refusal?.file).toBe(join(folder, 'la-navaja.json'));
    expect(refusal?.reason).toMatch(/la-navaja\.json is invalid/);
    expect(refusal?.reason).toMatch(reason);
  });

  it('stops serving a shop whose file is removed', () => {
    const folder = exampleFolder();
    const shops = open(folder);
    rmSync(join(folder, 'la-navaja.json'));
    shops.reload();
    expect(shops.shopFor('106540352242933')).toBeUndefined();
    expect(shops.list().map((shop) => shop.id)).toEqual(['el-bigote']);
  });

  it('refuses a shop whose secret is missing, naming the field and the variable', () => {
    const env = { WHATSAPP_APP_SECRET: 'app', WHATSAPP_VERIFY_TOKEN: 'verify' };
    const shops = open(exampleFolder(), { check: (shop) => missingSecret(shop, env, {}) });
    expect(shops.list()).toEqual([]);
    expect(shops.status().refused.map((refusal) => refusal.reason)).toEqual([
      expect.stringMatching(
        /el-bigote\.json is refused: whatsapp\.accessTokenEnv is not given and WHATSAPP_ACCESS_TOKEN is not set/,
      ),
      expect.stringMatching(
        /la-navaja\.json is refused: whatsapp\.accessTokenEnv names LA_NAVAJA_WHATSAPP_TOKEN, which is not set/,
      ),
    ]);
    const withTokens = open(exampleFolder(), {
      check: (shop) =>
        missingSecret(shop, { ...env, WHATSAPP_ACCESS_TOKEN: 'deployment' }, { LA_NAVAJA_WHATSAPP_TOKEN: 'own' }),
    });
    expect(withTokens.list().map((shop) => shop.id)).toEqual(['el-bigote', 'la-navaja']);
  });

  it('serves a file dropped into a watched folder without being asked to reload', async () => {
    const folder = exampleFolder();
    const shops = open(folder).watch();
    const changes = vi.fn();
    shops.onChange(changes);
    write(folder, 'el-tupe.json', { ...example('el-bigote.json'), id: 'el-tupe', whatsapp: { phoneNumberId: '7' } });
    await vi.waitFor(() => expect(shops.shopFor('7')?.id).toBe('el-tupe'), { timeout: 10_000 });
    expect(changes).toHaveBeenCalled();
  });
});
