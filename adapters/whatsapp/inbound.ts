import { PHONE_PATTERN, USER_ID_PATTERN } from '../../machines/customer-id.ts';
import { InboundMessage, isInternal, isSimulated } from '../../src/engine/ports.ts';
import {
  MessagesValue,
  WebhookChange,
  WebhookContact,
  WebhookEcho,
  WebhookEntry,
  WebhookError,
  WebhookMessage,
  type WebhookPayload,
  WebhookStatus,
} from './webhook-schema.ts';

/** What became of one delivery status of a message cita sent. */
export interface MessageStatus {
  /** The wamid of the message cita sent. */
  messageId: string;
  status: string;
  /** The customer's phone (or Meta's id for them); absent in some group statuses. */
  recipient?: string;
  at?: string;
  errors: WebhookError[];
  /** `biz_opaque_callback_data` as cita sent it with the message. */
  callbackData?: string;
}

/**
 * A customer message for the inbox. `message.phone` is who WhatsApp says wrote (their phone, else
 * their user id); `userId` is their user id when WhatsApp gave one, so the webhook can keep a
 * customer seen by both as one (CustomerAliases).
 */
export interface CustomerMessage {
  kind: 'message';
  message: InboundMessage;
  userId?: string;
}

/**
 * One thing a webhook told us: a customer message for the inbox, a status to record, or something
 * that needs no answer (a reaction taken back, a system notice, a message without a phone number).
 */
export type WebhookUpdate =
  | CustomerMessage
  /** `shop`: the shop owning the number the status came on (many shops). */
  | { kind: 'status'; status: MessageStatus; shop?: string }
  | {
      kind: 'ignored';
      reason: string;
      /** The reason as a metric label: a short, fixed word. */
      label: IgnoreLabel;
      messageId?: string;
      type?: string;
      errors?: WebhookError[];
    }
  /** Refused at the border: logged and counted, never answered; the rest of the batch goes on. */
  | { kind: 'dropped'; reason: DropReason; messageId?: string };

/** Why an update needs no answer, for the metrics (one label per kind of reason, never free text). */
export type IgnoreLabel =
  | 'other_field'
  | 'change_errors'
  | 'silent_type'
  | 'reaction_removed'
  | 'no_customer'
  | 'flow_reply'
  | 'call_permission'
  | 'echo_revoke'
  | 'echo_not_to_customer';

/** Why an item of a webhook was refused at the border. */
export type DropReason =
  /** A message that does not parse (a field of the wrong shape, a timestamp past any date). */
  | 'unreadable'
  /** A status, contact, error or echo that does not parse. */
  | 'unreadableStatus'
  | 'unreadableContact'
  | 'unreadableError'
  | 'unreadableEcho'
  /** An entry or change of the wrong shape, or a list (messages, statuses…) that is not a list. */
  | 'unreadableEntry'
  | 'unreadableChange'
  | 'unreadableList'
  /** A change for another business number than ours: never answered from ours. */
  | 'notOurNumber'
  /**
   * A message id in the simulator's form, or in the form of those cita queues itself (a hand-back),
   * which WhatsApp never sends: its replies must not reach a simulator caller or skip the read receipt.
   */
  | 'simulatorId';

export interface ReadWebhookOptions {
  /** Our business number's id: changes for any other (or none) are dropped. Unset: every change is read. */
  phoneNumberId?: string;
  /**
   * The shop owning a business number id, or undefined: that change's items are dropped (a number
   * no shop owns, or one whose file was just removed). Its messages are stamped with the shop.
   */
  shopFor?: (phoneNumberId: string | undefined) => string | undefined;
}

/** Message types the customer does not expect an answer to. */
const SILENT_TYPES = new Set(['system', 'ephemeral', 'deleted', 'revoked']);

/** Longest profile name kept: a longer one is dropped (the message is kept, without a name). */
const NAME_LIMIT = 256;
const USERNAME_LIMIT = 64;

