import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ACCESS_TOKEN, CARLOS, OWNER, PHONE_NUMBER_ID, staffHarness } from '../staff/support.ts';
import { citaPerTest } from '../support/cita.ts';
import { type FakeGraphApi, startFakeGraphApi } from '../support/fake-graph-api.ts';

/**
 * "Typing…" (the read receipt with `typing_indicator`, as Meta documents it) goes out at once when
 * a reply will follow, and never when none will: a customer a person has gets no bot answer, so
 * no bot "typing…" either.
 */

const start = citaPerTest();
let graph: FakeGraphApi;
beforeEach(async () => {
  graph = await startFakeGraphApi({ accessToken: ACCESS_TOKEN, phoneNumberId: PHONE_NUMBER_ID });
});
afterEach(() => graph.close());

/** The read receipts sent, by the id of the message they mark read. */
function readReceipts(): Record<string, unknown> {
  return Object.fromEntries(
    graph.requests.flatMap((r) => {
      const body = r.body as { status?: string; message_id?: string };
      return body.status === 'read' ? [[body.message_id, r.body]] : [];
    }),
  );
}

describe('the typing indicator', () => {
  it('shows "typing…" to a customer the bot answers, and nothing while a person has them', async () => {
    const h = staffHarness(graph, start);
    await h.say(OWNER.phone, 'hola');
    await h.say(CARLOS, 'quiero hablar con una persona');
    // wamid.staff2: the customer's request, answered by the bot (it tells them a person will write).
    expect(readReceipts()['wamid.staff2']).toEqual({
      messaging_product: 'whatsapp',
      status: 'read',
      message_id: 'wamid.staff2',
      typing_indicator: { type: 'text' },
    });

    await h.say(CARLOS, 'un corte mañana a las 5');
    // wamid.staff3: held for the person; the bot says nothing, so it shows no "typing…".
    expect(readReceipts()['wamid.staff3']).toBeUndefined();
    // The staff member's own messages are answered: they see "typing…" too.
    expect(readReceipts()['wamid.staff1']).toMatchObject({ typing_indicator: { type: 'text' } });
  });
});
