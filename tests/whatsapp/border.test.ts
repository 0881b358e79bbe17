import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { readWebhook } from '../../adapters/whatsapp/inbound.ts';
import { matchesDigest } from '../../adapters/whatsapp/media.ts';
import { WebhookPayload } from '../../adapters/whatsapp/webhook-schema.ts';
import { createApp } from '../../src/server/app.ts';
import { testCita } from '../support/cita.ts';
import { APP_SECRET, RecordingInbox, signedPost, VERIFY_TOKEN, webhookPayload } from './helpers.ts';

const running: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((cita) => cita.stop()));
});

const OURS = '106540352242922';

function webhookApp() {
  const inbox = new RecordingInbox();
  const cita = testCita({ adapters: { inbox }, workers: 1 });
  running.push(cita);
  const app = createApp(cita, { whatsapp: { appSecret: APP_SECRET, verifyToken: VERIFY_TOKEN, phoneNumberId: OURS } });
  return { app, inbox, cita };
}

const good = (id = 'wamid.GOOD') => ({
  from: '34600000001',
  id,
  timestamp: '1795510800',
  type: 'text',
  text: { body: 'hola' },
});

async function dropped(cita: ReturnType<typeof webhookApp>['cita']) {
  const { values } = await cita.metrics.inboundDropped.get();
  return Object.fromEntries(values.map(({ labels, value }) => [String(labels.reason), value]));
}

describe('one bad message in a batch', () => {
  it('is dropped and counted, and the good message beside it is accepted with a 200', async () => {
    const { app, inbox, cita } = webhookApp();
    const payload = webhookPayload({ messages: [{ ...good('wamid.BAD'), timestamp: '99999999999999' }, good()] });

    const response = await app.request('/webhook/whatsapp', signedPost(JSON.stringify(payload)));

    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ accepted: 1, dropped: 1 });
    expect(inbox.accepted.map((message) => message.id)).toEqual(['wamid.GOOD']);
    expect(await dropped(cita)).toEqual({ unreadable: 1 });
  });

  it('drops a status with an impossible timestamp and keeps the others', async () => {
    const { app } = webhookApp();
    const status = { id: 'wamid.S', status: 'delivered', recipient_id: '34600000001' };
    const payload = webhookPayload({
      statuses: [
        { ...status, timestamp: 9e15 },
        { ...status, timestamp: '1795510800' },
      ],
    });

    const response = await app.request('/webhook/whatsapp', signedPost(JSON.stringify(payload)));

    expect(await response.json()).toMatchObject({ statuses: 1, dropped: 1 });
  });
});

describe('a change for another business number', () => {
  it('is never answered from ours: its messages are dropped, logged and counted', async () => {
    const { app, inbox, cita } = webhookApp();
    const payload = webhookPayload({ messages: [good()] });
    payload.entry[0]!.changes[0]!.value.metadata.phone_number_id = '999999999999999';

    const response = await app.request('/webhook/whatsapp', signedPost(JSON.stringify(payload)));

    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ accepted: 0, dropped: 1 });
    expect(inbox.accepted).toEqual([]);
    expect(await dropped(cita)).toEqual({ not_our_number: 1 });
  });
});

describe('a message id in the simulator’s form', () => {
  it('is refused at the webhook, so its replies can never go to a simulator caller', async () => {
    const { app, inbox, cita } = webhookApp();
    const payload = webhookPayload({ messages: [good('sim:00000000-0000-0000-0000-000000000000'), good()] });

    await app.request('/webhook/whatsapp', signedPost(JSON.stringify(payload)));

    expect(inbox.accepted.map((message) => message.id)).toEqual(['wamid.GOOD']);
    expect(await dropped(cita)).toEqual({ simulator_id: 1 });
  });
});

describe('a POST with thousands of items', () => {
  it('lets the server answer other requests while it is handled', async () => {
    const { app } = webhookApp();
    const statuses = Array.from({ length: 5_000 }, (_, i) => ({
      id: `wamid.S${i}`,
      status: 'delivered',
      timestamp: '1795510900',
      recipient_id: '34600000001',
    }));
    const body = JSON.stringify(webhookPayload({ statuses }));
    expect(body.length).toBeLessThan(1024 * 1024);

    const finished: string[] = [];
    const big = Promise.resolve(app.request('/webhook/whatsapp', signedPost(body))).then(async (response) => {
      finished.push('batch');
      return response.json();
    });
    // Sent once the batch is being handled: it must not wait for all 5,000 statuses.
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    const health = Promise.resolve(app.request('/healthz')).then(() => finished.push('health'));

    await Promise.all([big, health]);
    expect(finished).toEqual(['health', 'batch']);
    expect(await big).toMatchObject({ statuses: 5_000 });
  });
});

/** Any JSON value at all, as a hostile or broken sender might put in a field. */
const junk = fc.oneof(fc.jsonValue(), fc.constantFrom('99999999999999', -1, 1e308, '', 'sim:x', null));

/** A valid message with one field replaced by junk (or removed, or one junk field added). */
const mutatedMessage = fc
  .tuple(
    fc.constantFrom('from', 'id', 'timestamp', 'type', 'text', 'interactive', 'button', 'extra'),
    junk,
    fc.boolean(),
  )
  .map(([field, value, remove]) => {
    const message: Record<string, unknown> = { ...good('wamid.MUTATED') };
    if (remove) delete message[field];
    else message[field] = value;
    return message;
  });

