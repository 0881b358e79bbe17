import { FormData } from 'undici';
import { z } from 'zod';
import { isUserId } from '../../machines/customer-id.ts';
import type { OutboundMessage } from '../../src/messages/whatsapp.ts';

/**
 * The Cloud API's side of the border: the JSON body of `POST /{phone-number-id}/messages` for each
 * of cita's message shapes, and the answers Meta gives.
 */

/** The Graph API version cita was written against; `WHATSAPP_API_VERSION` overrides it. */
export const DEFAULT_GRAPH_API_VERSION = 'v25.0';
export const DEFAULT_GRAPH_API_BASE_URL = 'https://graph.facebook.com';

/**
 * The request body that sends `message` to the customer: `to` their phone, or, for a customer
 * known only by their WhatsApp user id, `recipient` (Meta: "to" for phone numbers, "recipient" for
 * business-scoped user ids; with both, "to" wins).
 */
export function cloudApiMessage(phone: string, message: OutboundMessage, mediaId?: string) {
  const envelope = {
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    ...(isUserId(phone) ? { recipient: phone } : { to: phone }),
  } as const;
  switch (message.kind) {
    case 'text':
      return { ...envelope, type: 'text', text: { body: message.body, preview_url: false } } as const;
    case 'buttons':
      return {
        ...envelope,
        type: 'interactive',
        interactive: {
          type: 'button',
          body: { text: message.body },
          action: { buttons: message.buttons.map(({ id, title }) => ({ type: 'reply', reply: { id, title } })) },
        },
      } as const;
    case 'list':
      return {
        ...envelope,
        type: 'interactive',
        interactive: {
          type: 'list',
          body: { text: message.body },
          action: {
            button: message.button,
            sections: message.sections.map((section) => ({
              ...(section.title ? { title: section.title } : {}),
              rows: section.rows.map(({ id, title, description }) => ({
                id,
                title,
                ...(description ? { description } : {}),
              })),
            })),
          },
        },
      } as const;
    case 'location': {
      const { latitude, longitude, name, address } = message;
      return { ...envelope, type: 'location', location: { latitude, longitude, name, address } } as const;
    }
    case 'document':
      return {
        ...envelope,
        type: 'document',
        document: {
          id: uploaded(mediaId),
          filename: message.filename,
          ...(message.caption && { caption: message.caption }),
        },
      } as const;
    case 'template':
      return {
        ...envelope,
        type: 'template',
        template: {
          name: message.name,
          language: { code: message.language },
          components: [
            // A Document header's file, uploaded first like a document message's.
            ...(message.document
              ? [
                  {
                    type: 'header',
                    parameters: [
                      { type: 'document', document: { id: uploaded(mediaId), filename: message.document.filename } },
                    ],
                  },
                ]
              : []),
            { type: 'body', parameters: message.parameters.map((text) => ({ type: 'text', text })) },
            ...message.buttons.map(({ id }, index) => ({
              type: 'button',
              sub_type: 'quick_reply',
              index: String(index),
              parameters: [{ type: 'payload', payload: id }],
            })),
          ],
        },
      } as const;
  }
}

/**
 * The document types Meta takes (its "Supported media types"); anything else is refused at upload
 * with error 100 ("Param file must be a file with one of the following types…").
 */
const DOCUMENT_TYPES = new Set([
  'text/plain',
  'application/pdf',
  'application/msword',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.ms-excel',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.ms-powerpoint',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
]);

/**
 * The type a document is uploaded as. Meta does not take `text/calendar`, so an .ics goes up as
 * what it also is, plain text; the filename's `.ics` is what makes the customer's phone open it
 * with their calendar.
 */
export function uploadType(mimeType: string): string {
  return DOCUMENT_TYPES.has(mimeType) ? mimeType : 'text/plain';
}

/**
 * The multipart body of `POST /{phone-number-id}/media`, which answers `{ id }`: the media id a
 * document message is sent by (uploaded media lives 30 days).
 */
export function cloudApiUpload(document: { filename: string; mimeType: string; content: string }): FormData {
  const type = uploadType(document.mimeType);
  const form = new FormData();
  form.set('messaging_product', 'whatsapp');
  form.set('type', type);
  form.set('file', new Blob([document.content], { type }), document.filename);
  return form;
}

/** Meta's answer to an upload. */
export const UploadedMedia = z.looseObject({ id: z.string().min(1) });

function uploaded(mediaId: string | undefined): string {
  if (mediaId === undefined) throw new Error('a file is uploaded first (POST /{phone-number-id}/media)');
  return mediaId;
}

/** The file a message carries, to upload before it is sent: a document's, or a template's Document header's. */
export function fileOf(message: OutboundMessage): { filename: string; mimeType: string; content: string } | undefined {
  if (message.kind === 'document') return message;
  if (message.kind === 'template') return message.document;
  return undefined;
}

/** What a message cita sent was for: told back with its statuses, so a failure is matched to it. */
export const MessageTag = z.object({
  /** The outbox id: the turn's customer message and the reply's place in it, or a one-off id. */
  o: z.string().min(1).max(300),
  /** The recipient, as cita sent to them. */
  c: z.string().min(1).max(64),
  /** reply: an answer in a conversation; reminder; customerNotice: a change the staff made; staffNotice. */
  p: z.enum(['reply', 'reminder', 'customerNotice', 'staffNotice']),
  /** The appointment it is about, when there is one. */
  b: z.string().max(64).optional(),
  /** The staff member who asked for it (a cancellation or move they made). */
  s: z.string().max(64).optional(),
});
export type MessageTag = z.infer<typeof MessageTag>;

/** `biz_opaque_callback_data` holds at most 512 characters; WhatsApp gives it back on every status. */
export function callbackData(tag: MessageTag): string {
  return JSON.stringify(tag).slice(0, 512);
}

/** The tag back from a status's `biz_opaque_callback_data`; undefined for one cita did not write. */
export function readCallbackData(data: string | undefined): MessageTag | undefined {
  if (data === undefined || !data.startsWith('{')) return undefined;
  try {
    const tag = MessageTag.safeParse(JSON.parse(data));
    return tag.success ? tag.data : undefined;
  } catch {
    return undefined;
  }
}

/** Marks the customer's message read (blue ticks) and shows "typing…" until we answer or 25 s pass. */
export function cloudApiReadWithTyping(messageId: string) {
  return { messaging_product: 'whatsapp', status: 'read', message_id: messageId, typing_indicator: { type: 'text' } };
}

/**
 * Meta's refusal of a kind of message for a customer known only by a user id (authentication
 * templates with one-tap, zero-tap or copy-code buttons need a phone number).
 */
export const USER_ID_NOT_SUPPORTED = 131062;

/** Meta's answer to a message sent. */
export const SentMessage = z.looseObject({
  messages: z.array(z.looseObject({ id: z.string() })).min(1),
});

/** Graph API errors: `{ error: { message, type, code, error_data: { details } } }`. */
export const GraphError = z.looseObject({
  error: z.looseObject({
    message: z.string().optional(),
    type: z.string().optional(),
    code: z.number().int(),
    error_subcode: z.number().int().optional(),
    error_data: z.looseObject({ details: z.string().optional() }).optional(),
    fbtrace_id: z.string().optional(),
  }),
});
export type GraphError = z.infer<typeof GraphError>;
