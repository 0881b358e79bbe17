import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { optionsOf } from '../../src/messages/whatsapp.ts';
import { createApp } from '../../src/server/app.ts';
import type { ConversationView } from '../../src/server/simulator-api.ts';
import { citaPerTest, customer, testCita } from '../support/cita.ts';

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
    // The panel beside the chat follows the machine: confirming, with the held slot (token masked).
    const state = page.getByLabel('machine state');
    const field = (name: string) => page.locator(`#context dd[data-field="${name}"]`);
    await expect.poll(() => state.textContent(), { timeout: 10_000 }).toBe('confirming');
    expect(await field('language').textContent()).toBe('es');
    expect(await field('service').textContent()).toBe('Corte de pelo (corte)');
    expect(await field('date').textContent()).toBe('2026-11-25');
    expect(await field('chosen slot').textContent()).toMatch(/^2026-11-25 \d\d:\d\d$/);
    expect(await field('hold').textContent()).toMatch(/^until \d\d:\d\d · \w{4}…$/);
    await confirm.click();
    await expect.poll(() => state.textContent(), { timeout: 10_000 }).toBe('booked');
    expect(await field('booking').textContent()).toMatch(/^corte, Wed 25 Nov, \d\d:\d\d · [a-v0-9]{8}…$/);
    await expect
      .poll(() => cita.calendar.upcomingFor('34600000001', new Date('2026-11-24T00:00:00Z')), { timeout: 10_000 })
      .toMatchObject([{ serviceId: 'corte', start: expect.stringMatching(/^2026-11-25T/) }]);
    await expect.poll(() => page.locator('.bubble.me').count()).toBe(5);

    const screenshot = join(process.env.CITA_SCREENSHOT_DIR ?? tmpdir(), 'cita-simulator.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    console.info(`simulator screenshot: ${screenshot}`);
    expect(problems).toEqual([]);
  });

  it('keeps each phone its own chat and machine state when switching customers', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    const state = page.getByLabel('machine state');
    const bubbles = page.locator('.chat .bubble');
    const send = async (text: string) => {
      await page.getByLabel('message').fill(text);
      await page.getByRole('button', { name: 'Enviar' }).click();
    };

    // The first customer chooses a haircut and is left choosing a day.
    await page.goto(`${baseUrl}/`);
    await page.getByLabel('phone number').fill('34600000002');
    await page.getByLabel('phone number').press('Enter');
    await expect.poll(() => page.locator('.chat').getAttribute('data-phone')).toBe('34600000002');
    await send('hola');
    await page.locator('button[data-reply-id="SELECT_SERVICE:corte"]').click();
    await page.locator('button[data-reply-id^="PICK_DATE:"]').first().waitFor({ timeout: 10_000 });
    await expect.poll(() => state.textContent(), { timeout: 10_000 }).toBe('choosingDate');
    const firstChat = await bubbles.allTextContents();
    expect(firstChat.length).toBeGreaterThanOrEqual(4);

    // A second customer starts with an empty chat and no conversation, then gets their own state.
    await page.getByLabel('phone number').fill('34600000003');
    await page.getByLabel('phone number').press('Enter');
    await expect.poll(() => page.locator('.chat').getAttribute('data-phone')).toBe('34600000003');
    expect(await bubbles.count()).toBe(0);
    await expect.poll(() => state.textContent()).toBe('no conversation');
    expect(await page.locator('#context dd').count()).toBe(0);
    await send('hello');
    await page.locator('button[data-reply-id="SELECT_SERVICE:corte"]').waitFor({ timeout: 10_000 });
    await expect.poll(() => state.textContent(), { timeout: 10_000 }).toBe('choosingService');
    expect(await page.locator('#context dd[data-field="language"]').textContent()).toBe('en');
    expect(await page.locator('#context dd[data-field="service"]').count()).toBe(0);

    // Back to the first customer with a tap on their number: their chat and state are as they were.
    await page.getByRole('group', { name: 'customers' }).getByRole('button', { name: '34600000002' }).click();
    await expect.poll(() => page.locator('.chat').getAttribute('data-phone')).toBe('34600000002');
    expect(await bubbles.allTextContents()).toEqual(firstChat);
    expect(await page.getByLabel('phone number').inputValue()).toBe('34600000002');
    await expect.poll(() => state.textContent(), { timeout: 10_000 }).toBe('choosingDate');
    expect(await page.locator('#context dd[data-field="service"]').textContent()).toBe('Corte de pelo (corte)');

    // A number that is not one is refused, and the page keeps playing the same customer.
    await page.getByLabel('phone number').fill('+34 600');
    await page.getByLabel('phone number').press('Enter');
    expect(await page.getByLabel('phone number').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('.chat').getAttribute('data-phone')).toBe('34600000002');

    const screenshot = join(process.env.CITA_SCREENSHOT_DIR ?? tmpdir(), 'cita-simulator-customers.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    console.info(`simulator screenshot: ${screenshot}`);
    expect(problems).toEqual([]);
  });
});

