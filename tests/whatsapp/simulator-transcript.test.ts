import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Transcripts } from '../../src/engine/ports.ts';
import { phoneRef } from '../../src/log.ts';
import { optionsOf } from '../../src/messages/whatsapp.ts';
import { createApp } from '../../src/server/app.ts';
import type { TranscriptView } from '../../src/server/simulator-api.ts';
import { captureLogs } from '../ops/support.ts';
import { noBrowser, servedInChromium } from '../support/browser.ts';
import { fakeClock, testCita } from '../support/cita.ts';
import { startFakeGraphApi } from '../support/fake-graph-api.ts';
import { APP_SECRET, listReply, signedPost, textMessage, turnTracking, VERIFY_TOKEN } from './helpers.ts';

/**
 * The simulator page shows a conversation whatever channel it came through: WhatsApp's webhook,
 * the terminal chat (`converse`, as `npm run chat` does), the simulator API, a reminder cita sent
 * on its own. One cita behind two faces, as two processes on one data folder are: the WhatsApp
 * webhook (replies at a fake Graph API) and the simulator (page and API).
 */

const ACCESS_TOKEN = 'EAAG-transcript-test-token';
const PHONE_NUMBER_ID = '106540352242922';

/** cita with WhatsApp's messenger, its webhook app, and a way to deliver a payload and wait for its turn. */
async function whatsAppAndSimulator(clock = fakeClock()) {
  const graph = await startFakeGraphApi({ accessToken: ACCESS_TOKEN, phoneNumberId: PHONE_NUMBER_ID });
  const { messenger, turnDone } = turnTracking(graph.messenger());
  const cita = testCita({ clock, adapters: { messenger } });
  const webhook = createApp(cita, { whatsapp: { appSecret: APP_SECRET, verifyToken: VERIFY_TOKEN } });
  const simulator = createApp(cita);
  async function deliver(payload: ReturnType<typeof textMessage>) {
    const wamid = payload.entry[0]!.changes[0]!.value.messages[0]!.id;
    const done = turnDone(wamid);
    const response = await webhook.request('/webhook/whatsapp', signedPost(JSON.stringify(payload)));
    expect(response.status).toBe(200);
    await done;
  }
  async function messages(phone: string, query = '') {
    const response = await simulator.request(`/simulator/conversations/${phone}/messages${query}`);
    return { status: response.status, body: (await response.json()) as TranscriptView & { error?: string } };
  }
  return {
    cita,
    graph,
    simulator,
    deliver,
    messages,
    async stop() {
      await cita.stop();
      await graph.close();
    },
  };
}