describe('the webhook parser, fed random and mutated payloads', () => {
  it('never throws past the border and never loses the valid message of the same batch', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(junk, mutatedMessage), { maxLength: 6 }), fc.nat(6), (bad, at) => {
        const messages = [...bad];
        messages.splice(Math.min(at, messages.length), 0, good());
        const payload = WebhookPayload.parse(webhookPayload({ messages, statuses: bad }));
        const updates = readWebhook(payload, new Date('2026-11-24T09:00:00Z'), { phoneNumberId: OURS });
        const accepted = updates.flatMap((update) => (update.kind === 'message' ? [update.message.id] : []));
        expect(accepted).toContain('wamid.GOOD');
        expect(updates).toHaveLength(messages.length + bad.length);
      }),
      { numRuns: 500 },
    );
  });

  it('answers any signed body with 200, 400 or 413, never a 500', async () => {
    const { app, inbox } = webhookApp();
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          junk.map((value) => ({ body: JSON.stringify(value) ?? 'null', withGood: false })),
          fc.array(fc.oneof(junk, mutatedMessage), { maxLength: 4 }).map((bad) => ({
            body: JSON.stringify(webhookPayload({ messages: [...bad, good(`wamid.GOOD${++run}`)] })),
            withGood: true,
          })),
          fc.string().map((body) => ({ body, withGood: false })),
        ),
        async ({ body, withGood }) => {
          inbox.accepted.length = 0;
          const response = await app.request('/webhook/whatsapp', signedPost(body));
          expect([200, 400, 413]).toContain(response.status);
          if (withGood) {
            expect(response.status).toBe(200);
            expect(inbox.accepted.some((message) => message.id.startsWith('wamid.GOOD'))).toBe(true);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('a good message beside bad siblings (issue 25)', () => {
  it.each([
    ['contacts of the wrong type', { contacts: 'nope' }, 'unreadable_list'],
    ['statuses of the wrong type', { statuses: { id: 1 } }, 'unreadable_list'],
    ['errors of the wrong type', { errors: 42 }, 'unreadable_list'],
    ['a contact of the wrong shape', { contacts: [{ wa_id: 5 }] }, 'unreadable_contact'],
  ])('keeps the message when %s sit beside it, and counts them', async (_what, sibling, label) => {
    const { app, inbox, cita } = webhookApp();
    const payload = webhookPayload({ messages: [good()] });
    Object.assign(payload.entry[0]!.changes[0]!.value, sibling);

    const response = await app.request('/webhook/whatsapp', signedPost(JSON.stringify(payload)));

    expect(response.status).toBe(200);
    expect(inbox.accepted.map((message) => message.id)).toEqual(['wamid.GOOD']);
    expect(await dropped(cita)).toEqual({ [label]: 1 });
  });

  it('answers 200 and keeps the message when a sibling entry or change has the wrong shape', async () => {
    const { app, inbox, cita } = webhookApp();
    const payload = webhookPayload({ messages: [good()] }) as { entry: unknown[] } & ReturnType<typeof webhookPayload>;
    payload.entry[0]!.changes.push('not a change' as never);
    payload.entry.push({ id: 'x', changes: 'not a list' });

    const response = await app.request('/webhook/whatsapp', signedPost(JSON.stringify(payload)));

    expect(response.status).toBe(200);
    expect(inbox.accepted.map((message) => message.id)).toEqual(['wamid.GOOD']);
    expect(await dropped(cita)).toEqual({ unreadable_change: 1, unreadable_entry: 1 });
  });

  it('keeps a message whose profile name is over 256 characters, without the name', async () => {
    const { app, inbox } = webhookApp();
    const payload = webhookPayload({ messages: [good()] });
    Object.assign(payload.entry[0]!.changes[0]!.value, {
      contacts: [{ wa_id: '34600000001', profile: { name: 'x'.repeat(300) } }],
    });

    await app.request('/webhook/whatsapp', signedPost(JSON.stringify(payload)));

    expect(inbox.accepted).toEqual([expect.objectContaining({ id: 'wamid.GOOD', customerName: undefined })]);
  });

  it('answers 400 only to a body that is no WhatsApp webhook at all', async () => {
    const { app } = webhookApp();
    const response = await app.request('/webhook/whatsapp', signedPost(JSON.stringify({ object: 'page', entry: [] })));
    expect(response.status).toBe(400);
  });

  it('never loses the valid message whatever its change’s lists and siblings hold', () => {
    fc.assert(
      fc.property(junk, junk, junk, junk, (contacts, statuses, errors, sibling) => {
        const payload = webhookPayload({ messages: [good()] }) as ReturnType<typeof webhookPayload> & {
          entry: unknown[];
        };
        Object.assign(payload.entry[0]!.changes[0]!.value, { contacts, statuses, errors });
        payload.entry.push(sibling);
        payload.entry[0]!.changes.push(sibling as never);
        const parsed = WebhookPayload.parse(JSON.parse(JSON.stringify(payload)));
        const updates = readWebhook(parsed, new Date('2026-11-24T09:00:00Z'), { phoneNumberId: OURS });
        expect(updates.some((u) => u.kind === 'message' && u.message.id === 'wamid.GOOD')).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe('the SHA-256 of a media file', () => {
  it('matches given in hex (the media lookup) or base64 (the webhook), compared as bytes', () => {
    const bytes = new TextEncoder().encode('a voice note');
    const digest = createHash('sha256').update(bytes).digest();
    expect(matchesDigest(bytes, digest.toString('hex'))).toBe(true);
    expect(matchesDigest(bytes, digest.toString('hex').toUpperCase())).toBe(true);
    expect(matchesDigest(bytes, digest.toString('base64'))).toBe(true);
    expect(matchesDigest(bytes, createHash('sha256').update('other').digest('base64'))).toBe(false);
  });
});
