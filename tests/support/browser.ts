import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';

/**
 * Debian's Chromium driven by playwright-core (no downloaded browsers), for the simulator page's
 * tests. CI must have it, so there a missing one fails the suite; on a developer machine without
 * it the browser suites are skipped with a message.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);

/** For `describe.skipIf`: no Chromium here, and not in CI. */
export const noBrowser = !available && !process.env.CI;
if (noBrowser) {
  console.warn(`simulator page browser tests skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium)`);
}

/**
 * Serves `fetch` on a free local port and opens headless Chromium, both for the whole file (call
 * it inside the `describe`); closed after it.
 *
 * @example
 * const served = servedInChromium(() => createApp(cita).fetch);
 * it('…', async () => { const page = await served.browser.newPage(); await page.goto(served.baseUrl); });
 */
export function servedInChromium(fetch: () => Parameters<typeof serve>[0]['fetch']) {
  let server: ReturnType<typeof serve> | undefined;
  const served = { baseUrl: '', browser: undefined as unknown as Browser };

  beforeAll(async () => {
    if (!available)
      throw new Error(`no Chromium at ${CHROMIUM}: CI needs Debian's chromium (apt-get install -y chromium)`);
    const listening = serve({ fetch: fetch(), port: 0, hostname: '127.0.0.1' });
    server = listening;
    await new Promise((resolve) => listening.once('listening', resolve));
    served.baseUrl = `http://127.0.0.1:${(listening.address() as AddressInfo).port}`;
    served.browser = await chromium.launch({
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
    await served.browser?.close();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  });

  return served;
}
