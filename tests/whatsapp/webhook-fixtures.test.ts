import { afterEach, describe, expect, it } from 'vitest';
import type { MessageStatus } from '../../adapters/whatsapp/inbound.ts';
import type { InboundMessage } from '../../src/engine/ports.ts';
import { createApp } from '../../src/server/app.ts';
import { testCita } from '../support/cita.ts';
import { APP_SECRET, fixture, fixtureNames, fixtureText, RecordingInbox, signedPost, VERIFY_TOKEN } from './helpers.ts';

/**
 * Every stored webhook payload (real ones, from WhatsApp libraries' test suites; see
 * tests/fixtures/whatsapp/SOURCES.md) goes through the real Hono app, signed as Meta signs it.
 */

const running: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((cita) => cita.stop()));
});

function webhookApp() {
  const inbox = new RecordingInbox();
  const statuses: MessageStatus[] = [];
  const cita = testCita({ adapters: { inbox }, workers: 1 });
  running.push(cita);
  const app = createApp(cita, {
    whatsapp: { appSecret: APP_SECRET, verifyToken: VERIFY_TOKEN, recordStatus: (status) => statuses.push(status) },
  });
  return { app, inbox, statuses };
}

interface Expected {
  accepted?: Partial<InboundMessage>[];
  duplicates?: number;
  statuses?: Partial<MessageStatus>[];
  ignored?: number;
  /** Refused at the border: a sender that is no phone number, say. */
  dropped?: number;
}

const CUSTOMER = { phone: '972987654321', customerName: 'Test Name' };
const text = (body: string, extra: Partial<InboundMessage> = {}): Partial<InboundMessage> => ({
  ...CUSTOMER,
  ...extra,
  content: { kind: 'text', text: body },
});
const reply = (replyId: string, title: string, extra: Partial<InboundMessage> = {}): Partial<InboundMessage> => ({
  ...CUSTOMER,
  ...extra,
  content: { kind: 'reply', replyId, title },
});
const unsupported = (type: string, mediaId?: string): Partial<InboundMessage> => ({
  ...CUSTOMER,
  content: { kind: 'unsupported', type, ...(mediaId ? { mediaId } : {}) },
});
const voice = (mediaId: string, mimeType: string): Partial<InboundMessage> => ({
  ...CUSTOMER,
  content: { kind: 'voice', mediaId, mimeType },
});
const status = (value: string, extra: Partial<MessageStatus> = {}): Partial<MessageStatus> => ({
  status: value,
  ...extra,
});

/** What each stored payload must turn into. A new fixture without a line here fails the suite. */
const EXPECTED: Record<string, Expected> = {
  text: { accepted: [text('Body Text', { id: 'wamid.xyzxyz', receivedAt: '2023-10-11T16:53:43.000Z' })] },
  forwarded_text: { accepted: [text('forwarded text')] },
  reply_text_with_context: { accepted: [text('replied text')] },
  referral_ad_click: { accepted: [text('BODY')] },
  v25_incoming_text: {
    accepted: [
      text('this is a text message', { phone: '16315551181', customerName: 'test user name', id: 'ABGGFlA5Fpa' }),
    ],
  },
  interactive_button_reply: { accepted: [reply('callback_data', 'title')] },
  interactive_list_reply: { accepted: [reply('callback_data', 'title', { id: 'wamid.zyzxyz' })] },
  interactive_list_reply_no_description: { accepted: [reply('callback_data', 'title')] },
  template_quick_reply_button: { accepted: [reply('callback_data', 'title', { id: 'wamid.xsidjw' })] },
  template_quick_reply_button_no_context: { accepted: [reply('callback_data', 'title', { id: 'wamid.xsidjx' })] },
  // Its one contact's wa_id is a placeholder, not the sender: one contact in a change is the sender's.
  netflie_button_with_referral_context: {
    accepted: [reply('No-Button-Payload', 'No', { phone: '16315551234', customerName: 'NAME' })],
  },
  // A photo's media id is kept for the staff; audio (a voice note or not) is fetched by id and transcribed.
  image: { accepted: [unsupported('image', '65463453')] },
  image_with_url: { accepted: [unsupported('image', '65463453')] },
  audio: { accepted: [voice('1234567890987654321', 'audio/ogg; codecs=opus')] },
  voice: { accepted: [voice('1234567890987654321', 'audio/ogg; codecs=opus')] },
  video: { accepted: [unsupported('video')] },
  document: { accepted: [unsupported('document')] },
  sticker: { accepted: [unsupported('sticker')] },
  location_current: { accepted: [unsupported('location')] },
  location_chosen: { accepted: [unsupported('location')] },
  contacts: { accepted: [unsupported('contacts')] },
  unsupported: { accepted: [unsupported('unsupported')] },
  unsupported_with_type: { accepted: [unsupported('pool')] },
  // Meta could not render the interactive message: the customer still gets the polite answer, and
  // the change-level error is noted.
  interactive_missing_body: { accepted: [unsupported('interactive')], ignored: 1 },
  status_sent: { statuses: [status('sent', { messageId: 'wamid.xyzxyz', recipient: '972987654321' })] },
  status_delivered: { statuses: [status('delivered')] },
  status_read: { statuses: [status('read')] },
  status_played: { statuses: [status('played')] },
  status_group_read: { statuses: [status('read', { recipient: 'fowefinoewcnw' })] },
  status_failed: { statuses: [status('failed', { errors: [expect.objectContaining({ code: 130472 })] })] },
  netflie_status_failed: { statuses: [status('failed', { errors: [expect.objectContaining({ code: 131053 })] })] },
  v25_status_sent: { statuses: [status('sent', { messageId: 'ABGGFlA5Fpa', recipient: '16315551181' })] },
  // A reaction may confirm the question it is on (the engine decides); one taken back needs nothing.
  reaction: {
    accepted: [{ ...CUSTOMER, content: { kind: 'reaction', messageId: 'wamid.yzxyzx=', emoji: '😮' } }],
  },
  reaction_removed: { ignored: 1 },
  system_identity_change: { ignored: 1 },
  // Only a business-scoped user id, no phone number: nobody to answer.
  netflie_text_bsuid_no_from: { ignored: 1 },
  // These keep Meta's documentation placeholders ("PHONE_NUMBER") as the sender; see the next suite.
  netflie_text_no_profile: { dropped: 1 },
  netflie_interactive_button_reply: { dropped: 1 },
  netflie_interactive_list_reply: { dropped: 1 },
  netflie_unknown_type: { dropped: 1 },
  batch_two_changes_text: { dropped: 2 },
};