describe('GET /simulator/conversations/:phone', () => {
  const start = citaPerTest();

  async function getView(app: ReturnType<typeof createApp>, phone: string) {
    const response = await app.request(`/simulator/conversations/${phone}`);
    return { status: response.status, body: (await response.json()) as ConversationView & { error?: string } };
  }

  it("answers a phone's machine state and a readable part of its context, hold token masked", async () => {
    const cita = start();
    const app = createApp(cita);
    const carlos = customer(cita, '34600000011');

    await carlos.say('hola');
    const greeted = await getView(app, '34600000011');
    expect(greeted.status).toBe(200);
    expect(greeted.body).toMatchObject({
      phone: '34600000011',
      timezone: 'Europe/Madrid',
      state: 'choosingService',
      context: { language: 'es', offeredSlots: 0, upcomingBookings: 0, notes: [] },
    });

    await carlos.send('SELECT_SERVICE:corte');
    await carlos.send('PICK_DATE:2026-11-25');
    const [firstTime] = carlos.last.flatMap(optionsOf).filter((option) => option.id.startsWith('PICK_TIME:'));
    await carlos.send(firstTime.id);
    const confirming = await getView(app, '34600000011');
    expect(confirming.body).toMatchObject({
      state: 'confirming',
      context: {
        service: { id: 'corte', name: 'Corte de pelo' },
        date: '2026-11-25',
        chosenSlot: { date: '2026-11-25', time: expect.stringMatching(/^\d\d:\d\d$/) },
        hold: { token: expect.stringMatching(/…$/), expiresAt: expect.any(String) },
      },
    });
    expect(confirming.body.context.offeredSlots).toBeGreaterThan(1);
    // Nothing bulky or secret: the slot list is a count and the hold token does not leave.
    const { conversation } = await cita.conversations.load('34600000011');
    if (!conversation) throw new Error('no conversation saved for 34600000011');
    const token = (conversation.snapshot as { context: { hold: { token: string } } }).context.hold.token;
    expect(token.length).toBeGreaterThan(8);
    const text = JSON.stringify(confirming.body);
    expect(text).not.toContain(token);
    expect(text).not.toContain('"slots"');
    expect(text).not.toContain('serviceIds');

    await carlos.send('CONFIRM');
    const booked = await getView(app, '34600000011');
    expect(booked.body).toMatchObject({
      state: 'booked',
      context: { booking: { serviceId: 'corte', start: expect.stringMatching(/^2026-11-25T/) } },
    });
  });

  it('answers 404 for a phone with no conversation and 400 for one that is not digits', async () => {
    const app = createApp(start());
    const none = await getView(app, '34600000012');
    expect(none.status).toBe(404);
    expect(none.body.error).toMatch(/no conversation/);
    for (const phone of ['abc', '%2B34600000012', '12']) {
      const bad = await getView(app, phone);
      expect(bad.status, phone).toBe(400);
      expect(bad.body.error).toMatch(/phone/);
    }
  });

  it('is not served when WhatsApp is connected', async () => {
    const cita = start();
    await customer(cita, '34600000013').say('hola');
    const app = createApp(cita, { whatsapp: { appSecret: 'secret', verifyToken: 'token' } });
    expect((await app.request('/simulator/conversations/34600000013')).status).toBe(404);
  });
});
