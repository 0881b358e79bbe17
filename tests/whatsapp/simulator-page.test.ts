import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/server/app.ts';
import { testCita } from '../support/cita.ts';

/**
 * The simulator page in a real browser: Debian's headless Chromium driven by playwright-core
 * (no downloaded browsers). CI must have Chromium, so there a missing one fails the suite; on a
 * developer machine without it the suite is skipped with a message.
 */

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available && !process.env.CI) {
  console.warn(`simulator page browser test skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium)`);
}

describe.skipIf(!available && !process.env.CI)('the simulator page in headless Chromium', () => {
  const cita = testCita();
  let server: ReturnType<typeof serve>;
  let baseUrl: string;
  let browser: Browser;

  beforeAll(async () => {
    if (!available)
      throw new Error(`no Chromium at ${CHROMIUM}: CI needs Debian's chromium (apt-get install -y chromium)`);
    server = serve({ fetch: createApp(cita).fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise((resolve) => server.once('listening', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    await cita.stop();
  });

  it('shows the services after "hola", the days after tapping a service, and books by tapping on', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));

    await page.goto(`${baseUrl}/`);
    await page.getByLabel('message').fill('hola');
    await page.getByRole('button', { name: 'Enviar' }).click();

    const haircut = page.locator('button[data-reply-id="SELECT_SERVICE:corte"]');
    await haircut.waitFor({ timeout: 10_000 });
    expect(await page.locator('.bubble.me').first().textContent()).toBe('hola');

    await haircut.click();
    const days = page.locator('button[data-reply-id^="PICK_DATE:"]');
    await days.first().waitFor({ timeout: 10_000 });
    expect(await days.count()).toBeGreaterThan(1);
    // The tap shows as the customer's own message, titled as the option was.
    expect(await page.locator('.bubble.me').last().textContent()).toBe('Corte de pelo');

    // And on to a booking, tap by tap: tomorrow, its first free time, confirm.
    await page.locator('button[data-reply-id="PICK_DATE:2026-11-25"]').click();
    const firstTime = page.locator('button[data-reply-id^="PICK_TIME:"]').first();
    await firstTime.waitFor({ timeout: 10_000 });
    await firstTime.click();
    const confirm = page.locator('button[data-reply-id="CONFIRM"]');
    await confirm.waitFor({ timeout: 10_000 });
    await confirm.click();
    await expect
      .poll(() => cita.calendar.upcomingFor('34600000001', new Date('2026-11-24T00:00:00Z')), { timeout: 10_000 })
      .toMatchObject([{ serviceId: 'corte', start: expect.stringMatching(/^2026-11-25T/) }]);
    await expect.poll(() => page.locator('.bubble.me').count()).toBe(5);

    const screenshot = join(process.env.CITA_SCREENSHOT_DIR ?? tmpdir(), 'cita-simulator.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    console.info(`simulator screenshot: ${screenshot}`);
    expect(problems).toEqual([]);
  });
});
