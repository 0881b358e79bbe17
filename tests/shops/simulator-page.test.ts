import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCita } from '../../src/cita.ts';
import { createApp } from '../../src/server/app.ts';
import { ShopRegistry } from '../../src/shops/registry.ts';
import { noBrowser, servedInChromium } from '../support/browser.ts';
import { fakeClock, tempDataDir } from '../support/cita.ts';

/**
 * The simulator page with two shops, in Debian's headless Chromium (as tests/whatsapp/simulator-page.test.ts):
 * the picker switches shops, and each shop answers as itself with its own conversation.
 */

const EXAMPLES = join(import.meta.dirname, '../../examples/shops');

describe.skipIf(noBrowser)('the simulator page with two shops, in headless Chromium', () => {
  const folder = tempDataDir();
  for (const name of ['el-bigote.json', 'la-navaja.json']) copyFileSync(join(EXAMPLES, name), join(folder, name));
  const cita = createCita({ shops: ShopRegistry.fromFolder(folder), clock: fakeClock(), dataDir: tempDataDir() });
  const served = servedInChromium(() => createApp(cita).fetch);
  afterAll(() => cita.stop());

  it('picks the shop from the header, and each shop answers as itself in a conversation of its own', async () => {
    const page = await served.browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    const send = async (text: string) => {
      await page.locator('#text').fill(text);
      await page.locator('#send').click();
    };

    await page.goto(`${served.baseUrl}/`);
    expect(await page.locator('#shop-name').textContent()).toBe('Barbería El Bigote');
    expect(await page.locator('#shop option').allTextContents()).toEqual(['Barbería El Bigote', 'La Navaja']);
    await send('hola');
    await page.locator('button[data-reply-id="SELECT_SERVICE:corte"]').click();
    await expect.poll(() => page.locator('#state').textContent(), { timeout: 10_000 }).toBe('choosingDate');
    expect((await page.locator('.chat .bubble').allTextContents()).join('\n')).toContain('El Bigote');

    // The same phone at the other shop: that shop's page, words and conversation, from the start.
    await page.locator('#shop').selectOption('la-navaja');
    await page.waitForURL(/\?shop=la-navaja$/);
    expect(await page.locator('#shop-name').textContent()).toBe('La Navaja');
    await send('hola');
    // La Navaja is a chain of two barbershops: the customer picks one first, from its list.
    await expect.poll(() => page.locator('#state').textContent(), { timeout: 10_000 }).toBe('choosingLocation');
    await page.locator('button[data-reply-id="SELECT_LOCATION:gracia"]').click();
    await page.locator('button[data-reply-id="SELECT_SERVICE:corte"]').waitFor({ timeout: 10_000 });
    const navaja = (await page.locator('.chat .bubble').allTextContents()).join('\n');
    expect(navaja).toContain('La Navaja');
    expect(navaja).not.toContain('El Bigote');
    await expect.poll(() => page.locator('#state').textContent(), { timeout: 10_000 }).toBe('choosingService');

    // Back at the first shop, its conversation is where it was left.
    await page.locator('#shop').selectOption('el-bigote');
    await page.waitForURL(/\?shop=el-bigote$/);
    await expect.poll(() => page.locator('#state').textContent(), { timeout: 10_000 }).toBe('choosingDate');
    // Its chat too, loaded again from the shop's transcript: that shop's words, not the other's.
    await expect
      .poll(() => page.locator('.chat .bubble.me').allTextContents(), { timeout: 10_000 })
      .toEqual(['hola', 'Corte de pelo']);
    const bigote = (await page.locator('.chat .bubble').allTextContents()).join('\n');
    expect(bigote).toContain('El Bigote');
    expect(bigote).not.toContain('La Navaja');
    expect(problems).toEqual([]);
  }, 60_000);
});