/**
 * Every update of a webhook payload, in the order Meta sent them: all entries, all changes, all
 * messages, echoes and statuses. Parsing is per item (entry, change, message, status, contact), so
 * an item we cannot read is counted as dropped instead of failing its neighbours.
 *
 * @example
 * for (const update of readWebhook(payload, new Date())) if (update.kind === 'message') await inbox.accept(update.message);
 */
export function readWebhook(payload: WebhookPayload, now: Date, options: ReadWebhookOptions = {}): WebhookUpdate[] {
  const updates: WebhookUpdate[] = [];
  for (const rawEntry of payload.entry) {
    const entry = WebhookEntry.safeParse(rawEntry);
    if (!entry.success) {
      updates.push({ kind: 'dropped', reason: 'unreadableEntry' });
      continue;
    }
    for (const rawChange of entry.data.changes) {
      const change = WebhookChange.safeParse(rawChange);
      if (!change.success) {
        updates.push({ kind: 'dropped', reason: 'unreadableChange' });
        continue;
      }
      updates.push(...readChange(change.data, now, options));
    }
  }
  return updates;
}

function readChange(change: WebhookChange, now: Date, options: ReadWebhookOptions): WebhookUpdate[] {
  const echoes = change.field === 'smb_message_echoes';
  if (change.field !== 'messages' && !echoes) {
    return [{ kind: 'ignored', reason: `field "${change.field}" is not handled`, label: 'other_field' }];
  }
  const value = MessagesValue.safeParse(change.value);
  if (!value.success) return [{ kind: 'dropped', reason: 'unreadableChange' }];
  const updates: WebhookUpdate[] = [];
  const list = (field: unknown): unknown[] => {
    if (field === undefined) return [];
    if (Array.isArray(field)) return field;
    updates.push({ kind: 'dropped', reason: 'unreadableList' });
    return [];
  };
  const messages = list(value.data.messages);
  const statuses = list(value.data.statuses);
  const sent = list(value.data.message_echoes);
  const number = stringOf(value.data.metadata?.phone_number_id);
  const shop = options.shopFor?.(number);
  const ours = options.shopFor
    ? shop !== undefined
    : options.phoneNumberId === undefined || number === options.phoneNumberId;
  if (!ours) {
    const items = messages.length + statuses.length + sent.length;
    for (let i = 0; i < items; i++) updates.push({ kind: 'dropped', reason: 'notOurNumber' });
    return updates;
  }
  const contacts = list(value.data.contacts).flatMap((raw) => {
    const parsed = WebhookContact.safeParse(raw);
    if (parsed.success) return [parsed.data];
    updates.push({ kind: 'dropped', reason: 'unreadableContact' });
    return [];
  });
  const errors = list(value.data.errors).flatMap((raw) => {
    const parsed = WebhookError.safeParse(raw);
    if (parsed.success) return [parsed.data];
    updates.push({ kind: 'dropped', reason: 'unreadableError' });
    return [];
  });
  if (errors.length > 0) {
    updates.push({ kind: 'ignored', reason: 'Meta reported errors for this change', label: 'change_errors', errors });
  }
  const read: WebhookUpdate[] = [];
  for (const raw of messages) read.push(readOne('unreadable', () => readMessage(raw, contacts, now)));
  for (const raw of statuses) read.push(readOne('unreadableStatus', () => readStatus(raw)));
  const business = stringOf(value.data.metadata?.display_phone_number);
  for (const raw of sent) read.push(readOne('unreadableEcho', () => readEcho(raw, contacts, business, now)));
  // Messages, echoes and statuses are the shop's owning the number they came on.
  if (shop === undefined) updates.push(...read);
  else {
    for (const update of read) {
      if (update.kind === 'message') updates.push({ ...update, message: { ...update.message, shop } });
      else if (update.kind === 'status') updates.push({ ...update, shop });
      else updates.push(update);
    }
  }
  return updates;
}

