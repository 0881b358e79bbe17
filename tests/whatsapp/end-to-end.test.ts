import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { es } from '../../src/messages/es.ts';
import { createApp } from '../../src/server/app.ts';
import { testCita } from '../support/cita.ts';
import { type CloudApiRequest, type FakeGraphApi, startFakeGraphApi } from '../support/fake-graph-api.ts';
import { APP_SECRET, buttonReply, listReply, signedPost, textMessage, turnTracking, VERIFY_TOKEN } from './helpers.ts';

/**
 * A customer books through WhatsApp from end to end: signed webhook payloads in, Cloud API
 * requests out at a fake Graph API, with the real app, inbox, worker, engine and messenger between.
 */

const ACCESS_TOKEN = 'EAAG-test-token';
const PHONE_NUMBER_ID = '106540352242922';
const CARLOS = '34600000001';

let graph: FakeGraphApi;
const running: { stop(): Promise<void> }[] = [];
beforeEach(async () => {
  graph = await startFakeGraphApi({ accessToken: ACCESS_TOKEN, phoneNumberId: PHONE_NUMBER_ID });
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((cita) => cita.stop()));
  await graph.close();
});

/** cita wired as `npm start` wires it with WhatsApp settings, pointed at the fake Graph API. */
function whatsAppCita() {
  const whatsapp = graph.messenger();
  const { messenger, turnDone } = turnTracking(whatsapp);
  const cita = testCita({ adapters: { messenger } });
  running.push(cita);
  const app = createApp(cita, { whatsapp: { appSecret: APP_SECRET, verifyToken: VERIFY_TOKEN } });

  /** Posts a webhook payload as Meta would and returns the Cloud API requests its turn produced. */
  async function deliver(payload: { entry: { changes: { value: { messages: { id: string }[] } }[] }[] }) {
    const wamid = payload.entry[0]!.changes[0]!.value.messages[0]!.id;
    const before = graph.requests.length;
    const done = turnDone(wamid);
    const response = await app.request('/webhook/whatsapp', signedPost(JSON.stringify(payload)));
    expect(response.status).toBe(200);
    await done;
    return graph.requests.slice(before);
  }
  return { cita, app, deliver };
}

function rowIds(request: CloudApiRequest | undefined): string[] {
  if (!request || !('type' in request) || request.type !== 'interactive') return [];
  const { interactive } = request;
  return interactive.type === 'list'
    ? interactive.action.sections.flatMap((s) => s.rows.map((r) => r.id))
    : interactive.action.buttons.map((b) => b.reply.id);
}

describe('booking through WhatsApp', () => {
  it('answers each webhook message at the Cloud API: read receipt first, then the replies in order, within limits', async () => {
    const { cita, deliver } = whatsAppCita();

    const hello = await deliver(textMessage(CARLOS, 'wamid.1', 'hola'));
    expect(hello[0]?.body).toEqual({
      messaging_product: 'whatsapp',
      status: 'read',
      message_id: 'wamid.1',
      typing_indicator: { type: 'text' },
    });
    expect(hello.length).toBeGreaterThan(1);
    expect(hello.slice(1).every((r) => (r.body as { to: string }).to === CARLOS)).toBe(true);

    const service = await deliver(listReply(CARLOS, 'wamid.2', 'SELECT_SERVICE:corte', 'Corte de pelo'));
    expect(service[0]?.body).toMatchObject({ status: 'read', message_id: 'wamid.2' });
    const dayList = service
      .map((r) => r.body as CloudApiRequest)
      .find((b) => rowIds(b).some((id) => id.startsWith('PICK_DATE:')));
    expect(dayList).toMatchObject({ type: 'interactive', interactive: { type: 'list' } });
    const days = rowIds(dayList);
    const tomorrow = days.find((id) => id === 'PICK_DATE:2026-11-25') ?? days[0]!;

    const day = await deliver(listReply(CARLOS, 'wamid.3', tomorrow));
    const slotList = day
      .map((r) => r.body as CloudApiRequest)
      .find((b) => rowIds(b).some((id) => id.startsWith('PICK_TIME:')));
    const time = rowIds(slotList).find((id) => id.startsWith('PICK_TIME:'))!;

    const slot = await deliver(listReply(CARLOS, 'wamid.4', time));
    const confirmation = slot.map((r) => r.body as CloudApiRequest).find((b) => rowIds(b).includes('CONFIRM'));
    expect(confirmation).toMatchObject({ type: 'interactive', interactive: { type: 'button' } });

    await deliver(buttonReply(CARLOS, 'wamid.5', 'CONFIRM', 'Confirmar'));

    // Every request was one a real Graph API takes (the fake refuses bad shapes and broken limits).
    expect(graph.requests.map((r) => r.status).filter((status) => status !== 200)).toEqual([]);
    const appointments = await cita.calendar.upcomingFor(CARLOS, new Date('2026-11-24T00:00:00Z'));
    expect(appointments).toMatchObject([{ serviceId: 'corte', customerName: 'Carlos', phone: CARLOS }]);
    expect(appointments[0]?.start.startsWith(tomorrow.slice('PICK_DATE:'.length))).toBe(true);
  });

  it('answers a photo once, politely, and a reaction to a message that asked nothing not at all', async () => {
    const { deliver } = whatsAppCita();
    const photo = await deliver({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: '1',
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                contacts: [{ profile: { name: 'Carlos' }, wa_id: CARLOS }],
                messages: [{ from: CARLOS, id: 'wamid.P', timestamp: '1795510800', type: 'image', image: { id: '1' } }],
              },
            },
          ],
        },
      ],
    } as never);
    const said = JSON.stringify(photo.slice(1).map((r) => r.body));
    expect(said.split(es.remarks.photo).length - 1).toBe(1);

    const reaction = textMessage(CARLOS, 'wamid.R', 'x');
    reaction.entry[0]!.changes[0]!.value.messages[0] = {
      from: CARLOS,
      id: 'wamid.R',
      timestamp: '1795510800',
      type: 'reaction',
      reaction: { message_id: 'wamid.FAKE1', emoji: '👍' },
    } as never;
    // Accepted, read by the engine as nothing to answer: no read receipt, no reply.
    expect(await deliver(reaction)).toEqual([]);
  });

  it('keeps simulator replies in the process when WhatsApp is connected', async () => {
    const { cita } = whatsAppCita();
    const replies = await cita.converse(CARLOS, { kind: 'text', text: 'hola' });
    expect(replies.length).toBeGreaterThan(0);
    expect(graph.requests).toEqual([]);
  });
});