describe('the WhatsApp webhook with every stored Cloud API payload', () => {
  it('has an expectation for each of the 41 stored payloads', () => {
    expect(fixtureNames()).toEqual(Object.keys(EXPECTED).sort());
    expect(fixtureNames()).toHaveLength(41);
  });

  it.each(Object.entries(EXPECTED))('answers 200 to %s and handles it as its kind', async (name, expected) => {
    const { app, inbox, statuses } = webhookApp();

    const response = await app.request('/webhook/whatsapp', signedPost(fixtureText(name)));

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      accepted: expected.accepted?.length ?? 0,
      duplicates: expected.duplicates ?? 0,
      statuses: expected.statuses?.length ?? 0,
      ignored: expected.ignored ?? 0,
      dropped: expected.dropped ?? 0,
    });
    expect(inbox.accepted).toEqual((expected.accepted ?? []).map((message) => expect.objectContaining(message)));
    expect(statuses).toEqual((expected.statuses ?? []).map((s) => expect.objectContaining(s)));
  });
});

/** Replaces Meta's documentation placeholders for the sender with a real-shaped phone number. */
function withSender(name: string, phone: string) {
  const payload = fixture(name);
  for (const entry of payload.entry) {
    for (const change of entry.changes) {
      for (const contact of change.value.contacts ?? []) contact.wa_id = phone;
      for (const message of change.value.messages ?? []) message.from = phone;
    }
  }
  return JSON.stringify(payload);
}

describe('the placeholder payloads, given a real sender', () => {
  const phone = '15550001234';

  it.each([
    ['netflie_text_no_profile', { phone, customerName: undefined, content: { kind: 'text', text: 'MESSAGE_BODY' } }],
    [
      'netflie_interactive_button_reply',
      {
        phone,
        customerName: 'NAME',
        content: { kind: 'reply', replyId: 'unique-button-identifier-here', title: 'button-text' },
      },
    ],
    [
      'netflie_interactive_list_reply',
      { phone, customerName: 'NAME', content: { kind: 'reply', replyId: 'list_reply_id', title: 'list_reply_title' } },
    ],
    ['netflie_unknown_type', { phone, content: { kind: 'unsupported', type: 'unknown' } }],
  ] as const)('accepts %s as its kind', async (name, message) => {
    const { app, inbox } = webhookApp();
    const response = await app.request('/webhook/whatsapp', signedPost(withSender(name, phone)));
    expect(response.status).toBe(200);
    expect(inbox.accepted).toEqual([expect.objectContaining(message)]);
    // Integer timestamps (netflie's payloads) are read as seconds, like string ones.
    if (name !== 'netflie_text_no_profile' && name !== 'netflie_unknown_type') {
      expect(inbox.accepted[0]?.receivedAt).toBe('2022-11-23T20:02:58.000Z');
    }
  });

  it('accepts a message once when two changes of one POST carry the same wamid', async () => {
    const { app, inbox } = webhookApp();
    const response = await app.request('/webhook/whatsapp', signedPost(withSender('batch_two_changes_text', phone)));
    expect(await response.json()).toMatchObject({ accepted: 1, duplicates: 1 });
    expect(inbox.accepted.map((m) => m.content)).toEqual([{ kind: 'text', text: 'MESSAGE_BODY' }]);
  });
});