/** One item's reading; whatever goes wrong in it (it should not, after zod) costs only that item. */
function readOne(reason: DropReason, read: () => WebhookUpdate): WebhookUpdate {
  try {
    return read();
  } catch {
    return { kind: 'dropped', reason };
  }
}

function readMessage(raw: unknown, contacts: WebhookContact[], now: Date): WebhookUpdate {
  const read = WebhookMessage.safeParse(raw);
  if (!read.success) return { kind: 'dropped', reason: 'unreadable' };
  const message = read.data;
  if (isSimulated(message.id) || isInternal(message.id)) return { kind: 'dropped', reason: 'simulatorId' };
  const about = { messageId: message.id, type: message.type, errors: message.errors };
  if (SILENT_TYPES.has(message.type)) {
    return { kind: 'ignored', reason: `a ${message.type} needs no answer`, label: 'silent_type', ...about };
  }
  if (message.type === 'reaction' && !message.reaction?.emoji) {
    return { kind: 'ignored', reason: 'a reaction taken back needs no answer', label: 'reaction_removed', ...about };
  }
  // cita sends no WhatsApp Flows and never asks to call: such a reply belongs to another tool on the number.
  if (message.interactive?.type === 'nfm_reply') {
    return { kind: 'ignored', reason: 'a WhatsApp Flow reply: cita sends no Flows', label: 'flow_reply', ...about };
  }
  if (message.interactive?.type === 'call_permission_reply') {
    return {
      kind: 'ignored',
      reason: 'an answer to a call permission request: cita never asks to call',
      label: 'call_permission',
      ...about,
    };
  }

  const contact = contactOf(contacts, message.from, message.from_user_id);
  const phone = validPhone(message.from) ?? validPhone(contact?.wa_id);
  const userId =
    validUserId(message.from_user_id) ??
    validUserId(contact?.user_id) ??
    validUserId(message.from_parent_user_id) ??
    validUserId(contact?.parent_user_id);
  const customer = phone ?? userId;
  if (customer === undefined) {
    return { kind: 'ignored', reason: 'WhatsApp named no phone and no user id', label: 'no_customer', ...about };
  }

  const candidate = {
    id: message.id,
    phone: customer,
    receivedAt: (message.timestamp === undefined ? now : new Date(message.timestamp * 1000)).toISOString(),
    customerName: textOf(contact?.profile?.name, NAME_LIMIT),
    customerUsername: textOf(contact?.profile?.username, USERNAME_LIMIT),
    content: contentOf(message),
  };
  const parsed = InboundMessage.safeParse(candidate);
  if (!parsed.success) return { kind: 'dropped', reason: 'unreadable', messageId: message.id };
  return { kind: 'message', message: parsed.data, ...(userId !== undefined && { userId }) };
}

/**
 * An echo of what the shop wrote from the WhatsApp Business app: queued in the customer's own line
 * as `staffWrote`, so a person has them from then on, in order with their messages. A deleted
 * message answers nobody and changes nothing.
 */
function readEcho(raw: unknown, contacts: WebhookContact[], business: string | undefined, now: Date): WebhookUpdate {
  const read = WebhookEcho.safeParse(raw);
  if (!read.success) return { kind: 'dropped', reason: 'unreadableEcho' };
  const echo = read.data;
  if (isSimulated(echo.id) || isInternal(echo.id)) return { kind: 'dropped', reason: 'simulatorId' };
  const about = { messageId: echo.id, type: echo.type };
  if (echo.type === 'revoke') {
    return { kind: 'ignored', reason: 'the shop deleted a message it sent', label: 'echo_revoke', ...about };
  }
  // The customer is `to`; some senders swap the two, so it is whichever is not the shop's own number.
  const notBusiness = (number: string | undefined) => (number === business ? undefined : validPhone(number));
  const contact = contacts.length === 1 ? contacts[0] : undefined;
  const phone = notBusiness(echo.to) ?? notBusiness(echo.from) ?? validPhone(contact?.wa_id);
  const userId =
    validUserId(echo.to_user_id) ??
    validUserId(contact?.user_id) ??
    validUserId(echo.to_parent_user_id) ??
    validUserId(contact?.parent_user_id);
  const customer = phone ?? userId;
  if (customer === undefined) {
    return { kind: 'ignored', reason: 'an echo to nobody cita can name', label: 'echo_not_to_customer', ...about };
  }
  const candidate = {
    id: echo.id,
    phone: customer,
    receivedAt: (echo.timestamp === undefined ? now : new Date(echo.timestamp * 1000)).toISOString(),
    content: { kind: 'staffWrote' },
  };
  const parsed = InboundMessage.safeParse(candidate);
  if (!parsed.success) return { kind: 'dropped', reason: 'unreadableEcho', messageId: echo.id };
  return { kind: 'message', message: parsed.data, ...(userId !== undefined && { userId }) };
}

