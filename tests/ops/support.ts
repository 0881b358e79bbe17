import type { WhatsAppMessengerOptions } from '../../adapters/whatsapp/messenger.ts';
import { log, setLogDestination } from '../../src/log.ts';
import { createApp } from '../../src/server/app.ts';
import type { testCita } from '../support/cita.ts';
import type { FakeGraphApi } from '../support/fake-graph-api.ts';
import { APP_SECRET, signedPost, turnTracking, VERIFY_TOKEN, webhookPayload } from '../whatsapp/helpers.ts';

export const ACCESS_TOKEN = 'EAAG-ops-test-access-token-3f9a';
export const PHONE_NUMBER_ID = '106540352242922';

/**
 * Every log line written until `stop`, at debug level (logs are silent under vitest otherwise).
 *
 * @example
 * const logs = captureLogs();
 * ...
 * logs.stop();
 * logs.events(); // [{ event: 'message.handled', ... }]
 */
export function captureLogs() {
  const lines: string[] = [];
  const level = log.level;
  log.level = 'debug';
  const restore = setLogDestination({ write: (line) => lines.push(line) });
  return {
    lines,
    /** Every line parsed: each must be one JSON object. */
    records: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
    stop() {
      restore();
      log.level = level;
    },
  };
}

/**
 * A WhatsApp message id shaped like Meta's: base64 of a small record that spells the customer's
 * number, as real wamids do (`wamid.HBgL…`).
 */
export function realisticWamid(phone: string, n: number): string {
  const record = `\x1c\x18\x0b${phone}\x15\x02\x00\x12\x18\x14${n.toString(16).padStart(20, '0').toUpperCase()}`;
  return `wamid.${Buffer.from(record, 'latin1').toString('base64')}`;
}

/**
 * cita wired as `npm start` wires it with WhatsApp settings, against the fake Graph API, and a way
 * to deliver a webhook payload and wait until its turn's replies were sent.
 */
export function whatsAppHarness(
  graph: FakeGraphApi,
  start: (options: Parameters<typeof testCita>[0]) => ReturnType<typeof testCita>,
  options: Partial<WhatsAppMessengerOptions> = {},
) {
  const whatsapp = graph.messenger(options);
  const { messenger, turnDone } = turnTracking(whatsapp);
  const cita = start({ adapters: { messenger } });
  const app = createApp(cita, { whatsapp: { appSecret: APP_SECRET, verifyToken: VERIFY_TOKEN } });

  /** Posts a payload as Meta would; with a message in it, waits until that turn's replies went out. */
  async function deliver(payload: unknown, wamid?: string) {
    const done = wamid ? turnDone(wamid) : Promise.resolve();
    const response = await app.request('/webhook/whatsapp', signedPost(JSON.stringify(payload)));
    if (response.status !== 200) throw new Error(`webhook answered ${response.status}: ${await response.text()}`);
    await done;
  }
  return { cita, app, deliver };
}

/** The WhatsApp settings of a server process whose messenger talks to the fake Graph API at `graphUrl`. */
export function whatsAppEnv(graphUrl: string): Record<string, string> {
  return {
    WHATSAPP_ACCESS_TOKEN: ACCESS_TOKEN,
    WHATSAPP_PHONE_NUMBER_ID: PHONE_NUMBER_ID,
    WHATSAPP_APP_SECRET: APP_SECRET,
    WHATSAPP_VERIFY_TOKEN: VERIFY_TOKEN,
    WHATSAPP_API_URL: graphUrl,
  };
}

/** A delivery status of one of cita's messages, as Meta posts it. */
export function statusPayload(recipient: string, messageId: string, status: string, errorCode?: number) {
  return webhookPayload({
    statuses: [
      {
        id: messageId,
        status,
        timestamp: '1795510900',
        recipient_id: recipient,
        ...(errorCode && {
          errors: [{ code: errorCode, title: 'Message failed to send', message: 'Message failed to send' }],
        }),
      },
    ],
  });
}

/**
 * The value of a metric in Prometheus' text format, summed over the series whose labels include
 * `labels`; undefined when no series matches.
 */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  let total: number | undefined;
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map(([, k, v]) => [k, v]));
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) total = (total ?? 0) + Number(match[3]);
  }
  return total;
}
