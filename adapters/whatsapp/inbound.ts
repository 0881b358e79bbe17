import { InboundMessage, isInternal, isSimulated } from '../../src/engine/ports.ts';
import {
  MessagesValue,
  WebhookContact,
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
}

/**
 * One thing a webhook told us: a customer message for the inbox, a status to record, or something
 * that needs no answer (a reaction taken back, a system notice, a message without a phone number).
 */
export type WebhookUpdate =
  | { kind: 'message'; message: InboundMessage }
  | { kind: 'status'; status: MessageStatus }
  | { kind: 'ignored'; reason: string; messageId?: string; type?: string; errors?: WebhookError[] }
  /** Refused at the border: logged and counted, never answered; the rest of the batch goes on. */
  | { kind: 'dropped'; reason: DropReason; messageId?: string };

/** Why an item of a webhook was refused at the border. */
export type DropReason =
  /** A message or status that does not parse (a field of the wrong shape, a timestamp past any date). */
  | 'unreadable'
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

/**
 * Every update of a webhook payload, in the order Meta sent them: all entries, all changes, all
 * messages and statuses. Parsing is per item, so an item we cannot read is reported as ignored
 * instead of failing its neighbours.
 *
 * @example
 * for (const update of readWebhook(payload, new Date())) if (update.kind === 'message') await inbox.accept(update.message);
 */
export function readWebhook(payload: WebhookPayload, now: Date, options: ReadWebhookOptions = {}): WebhookUpdate[] {
  const updates: WebhookUpdate[] = [];
  for (const entry of payload.entry) {
    for (const change of entry.changes) {
      if (change.field !== 'messages') {
        updates.push({ kind: 'ignored', reason: `field "${change.field}" is not handled` });
        continue;
      }
      const value = MessagesValue.safeParse(change.value);
      if (!value.success) {
        updates.push({ kind: 'ignored', reason: 'a "messages" change without a WhatsApp value' });
        continue;
      }
      const number = value.data.metadata?.phone_number_id;
      const shop = options.shopFor?.(number);
      const ours = options.shopFor
        ? shop !== undefined
        : options.phoneNumberId === undefined || number === options.phoneNumberId;
      if (!ours) {
        const items = (value.data.messages?.length ?? 0) + (value.data.statuses?.length ?? 0);
        for (let i = 0; i < items; i++) updates.push({ kind: 'dropped', reason: 'notOurNumber' });
        continue;
      }
      const read = readMessagesValue(value.data, now);
      updates.push(
        ...(shop === undefined
          ? read
          : read.map((update) =>
              update.kind === 'message' ? { ...update, message: { ...update.message, shop } } : update,
            )),
      );
    }
  }
  return updates;
}

function readMessagesValue(value: MessagesValue, now: Date): WebhookUpdate[] {
  const updates: WebhookUpdate[] = [];
  const contacts = (value.contacts ?? []).flatMap((contact) => {
    const parsed = WebhookContact.safeParse(contact);
    return parsed.success ? [parsed.data] : [];
  });
  if (value.errors?.length) {
    updates.push({ kind: 'ignored', reason: 'Meta reported errors for this change', errors: readErrors(value.errors) });
  }
  for (const raw of value.messages ?? []) updates.push(readOne(() => readMessage(raw, contacts, now)));
  for (const raw of value.statuses ?? []) updates.push(readOne(() => readStatus(raw)));
  return updates;
}

/** One item's reading; whatever goes wrong in it (it should not, after zod) costs only that item. */
function readOne(read: () => WebhookUpdate): WebhookUpdate {
  try {
    return read();
  } catch {
    return { kind: 'dropped', reason: 'unreadable' };
  }
}

function readMessage(raw: unknown, contacts: WebhookContact[], now: Date): WebhookUpdate {
  const read = WebhookMessage.safeParse(raw);
  if (!read.success) return { kind: 'dropped', reason: 'unreadable' };
  const message = read.data;
  if (isSimulated(message.id) || isInternal(message.id)) return { kind: 'dropped', reason: 'simulatorId' };
  const about = { messageId: message.id, type: message.type, errors: message.errors };
  if (SILENT_TYPES.has(message.type)) return { kind: 'ignored', reason: `a ${message.type} needs no answer`, ...about };
  if (message.type === 'reaction' && !message.reaction?.emoji) {
    return { kind: 'ignored', reason: 'a reaction taken back needs no answer', ...about };
  }
  // Without a phone number there is nobody cita can answer (Meta may send only a business-scoped user id).
  if (message.from === undefined) return { kind: 'ignored', reason: 'the sender has no phone number', ...about };

  const contact = contacts.find((c) => c.wa_id === message.from) ?? (contacts.length === 1 ? contacts[0] : undefined);
  const candidate = {
    id: message.id,
    phone: message.from,
    receivedAt: (message.timestamp === undefined ? now : new Date(message.timestamp * 1000)).toISOString(),
    customerName: contact?.profile?.name || undefined,
    content: contentOf(message),
  };
  const parsed = InboundMessage.safeParse(candidate);
  if (!parsed.success) return { kind: 'dropped', reason: 'unreadable', messageId: message.id };
  return { kind: 'message', message: parsed.data };
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
    return { kind: 'voice', mediaId: message.audio.id, mimeType: message.audio.mime_type };
  }
  if (message.type === 'reaction' && message.reaction?.emoji) {
    return { kind: 'reaction', messageId: message.reaction.message_id, emoji: message.reaction.emoji };
  }
  const type = message.type === 'unsupported' ? (message.unsupported?.type ?? 'unsupported') : message.type;
  return { kind: 'unsupported', type, ...(message.image ? { mediaId: message.image.id } : {}) };
}

function readStatus(raw: unknown): WebhookUpdate {
  const parsed = WebhookStatus.safeParse(raw);
  if (!parsed.success) return { kind: 'dropped', reason: 'unreadable' };
  const status = parsed.data;
  return {
    kind: 'status',
    status: {
      messageId: status.id,
      status: status.status,
      recipient: status.recipient_id,
      at: status.timestamp === undefined ? undefined : new Date(status.timestamp * 1000).toISOString(),
      errors: status.errors ?? [],
    },
  };
}

function readErrors(errors: unknown[]): WebhookError[] {
  return errors.flatMap((error) => {
    const parsed = WebhookError.safeParse(error);
    return parsed.success ? [parsed.data] : [];
  });
}
