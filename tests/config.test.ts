import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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

describe('staff phones in a shop with barbers', () => {
  const team = () => JSON.parse(readFileSync(new URL('../config/barbershop-team.json', import.meta.url), 'utf8'));

  it("stops start-up at a barber's phone with no chair, or with a chair the shop does not have", () => {
    const owner = { phone: '34611000001', name: 'Paco', role: 'owner' };
    expect(() =>
      loadShopConfig(configFile({ ...team(), staff: [owner, { phone: '34611000011', name: 'Javi', role: 'barber' }] })),
    ).toThrow(
      /Javi is a barber: set "barberId" to one of the shop's barbers \(javi, lucia, marcos\)[\s\S]*staff\[1\]\.barberId/,
    );
    expect(() =>
      loadShopConfig(
        configFile({ ...team(), staff: [{ phone: '34611000011', name: 'Luis', role: 'barber', barberId: 'luis' }] }),
      ),
    ).toThrow(/"luis" is not one of the shop's barbers/);
    // An owner who does not cut has no chair.
    expect(loadShopConfig(configFile({ ...team(), staff: [owner] })).staff).toHaveLength(1);
  });
});

describe('following up visits in the shop config', () => {
  it('has no thank-you unless afterVisit is set, and then 2 hours after and at most once in 30 days by default', () => {
    expect(ShopConfig.parse(rawShop()).afterVisit).toBeUndefined();
    const shop = ShopConfig.parse({ ...rawShop(), afterVisit: { reviewUrl: 'https://g.page/r/paco/review' } });
    expect(shop.afterVisit).toEqual({
      minutesAfter: 120,
      reviewUrl: 'https://g.page/r/paco/review',
      minDaysBetween: 30,
      template: { name: 'cita_thank_you', language: 'es' },
    });
    expect(shop.messaging).toMatchObject({
      quietHours: { from: '21:00', to: '09:00' },
      rebookTemplate: { name: 'cita_rebook', language: 'es' },
    });
  });

  it('stops start-up at a review link that is not a web address, and at a service coming back in 0 days', () => {
    const bad = ShopConfig.safeParse({ ...rawShop(), afterVisit: { reviewUrl: 'javascript:alert(1)' } });
    expect(bad.error?.issues[0]).toMatchObject({ path: ['afterVisit', 'reviewUrl'] });
    const raw = rawShop() as { services: Record<string, unknown>[] };
    const never = ShopConfig.safeParse({ ...raw, services: [{ ...raw.services[0], rebookAfterDays: 0 }] });
    expect(never.error?.issues[0]).toMatchObject({ path: ['services', 0, 'rebookAfterDays'] });
  });
});

describe('no-shows in the shop config', () => {
  it('is off unless configured, and takes the templates by default when it is', () => {
    expect(ShopConfig.parse(rawShop()).noShows).toBeUndefined();
    const shop = ShopConfig.parse({
      ...rawShop(),
      noShows: { limit: 2, windowDays: 90, confirmByHours: 3, policy: 'confirm' },
    });
    expect(shop.noShows?.confirmTemplate).toEqual({ name: 'cita_confirm_attendance', language: 'es' });
  });

  it('refuses naming the file and the field: a deadline a day or more ahead, an unknown policy, staff policy without staff', () => {
    const refused = (noShows: unknown, staff: unknown[] = []) => {
      const path = configFile({ ...rawShop(), staff, noShows });
      return () => loadShopConfig(path);
    };
    const owner = { phone: '34611000001', name: 'Paco', role: 'owner' };
    expect(refused({ limit: 2, windowDays: 90, confirmByHours: 24, policy: 'confirm' }, [owner])).toThrow(
      /cita-config-[\s\S]*must be under 24[\s\S]*noShows\.confirmByHours/,
    );
    expect(refused({ limit: 2, windowDays: 90, confirmByHours: 3, policy: 'block' }, [owner])).toThrow(
      /noShows\.policy/,
    );
    expect(refused({ limit: 2, windowDays: 90, confirmByHours: 3, policy: 'staff' })).toThrow(
      /needs the shop's "staff" phones[\s\S]*noShows\.policy/,
    );
  });
});
