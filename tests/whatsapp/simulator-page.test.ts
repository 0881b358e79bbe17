import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { optionsOf } from '../../src/messages/whatsapp.ts';
import { createApp } from '../../src/server/app.ts';
import type { ConversationView } from '../../src/server/simulator-api.ts';
import { simulatorPage } from '../../src/server/simulator-page.ts';
import { noBrowser, servedInChromium } from '../support/browser.ts';
import { citaPerTest, customer, testCita } from '../support/cita.ts';

/** The simulator page in a real browser: Debian's headless Chromium driven by playwright-core. */

describe.skipIf(noBrowser)('the simulator page in headless Chromium', () => {
  const cita = testCita();
  const served = servedInChromium(() => createApp(cita).fetch);
  afterAll(() => cita.stop());

  it('shows the services after "hola", the days after tapping a service, and books by tapping on', async () => {
    const page = await served.browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));

    await page.goto(`${served.baseUrl}/`);
    await page.getByLabel('mensaje').fill('hola');
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
    const state = page.locator('#state');
    const field = (name: string) => page.locator(`#context dd[data-field="${name}"]`);
    await expect.poll(() => state.textContent(), { timeout: 10_000 }).toBe('confirming');
    expect(await field('language').textContent()).toBe('es');
    expect(await field('service').textContent()).toBe('Corte de pelo (corte)');
    // Dates in the conversation's language, Spanish here.
    expect(await field('date').textContent()).toBe('mié, 25 nov');
    expect(await field('chosenSlot').textContent()).toMatch(/^mié, 25 nov \d\d:\d\d$/);
    expect(await field('hold').textContent()).toMatch(/^hasta \d\d:\d\d · \w{4}…$/);
    await confirm.click();
    await expect.poll(() => state.textContent(), { timeout: 10_000 }).toBe('booked');
    expect(await field('booking').textContent()).toMatch(/^corte, mié, 25 nov, \d\d:\d\d · [a-v0-9]{8}…$/);
    expect(await field('upcomingBookings').textContent()).toBe('1');
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
    const page = await served.browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    const state = page.locator('#state');
    const bubbles = page.locator('.chat .bubble');
    const send = async (text: string) => {
      await page.locator('#text').fill(text);
      await page.locator('#send').click();
    };

    // The first customer chooses a haircut and is left choosing a day.
    await page.goto(`${served.baseUrl}/`);
    await page.locator('#phone').fill('34600000002');
    await page.locator('#phone').press('Enter');
    await expect.poll(() => page.locator('.chat').getAttribute('data-phone')).toBe('34600000002');
    await send('hola');
    await page.locator('button[data-reply-id="SELECT_SERVICE:corte"]').click();
    await page.locator('button[data-reply-id^="PICK_DATE:"]').first().waitFor({ timeout: 10_000 });
    await expect.poll(() => state.textContent(), { timeout: 10_000 }).toBe('choosingDate');
    const firstChat = await bubbles.allTextContents();
    expect(firstChat.length).toBeGreaterThanOrEqual(4);

    // A second customer starts with an empty chat and no conversation, then gets their own state.
    await page.locator('#phone').fill('34600000003');
    await page.locator('#phone').press('Enter');
    await expect.poll(() => page.locator('.chat').getAttribute('data-phone')).toBe('34600000003');
    expect(await bubbles.count()).toBe(0);
    await expect.poll(() => state.textContent()).toBe('sin conversación');
    expect(await page.locator('#context dd').count()).toBe(0);
    await send('hello');
    await page.locator('button[data-reply-id="SELECT_SERVICE:corte"]').waitFor({ timeout: 10_000 });
    await expect.poll(() => state.textContent(), { timeout: 10_000 }).toBe('choosingService');
    expect(await page.locator('#context dd[data-field="language"]').textContent()).toBe('en');
    expect(await page.locator('#context dd[data-field="service"]').count()).toBe(0);

    // Back to the first customer with a tap on their number: their chat and state are as they were.
    await page.getByRole('group', { name: 'Customers' }).getByRole('button', { name: '34600000002' }).click();
    await expect.poll(() => page.locator('.chat').getAttribute('data-phone')).toBe('34600000002');
    expect(await bubbles.allTextContents()).toEqual(firstChat);
    expect(await page.locator('#phone').inputValue()).toBe('34600000002');
    await expect.poll(() => state.textContent(), { timeout: 10_000 }).toBe('choosingDate');
    expect(await page.locator('#context dd[data-field="service"]').textContent()).toBe('Corte de pelo (corte)');

    // A number that is not one is refused, and the page keeps playing the same customer.
    await page.locator('#phone').fill('+34 600');
    await page.locator('#phone').press('Enter');
    expect(await page.locator('#phone').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('.chat').getAttribute('data-phone')).toBe('34600000002');

    const screenshot = join(process.env.CITA_SCREENSHOT_DIR ?? tmpdir(), 'cita-simulator-customers.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    console.info(`simulator screenshot: ${screenshot}`);
    expect(problems).toEqual([]);
  });

  /** Wider than the screen anywhere: the page, the header, the chat or the composer. */
  async function overflowsAt(page: Page, width: number): Promise<string[]> {
    // Run in the page (the test's TypeScript has no DOM types, so the function is passed as text).
    return page.evaluate(`[document.documentElement, ...document.querySelectorAll('header, .chat, form')]
      .filter((element) => element.scrollWidth > element.clientWidth || element.getBoundingClientRect().right > ${width})
      .map((element) => element.tagName.toLowerCase() + (element.className ? '.' + element.className : ''))`);
  }

  async function screenshotAs(page: Page, name: string) {
    const path = join(process.env.CITA_SCREENSHOT_DIR ?? tmpdir(), name);
    await page.screenshot({ path });
    console.info(`simulator screenshot: ${path}`);
  }

  async function playPhone(page: Page, phone: string) {
    await page.locator('#phone').fill(phone);
    await page.locator('#phone').press('Enter');
    await expect.poll(() => page.locator('.chat').getAttribute('data-phone')).toBe(phone);
  }

  async function say(page: Page, text: string) {
    await page.locator('#text').fill(text);
    await page.locator('#send').click();
  }

  it("on a 390 px phone the chat keeps the screen, under the shop's name; the panel opens from the header and folds away", async () => {
    const page = await served.browser.newPage({ viewport: { width: 390, height: 844 } });
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(`${served.baseUrl}/`);
    expect(await page.locator('header h1').textContent()).toBe('Barbería El Bigote');
    expect(await page.title()).toBe('Barbería El Bigote · cita');
    await playPhone(page, '34600000021');
    await say(page, 'hola');
    await page.locator('button[data-reply-id="SELECT_SERVICE:corte"]').waitFor({ timeout: 10_000 });

    expect(await page.locator('#panel').isVisible()).toBe(false);
    expect((await page.locator('main').boundingBox())?.width).toBe(390);
    // The whole name fits on a 390 px phone, not cut with an ellipsis.
    expect(
      await page.evaluate(
        `(() => { const h1 = document.querySelector('header h1'); return h1.scrollWidth <= h1.clientWidth; })()`,
      ),
    ).toBe(true);
    expect(await overflowsAt(page, 390)).toEqual([]);
    await screenshotAs(page, 'cita-simulator-390.png');

    const toggle = page.getByRole('button', { name: 'Estado' });
    await toggle.click();
    expect(await toggle.getAttribute('aria-expanded')).toBe('true');
    await expect.poll(() => page.locator('#state').textContent(), { timeout: 10_000 }).toBe('choosingService');
    const panel = await page.locator('#panel').boundingBox();
    const header = await page.locator('header').boundingBox();
    // Under the header, across the whole screen, over the chat.
    expect(panel).toMatchObject({ x: 0, width: 390 });
    expect(panel!.y).toBeCloseTo(header!.height, 1);
    expect(await overflowsAt(page, 390)).toEqual([]);
    await screenshotAs(page, 'cita-simulator-390-panel.png');

    // Folded again, the chat is tappable; the panel still follows the conversation, in Spanish.
    await toggle.click();
    expect(await page.locator('#panel').isVisible()).toBe(false);
    await page.locator('button[data-reply-id="SELECT_SERVICE:corte"]').click();
    await page.locator('button[data-reply-id="PICK_DATE:2026-11-25"]').click();
    await page.locator('button[data-reply-id^="PICK_TIME:"]').first().waitFor({ timeout: 10_000 });
    await toggle.click();
    await expect.poll(() => page.locator('#state').textContent(), { timeout: 10_000 }).toBe('choosingSlot');
    expect(await page.locator('#context dd[data-field="date"]').textContent()).toBe('mié, 25 nov');
    expect(await page.locator('#context dt').first().textContent()).toBe('idioma');
    expect(problems).toEqual([]);
  });

  it("at 320 px nothing is wider than the screen, and the page's words and dates follow an English conversation", async () => {
    const page = await served.browser.newPage({ viewport: { width: 320, height: 640 } });
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(`${served.baseUrl}/`);
    await playPhone(page, '447700900021');
    // No conversation yet: the shop's default language.
    expect(await page.locator('#text').getAttribute('placeholder')).toBe('Escribe un mensaje');
    expect(await page.locator('.chat').getAttribute('data-empty')).toMatch(/^Aún no hay mensajes/);
    expect(await overflowsAt(page, 320)).toEqual([]);

    await say(page, 'hello, I would like a haircut');
    await page.locator('button[data-reply-id^="PICK_DATE:"]').first().waitFor({ timeout: 10_000 });
    await expect.poll(() => page.locator('html').getAttribute('lang'), { timeout: 10_000 }).toBe('en');
    expect(await page.locator('#text').getAttribute('placeholder')).toBe('Type a message');
    expect(await page.locator('#send').textContent()).toBe('Send');
    expect(await page.locator('#phone').getAttribute('aria-label')).toBe('phone');
    expect(await page.getByRole('button', { name: 'State' }).count()).toBe(1);
    expect(await overflowsAt(page, 320)).toEqual([]);
    await screenshotAs(page, 'cita-simulator-320.png');

    await page.locator('button[data-reply-id="PICK_DATE:2026-11-25"]').click();
    await page.locator('button[data-reply-id^="PICK_TIME:"]').first().waitFor({ timeout: 10_000 });
    await page.getByRole('button', { name: 'State' }).click();
    await expect.poll(() => page.locator('#state').textContent(), { timeout: 10_000 }).toBe('choosingSlot');
    expect(await page.locator('#state-heading').textContent()).toBe('Machine state');
    expect(await page.locator('#context dd[data-field="date"]').textContent()).toBe('Wed 25 Nov');
    expect(await page.locator('#context dt').first().textContent()).toBe('language');
    expect(await overflowsAt(page, 320)).toEqual([]);
    await screenshotAs(page, 'cita-simulator-320-panel.png');
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
      // Right after the booking, without a "mis citas": the panel counts what the calendar has.
      context: { booking: { serviceId: 'corte', start: expect.stringMatching(/^2026-11-25T/) }, upcomingBookings: 1 },
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

describe('the simulator page document', () => {
  it("carries the shop's name as text, whatever characters it has", () => {
    const html = simulatorPage({
      name: 'Tony & "Sons" </script><b>$&',
      languages: { default: 'en', supported: ['en'] },
    });
    // Escaped, and "$&" is not read as a replacement pattern.
    expect(html).toContain('<title>Tony &#38; &#34;Sons&#34; &#60;/script&#62;&#60;b&#62;$&#38; · cita</title>');
    expect(html).toContain('<html lang="en">');
    expect(html).not.toContain('</script><b>');
    expect(html).not.toContain('__TITLE__');
  });
});
