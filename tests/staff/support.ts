import { afterEach, beforeEach, expect } from 'vitest';
import type { ShopConfig, StaffMember } from '../../config/schema.ts';
import type { Interpreter } from '../../src/interpreter/port.ts';
import { createApp } from '../../src/server/app.ts';
import { citaPerTest, fakeClock, shop } from '../support/cita.ts';
import { type CloudApiMessage, type FakeGraphApi, startFakeGraphApi } from '../support/fake-graph-api.ts';
import {
  APP_SECRET,
  buttonReply,
  listReply,
  messagePayload,
  signedPost,
  textMessage,
  turnTracking,
  VERIFY_TOKEN,
} from '../whatsapp/helpers.ts';

export const ACCESS_TOKEN = 'EAAG-staff-test-token';
export const PHONE_NUMBER_ID = '106540352242922';

export const OWNER: StaffMember = { phone: '34611000001', name: 'Paco', role: 'owner' };
export const BARBER: StaffMember = { phone: '34611000002', name: 'Luis', role: 'barber' };
export const CARLOS = '34600000001';
export const ANA = '34600000002';

/** The shop of the tests with staff phones (and any other change). */
export function shopWith(changes: Partial<ShopConfig> = {}): ShopConfig {
  return { ...shop, staff: [OWNER, BARBER], ...changes };
}

/**
 * The staff suites' set-up: a cita per test (`start`) and a fake Graph API per test, closed after
 * it; `graph()` is the running test's.
 */
export function staffSuite() {
  const start = citaPerTest();
  let graph: FakeGraphApi;
  beforeEach(async () => {
    graph = await startFakeGraphApi({ accessToken: ACCESS_TOKEN, phoneNumberId: PHONE_NUMBER_ID });
  });
  afterEach(() => graph.close());
  return { start, graph: () => graph };
}

/**
 * cita wired as `npm start` wires it with WhatsApp, against the fake Graph API, with a shop that
 * has staff. `say`/`tap` post webhook payloads and answer the Cloud API messages their turn sent.
 */
export function staffHarness(
  graph: FakeGraphApi,
  start: ReturnType<typeof citaPerTest>,
  config = shopWith(),
  {
    names = {},
    interpreter,
  }: {
    /** The WhatsApp profile name of each phone that writes; "Carlos" for any other. */
    names?: Record<string, string>;
    /** Rules then the LLM, say; the rule interpreter when absent. */
    interpreter?: Interpreter;
  } = {},
) {
  const clock = fakeClock();
  const { messenger, turnDone } = turnTracking(graph.messenger());
  const cita = start({ shop: config, clock, adapters: { messenger, ...(interpreter && { interpreter }) } });
  const app = createApp(cita, { whatsapp: { appSecret: APP_SECRET, verifyToken: VERIFY_TOKEN } });
  let n = 0;

  async function deliver(payload: unknown, wamid: string): Promise<CloudApiMessage[]> {
    const before = graph.messages.length;
    const done = turnDone(wamid);
    const response = await app.request('/webhook/whatsapp', signedPost(JSON.stringify(payload)));
    expect(response.status).toBe(200);
    await done;
    return graph.messages.slice(before);
  }
  const wamid = () => `wamid.staff${++n}`;
  return {
    cita,
    clock,
    /** A text from `phone`; answers every Cloud API message sent meanwhile (to anyone). */
    say: (phone: string, text: string) => {
      const id = wamid();
      return deliver(textMessage(phone, id, text, names[phone]), id);
    },
    tapButton: (phone: string, replyId: string, title = 'button') => {
      const id = wamid();
      return deliver(buttonReply(phone, id, replyId, title), id);
    },
    /** A quick-reply button of a template, as WhatsApp sends it back: its payload and its text. */
    tapTemplateButton: (phone: string, payload: string, text: string) => {
      const id = wamid();
      return deliver(messagePayload(phone, id, { type: 'button', button: { payload, text } }), id);
    },
    tapRow: (phone: string, replyId: string, title = 'row') => {
      const id = wamid();
      return deliver(listReply(phone, id, replyId, title), id);
    },
  };
}

/** The messages sent to one phone. */
export function to(phone: string, messages: CloudApiMessage[]): CloudApiMessage[] {
  return messages.filter((message) => message.to === phone);
}

/** Everything a message shows: its text and the titles and ids of its buttons or rows. */
export function shown(message: CloudApiMessage): string {
  if (message.type === 'text') return message.text.body;
  if (message.type === 'template')
    return `template ${message.template.name} ${JSON.stringify(message.template.components)}`;
  if (message.type !== 'interactive') return JSON.stringify(message);
  const { interactive } = message;
  const options =
    interactive.type === 'list'
      ? interactive.action.sections.flatMap((s) => s.rows.map((r) => `${r.id} ${r.title} ${r.description ?? ''}`))
      : interactive.action.buttons.map((b) => `${b.reply.id} ${b.reply.title}`);
  return [interactive.body.text, ...options].join('\n');
}

export function allShown(messages: CloudApiMessage[]): string {
  return messages.map(shown).join('\n');
}

/** The ids of the rows or buttons of the messages. */
export function optionIds(messages: CloudApiMessage[]): string[] {
  return messages.flatMap((message) => {
    if (message.type !== 'interactive') return [];
    const { interactive } = message;
    return interactive.type === 'list'
      ? interactive.action.sections.flatMap((s) => s.rows.map((r) => r.id))
      : interactive.action.buttons.map((b) => b.reply.id);
  });
}

/** Waits until the phone's conversation rests in `state` (a hand-back is handled after the staff's turn). */
export async function waitForState(
  cita: { conversations: { load(phone: string): Promise<{ conversation?: { snapshot: unknown } }> } },
  phone: string,
  state: string,
) {
  for (let i = 0; i < 200; i++) {
    const { conversation } = await cita.conversations.load(phone);
    if ((conversation?.snapshot as { value?: unknown } | undefined)?.value === state) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`${phone} never reached ${state}`);
}