describe('GET /simulator/conversations/:phone/messages', () => {
  let world: Awaited<ReturnType<typeof whatsAppAndSimulator>>;
  const clock = fakeClock();
  beforeAll(async () => {
    world = await whatsAppAndSimulator(clock);
  });
  afterAll(() => world.stop());

  it('answers what the customer wrote on WhatsApp and what cita sent back, lists as sent, from a position on', async () => {
    await world.deliver(textMessage('34600000041', 'wamid.A1', 'hola'));
    await world.deliver(listReply('34600000041', 'wamid.A2', 'SELECT_SERVICE:corte', 'Corte de pelo'));

    const { status, body } = await world.messages('34600000041');
    expect(status).toBe(200);
    const [hello, services] = body.messages;
    expect(hello).toMatchObject({ from: 'customer', id: 'wamid.A1', words: { kind: 'text', text: 'hola' } });
    expect(services).toMatchObject({ from: 'cita', id: 'wamid.A1:0', message: { kind: 'list' } });
    const tapped = body.messages.find((message) => message.id === 'wamid.A2');
    expect(tapped).toMatchObject({ words: { kind: 'reply', replyId: 'SELECT_SERVICE:corte', title: 'Corte de pelo' } });
    // The days offered, with their rows, as WhatsApp was sent them.
    const days = body.messages.at(-1)!;
    expect(days.from === 'cita' && days.message.kind === 'list' && days.message.sections[0]!.rows[0]!.id).toMatch(
      /^PICK_DATE:/,
    );
    const sentToWhatsApp = world.graph.requests.filter((request) => (request.body as { to?: string }).to);
    expect(body.messages.filter((message) => message.from === 'cita')).toHaveLength(sentToWhatsApp.length);

    // From a position on: only what came after it.
    const after = await world.messages('34600000041', `?after=${tapped!.seq}`);
    expect(after.body.messages[0]!.id).toBe('wamid.A2:0');
    expect(after.body.messages.length).toBe(body.messages.length - body.messages.indexOf(tapped!) - 1);
  });

  it("adds the terminal chat's and the simulator API's turns, and a reminder cita sent on its own, to the same conversation", async () => {
    await world.deliver(textMessage('34600000042', 'wamid.B1', 'hola, un corte mañana a las 10'));
    // The terminal chat, as `npm run chat` sends it, then the simulator API.
    await world.cita.converse('34600000042', { kind: 'text', text: 'sí' });
    const response = await world.simulator.request('/simulator/messages', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ phone: '34600000042', replyId: 'MY_BOOKINGS', title: 'Mis citas' }),
    });
    const answer = (await response.json()) as { id: string };
    expect(answer.id).toMatch(/^sim:/);
    const booked = await world.cita.calendar.upcomingFor('34600000042', clock());
    expect(booked).toMatchObject([{ start: '2026-11-25T09:00:00.000Z' }]);

    const before = (await world.messages('34600000042')).body.messages;
    const said = before.filter((message) => message.from === 'customer').map((message) => message.words);
    expect(said).toEqual([
      { kind: 'text', text: 'hola, un corte mañana a las 10' },
      { kind: 'text', text: 'sí' },
      { kind: 'reply', replyId: 'MY_BOOKINGS', title: 'Mis citas' },
    ]);
    expect(before.some((message) => message.id === answer.id)).toBe(true);

    // Two hours before, cita writes on its own: the reminder is in the conversation too.
    clock.set('2026-11-25T07:05:00Z');
    await world.cita.sendDueReminders();
    const after = (await world.messages('34600000042', `?after=${before.at(-1)!.seq}`)).body.messages;
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ from: 'cita', message: { body: expect.stringContaining('10:00') } });
  });

  it('answers an empty conversation for a phone that never wrote, and 400 for a position or phone that is not one', async () => {
    expect((await world.messages('34600000049')).body).toEqual({ phone: '34600000049', messages: [] });
    for (const query of ['?after=-1', '?after=x', '?after=1.5']) {
      const bad = await world.messages('34600000049', query);
      expect(bad.status, query).toBe(400);
      expect(bad.body.error).toMatch(/after/);
    }
    expect((await world.messages('abc')).status).toBe(400);
  });

  it('is not served when WhatsApp is connected', async () => {
    const webhookOnly = createApp(world.cita, { whatsapp: { appSecret: APP_SECRET, verifyToken: VERIFY_TOKEN } });
    expect((await webhookOnly.request('/simulator/conversations/34600000041/messages')).status).toBe(404);
  });
});

describe('a transcript that cannot be written', () => {
  it('never stops a turn, and its warning carries no words and no phone', async () => {
    const failing: Transcripts = {
      append: async () => {
        throw new Error('disk I/O error');
      },
      read: async () => [],
    };
    const cita = testCita({ storesFor: () => ({ transcripts: failing }) });
    const logs = captureLogs();
    try {
      const replies = await cita.converse('34600000051', { kind: 'text', text: 'hola, soy Ramón' });
      expect(replies.length).toBeGreaterThan(0);
    } finally {
      logs.stop();
      await cita.stop();
    }
    const warnings = logs.records().filter((record) => record.event === 'transcript.unwritten');
    // What the customer wrote goes with the replies to it: one write per turn.
    expect(warnings.length).toBeGreaterThanOrEqual(1);
    expect(warnings[0]).toMatchObject({ phoneRef: phoneRef('34600000051') });
    const text = logs.lines.join('\n');
    expect(text).not.toContain('Ramón');
    expect(text).not.toContain('34600000051');
  });
});