/** The contact entry of the sender: by phone, by user id, or the only one there is. */
function contactOf(contacts: WebhookContact[], phone?: string, userId?: string): WebhookContact | undefined {
  return (
    contacts.find(
      (c) => (phone !== undefined && c.wa_id === phone) || (userId !== undefined && c.user_id === userId),
    ) ?? (contacts.length === 1 ? contacts[0] : undefined)
  );
}

function validPhone(value: string | undefined): string | undefined {
  return value !== undefined && PHONE_PATTERN.test(value) ? value : undefined;
}

function validUserId(value: string | undefined): string | undefined {
  return value !== undefined && USER_ID_PATTERN.test(value) && !PHONE_PATTERN.test(value) ? value : undefined;
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** A name as the customer set it, or nothing when it is not text or longer than anyone's name. */
function textOf(value: unknown, limit: number): string | undefined {
  return typeof value === 'string' && value.length > 0 && value.length <= limit ? value : undefined;
}

/** Text, taps, voice notes and reactions are read; every other kind is answered by its type (a photo, a location…). */
function contentOf(message: WebhookMessage): InboundMessage['content'] {
  if (message.type === 'text' && message.text) return { kind: 'text', text: message.text.body };
  if (message.type === 'interactive') {
    const reply = message.interactive?.button_reply ?? message.interactive?.list_reply;
    if (reply?.id) return { kind: 'reply', replyId: reply.id, title: reply.title };
  }
  // A template's quick-reply button carries its payload (our id) and the text the customer saw.
  if (message.type === 'button' && message.button) {
    const { payload, text } = message.button;
    if (payload) return { kind: 'reply', replyId: payload, title: text };
    if (text) return { kind: 'text', text };
  }
  if (message.type === 'audio' && message.audio) {
    const { id, mime_type: mimeType, url, sha256 } = message.audio;
    return {
      kind: 'voice',
      mediaId: id,
      mimeType,
      ...(url !== undefined && url.length <= 2048 && URL.canParse(url) ? { url } : {}),
      ...(sha256 !== undefined && sha256.length <= 128 ? { sha256 } : {}),
    };
  }
  if (message.type === 'reaction' && message.reaction?.emoji) {
    return { kind: 'reaction', messageId: message.reaction.message_id, emoji: message.reaction.emoji };
  }
  const type = message.type === 'unsupported' ? (message.unsupported?.type ?? 'unsupported') : message.type;
  return { kind: 'unsupported', type, ...(message.image ? { mediaId: message.image.id } : {}) };
}

function readStatus(raw: unknown): WebhookUpdate {
  const parsed = WebhookStatus.safeParse(raw);
  if (!parsed.success) return { kind: 'dropped', reason: 'unreadableStatus' };
  const status = parsed.data;
  return {
    kind: 'status',
    status: {
      messageId: status.id,
      status: status.status,
      recipient: status.recipient_id,
      at: status.timestamp === undefined ? undefined : new Date(status.timestamp * 1000).toISOString(),
      errors: status.errors ?? [],
      callbackData: status.biz_opaque_callback_data,
    },
  };
}
