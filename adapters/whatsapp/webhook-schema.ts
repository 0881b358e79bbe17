import { z } from 'zod';

/**
 * The parts of a WhatsApp Cloud API webhook that cita reads. Every object is loose: Meta adds
 * fields without notice (usernames, business-scoped user ids, pricing models), and a field we do
 * not read must never turn a customer's message into a 400.
 *
 * The envelope is checked strictly enough to tell a WhatsApp payload from anything else; each
 * message and status is parsed on its own, so one odd message cannot hide the others in a batch.
 */

/** The last second a JavaScript Date can hold (8.64e15 ms): anything later cannot be a real send time. */
const LAST_DATE_SECONDS = 8.64e12;

/**
 * Meta sends seconds since the epoch, as a string in its docs and as a number in some payloads.
 * "99999999999999" is digits but no date: it fails here, dropping its one message, rather than
 * throwing later and failing the whole batch.
 */
const EpochSeconds = z
  .union([z.string().regex(/^\d{1,13}$/), z.number().int().nonnegative()])
  .transform(Number)
  .refine((seconds) => seconds <= LAST_DATE_SECONDS, 'a timestamp past the last date JavaScript can hold');

export const WebhookError = z.looseObject({
  code: z.number().int(),
  title: z.string().optional(),
  message: z.string().optional(),
  error_data: z.looseObject({ details: z.string().optional() }).optional(),
});
export type WebhookError = z.infer<typeof WebhookError>;

export const WebhookContact = z.looseObject({
  wa_id: z.string().optional(),
  user_id: z.string().optional(),
  profile: z.looseObject({ name: z.string().optional() }).optional(),
});
export type WebhookContact = z.infer<typeof WebhookContact>;

export const WebhookMessage = z.looseObject({
  id: z.string().min(1),
  /** The customer's phone; absent when Meta only gives a business-scoped user id. */
  from: z.string().optional(),
  timestamp: EpochSeconds.optional(),
  type: z.string(),
  text: z.looseObject({ body: z.string() }).optional(),
  interactive: z
    .looseObject({
      type: z.string(),
      button_reply: z.looseObject({ id: z.string(), title: z.string().optional() }).optional(),
      list_reply: z
        .looseObject({ id: z.string(), title: z.string().optional(), description: z.string().optional() })
        .optional(),
    })
    .optional(),
  /** A voice note (`voice: true`) or another audio file; its bytes are fetched by id. */
  audio: z
    .looseObject({ id: z.string().min(1), mime_type: z.string().optional(), voice: z.boolean().optional() })
    .optional(),
  /** A photo; its id is kept for the staff. */
  image: z.looseObject({ id: z.string().min(1) }).optional(),
  /** An emoji on one of cita's messages; no `emoji` means the customer took their reaction back. */
  reaction: z.looseObject({ message_id: z.string().min(1), emoji: z.string().optional() }).optional(),
  /** A quick-reply button of a template message. */
  button: z.looseObject({ payload: z.string().optional(), text: z.string().optional() }).optional(),
  unsupported: z.looseObject({ type: z.string().optional() }).optional(),
  errors: z.array(WebhookError).optional(),
});
export type WebhookMessage = z.infer<typeof WebhookMessage>;

export const WebhookStatus = z.looseObject({
  /** The id of the message cita sent. */
  id: z.string().min(1),
  status: z.string(),
  timestamp: EpochSeconds.optional(),
  recipient_id: z.string().optional(),
  errors: z.array(WebhookError).optional(),
  /** What cita sent with the message (its outbox id and purpose), given back on each status. */
  biz_opaque_callback_data: z.string().max(512).optional(),
});
export type WebhookStatus = z.infer<typeof WebhookStatus>;

/** The `value` of a change whose field is `messages`; messages and statuses stay unparsed here. */
export const MessagesValue = z.looseObject({
  messaging_product: z.literal('whatsapp'),
  metadata: z.looseObject({ phone_number_id: z.string().optional() }).optional(),
  contacts: z.array(z.unknown()).optional(),
  messages: z.array(z.unknown()).optional(),
  statuses: z.array(z.unknown()).optional(),
  errors: z.array(z.unknown()).optional(),
});
export type MessagesValue = z.infer<typeof MessagesValue>;

export const WebhookPayload = z.looseObject({
  object: z.literal('whatsapp_business_account'),
  entry: z.array(
    z.looseObject({
      id: z.string().optional(),
      changes: z.array(z.looseObject({ field: z.string(), value: z.unknown() })),
    }),
  ),
});
export type WebhookPayload = z.infer<typeof WebhookPayload>;