describe.skipIf(noBrowser)('the simulator page shows a conversation from any channel, in headless Chromium', () => {
  let world: Awaited<ReturnType<typeof whatsAppAndSimulator>>;
  beforeAll(async () => {
    world = await whatsAppAndSimulator();
  });
  const served = servedInChromium(() => world.simulator.fetch);
  afterAll(() => world.stop());

  /** The title of the option `replyId` in the latest message of the conversation that offered it. */
  async function titleOf(phone: string, replyId: string): Promise<string> {
    const { body } = await world.messages(phone);
    const options = body.messages.flatMap((message) => (message.from === 'cita' ? optionsOf(message.message) : []));
    const option = options.findLast((candidate) => candidate.id === replyId);
    if (!option) throw new Error(`no option ${replyId} was offered`);
    return option.title;
  }

  it('opens on what was said on WhatsApp, buttons and all, and shows new turns from WhatsApp and the terminal chat as they come', async () => {
    const phone = '34600000001';
    await world.deliver(textMessage(phone, 'wamid.C1', 'hola'));
    await world.deliver(listReply(phone, 'wamid.C2', 'SELECT_SERVICE:corte', 'Corte de pelo'));

    const page = await served.browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    const mine = page.locator('.chat .bubble.me');
    const state = page.locator('#state');
    await page.goto(`${served.baseUrl}/`);
    expect(await page.locator('#phone').inputValue()).toBe(phone);

    // On load: the conversation so far, with the list of days still there to tap.
    await expect.poll(() => mine.allTextContents(), { timeout: 10_000 }).toEqual(['hola', 'Corte de pelo']);
    await expect.poll(() => state.textContent(), { timeout: 10_000 }).toBe('choosingDate');
    const tomorrow = page.locator('button[data-reply-id="PICK_DATE:2026-11-25"]');
    const dayTitle = await titleOf(phone, 'PICK_DATE:2026-11-25');
    await tomorrow.click();

    // The page's own turn, once: its copy of the tap gives way to the transcript's.
    const firstTime = page.locator('button[data-reply-id^="PICK_TIME:"]').first();
    await firstTime.waitFor({ timeout: 10_000 });
    expect(await mine.allTextContents()).toEqual(['hola', 'Corte de pelo', dayTitle]);
    const time = (await firstTime.getAttribute('data-reply-id'))!;
    const timeTitle = await titleOf(phone, time);

    // The customer goes on from WhatsApp: the page shows it without being reloaded, panel and all.
    await world.deliver(listReply(phone, 'wamid.C3', time, timeTitle));
    await page.locator('button[data-reply-id="CONFIRM"]').waitFor({ timeout: 10_000 });
    await expect.poll(() => state.textContent(), { timeout: 10_000 }).toBe('confirming');

    // And says yes in the terminal chat.
    await world.cita.converse(phone, { kind: 'text', text: 'sí' });
    await expect
      .poll(() => mine.allTextContents(), { timeout: 10_000 })
      .toEqual(['hola', 'Corte de pelo', dayTitle, timeTitle, 'sí']);
    await expect.poll(() => state.textContent(), { timeout: 10_000 }).toBe('booked');

    // Every message of the transcript is in the chat once, in its order.
    const { body } = await world.messages(phone);
    await expect
      .poll(() => page.evaluate(`[...document.querySelectorAll('.chat [data-entry]')].map((e) => e.dataset.entry)`), {
        timeout: 10_000,
      })
      .toEqual(body.messages.map((message) => message.id));
    expect(await page.locator('.chat .bubble').count()).toBe(body.messages.length);

    const screenshot = join(process.env.CITA_SCREENSHOT_DIR ?? tmpdir(), 'cita-simulator-any-channel.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    console.info(`simulator screenshot: ${screenshot}`);
    expect(problems).toEqual([]);
  });
});
