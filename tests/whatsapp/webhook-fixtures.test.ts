import { afterEach, describe, expect, it } from 'vitest';
import { GraphError } from '../../adapters/whatsapp/cloud-api.ts';
import type { MessageStatus } from '../../adapters/whatsapp/inbound.ts';
import { WebhookError } from '../../adapters/whatsapp/webhook-schema.ts';
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
const voice = (mediaId: string, mimeType: string, sha256: string): Partial<InboundMessage> => ({
  ...CUSTOMER,
  content: { kind: 'voice', mediaId, mimeType, sha256 },
});
const USER_ID = 'US.13491208655302741918';
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
  audio: {
    accepted: [
      voice('1234567890987654321', 'audio/ogg; codecs=opus', 'E3dxS/PdYZE7ppA3pQ4mpCFaXBJ8pX4SRN/dsfvds/iPGA='),
    ],
  },
  voice: {
    accepted: [voice('1234567890987654321', 'audio/ogg; codecs=opus', 'm04pFf2ERdaopTyFkGPA0+bX3i+YY2dYgVFwOgDLSDI=')],
  },
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
  // Only a business-scoped user id, no phone number: the user id is the customer.
  netflie_text_bsuid_no_from: {
    accepted: [{ phone: 'BSUID_123', customerName: 'NAME', content: { kind: 'text', text: 'MESSAGE_BODY' } }],
  },
  // These keep Meta's documentation placeholders ("PHONE_NUMBER") as the sender: nobody cita can
  // name, ignored with that reason; see the next suite.
  netflie_text_no_profile: { ignored: 1 },
  netflie_interactive_button_reply: { ignored: 1 },
  netflie_interactive_list_reply: { ignored: 1 },
  netflie_unknown_type: { ignored: 1 },
  batch_two_changes_text: { ignored: 2 },
  order_2: { ignored: 1 },

  // Customers with a WhatsApp user id: the phone when there is one, the user id otherwise.
  text_with_user_id: { accepted: [text('Body Text')] },
  bsuid_button_with_from_and_from_user_id: { accepted: [reply('callback_data', 'title', { id: 'wamid.xsidjx' })] },
  bsuid_text_with_from: {
    accepted: [
      text('this is a text message', {
        phone: '16315551181',
        customerName: 'test user name',
        customerUsername: '@testusername',
      }),
    ],
  },
  bsuid_text_without_from_minimal: {
    accepted: [
      {
        phone: USER_ID,
        customerName: 'Pablo M.',
        customerUsername: 'pablomorales',
        content: { kind: 'text', text: 'BSUID only' },
      },
    ],
  },
  bsuid_text_parent_ids_minimal: {
    accepted: [{ phone: USER_ID, customerName: undefined, content: { kind: 'text', text: 'Parent identity' } }],
  },
  bsuid_contact_user_id_only_no_from: {
    accepted: [{ phone: 'BSUID_123', customerName: 'NAME', content: { kind: 'text', text: 'MESSAGE_BODY' } }],
  },

  // The shop writing from the WhatsApp Business app: queued in the customer's line as the staff's turn.
  echo_text: { accepted: [{ phone: '972987654321', content: { kind: 'staffWrote' } }] },
  echo_edit: { accepted: [{ phone: '972987654321', id: 'wamid.yyyyyy', content: { kind: 'staffWrote' } }] },
  // A message the shop deleted answers nobody.
  echo_revoke: { ignored: 1 },

  // Other kinds: answered by their type (request_welcome greets, an order gets "I can only read…"),
  // or ignored on purpose (a Flow reply, a call permission: cita sends neither).
  button_quick_reply: { accepted: [reply('callback_data', 'title', { id: 'wamid.xsidjw' })] },
  button_quick_reply_2: {
    accepted: [reply('SIM', 'SIM', { phone: '1111111111111', customerName: 'Mauricio Binda' })],
  },
  request_welcome: { accepted: [unsupported('request_welcome')] },
  order: { accepted: [unsupported('order')] },
  unsupported_131051: { accepted: [unsupported('unsupported')] },
  unsupported_131051_with_subtype: { accepted: [unsupported('pool')] },
  unsupported_131051_deleted_message: {
    accepted: [{ phone: '1111111111111', content: { kind: 'unsupported', type: 'unsupported' } }],
  },
  webhook_errors_131000_interactive: { accepted: [unsupported('interactive')], ignored: 1 },
  nfm_reply_flow_2: { ignored: 1 },
  nfm_reply_flow_completion: { ignored: 1 },
  call_permission_reply_accept: { ignored: 1 },
  call_permission_reply_reject: { ignored: 1 },

  // Failed statuses are parsed and counted here; what cita does with them is the outbound side's.
  status_failed_131047: { statuses: [status('failed', { errors: [expect.objectContaining({ code: 131047 })] })] },
  status_failed_131026_minimal: {
    statuses: [status('failed', { errors: [expect.objectContaining({ code: 131026 })] })],
  },
  status_failed_130472: { statuses: [status('failed', { errors: [expect.objectContaining({ code: 130472 })] })] },
};

/** Bodies that are not webhooks at all: Graph API error answers and request bodies cita sends. */
const NOT_WEBHOOKS: Record<string, (json: unknown) => boolean> = {
  send_error_100_invalid_message_id: (json) => GraphError.parse(json).error.code === 100,
  send_error_100_subcode_33: (json) => GraphError.parse(json).error.error_subcode === 33,
  send_error_130429: (json) => GraphError.parse(json).error.code === 130429,
  send_error_190: (json) => GraphError.parse(json).error.code === 190,
  error_object_131047_reengagement: (json) => WebhookError.parse(json).code === 131047,
  error_object_190_expired_token: (json) => WebhookError.parse(json).code === 190,
  typing_indicator_request_pywa: (json) => (json as { typing_indicator?: unknown }).typing_indicator !== undefined,
  typing_indicator_request_recorded: (json) => (json as { typing_indicator?: unknown }).typing_indicator !== undefined,
  typing_indicator_response_recorded: (json) => (json as { success?: unknown }).success === true,
};

describe('the WhatsApp webhook with every stored Cloud API payload', () => {
  it('has an expectation for each of the 75 stored payloads', () => {
    expect(fixtureNames()).toEqual([...Object.keys(EXPECTED), ...Object.keys(NOT_WEBHOOKS)].sort());
    expect(fixtureNames()).toHaveLength(75);
  });

  it.each(Object.entries(NOT_WEBHOOKS))(
    'refuses %s with a 400: it is no webhook, though it parses as what it is',
    async (name, parses) => {
      const { app, inbox } = webhookApp();
      const response = await app.request('/webhook/whatsapp', signedPost(fixtureText(name)));
      expect(response.status).toBe(400);
      expect(inbox.accepted).toEqual([]);
      expect(parses(fixture(name))).toBe(true);
    },
  );

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
