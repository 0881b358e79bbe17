import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadShopConfig } from '../config/load.ts';
import { reminderTemplateFor, ShopConfig } from '../config/schema.ts';
import { rawShop } from './support/cita.ts';

function configFile(config: unknown): string {
  const path = join(mkdtempSync(join(tmpdir(), 'cita-config-')), 'shop.json');
  writeFileSync(path, JSON.stringify(config));
  return path;
}

describe('reminder templates in the shop config', () => {
  it('gives each language its own template', () => {
    const shop = ShopConfig.parse({
      ...rawShop(),
      reminders: {
        template: { es: { name: 'recordatorio', language: 'es_ES' }, en: { name: 'reminder', language: 'en_US' } },
      },
    });
    expect(reminderTemplateFor(shop, 'es')).toEqual({ name: 'recordatorio', language: 'es_ES' });
    expect(reminderTemplateFor(shop, 'en')).toEqual({ name: 'reminder', language: 'en_US' });
  });

  it('still reads the older single template, as the one for every language', () => {
    const shop = ShopConfig.parse({ ...rawShop(), reminders: { template: { name: 'cita_reminder', language: 'es' } } });
    for (const language of ['es', 'en'] as const) {
      expect(reminderTemplateFor(shop, language)).toEqual({ name: 'cita_reminder', language: 'es' });
    }
  });

  it('stops start-up naming the language a shop speaks but has no template for', () => {
    const path = configFile({
      ...rawShop(),
      reminders: { template: { es: { name: 'cita_reminder', language: 'es' } } },
    });
    expect(() => loadShopConfig(path)).toThrow(/needs an approved template for "en"[\s\S]*reminders\.template\.en/);
  });
});

describe('services in the shop config', () => {
  it('refuses a category too long for a WhatsApp list section title', () => {
    const [first, ...rest] = rawShop().services as Record<string, unknown>[];
    const path = configFile({
      ...rawShop(),
      services: [{ ...first, category: { es: 'Cortes de pelo clásicos y modernos', en: 'Haircuts' } }, ...rest],
    });
    expect(() => loadShopConfig(path)).toThrow(/services\[0\]\.category\.es/);
  });
});
