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
  /** The customer's business-scoped user id; `parent_user_id` when the business has linked portfolios. */
  user_id: z.string().optional(),
  parent_user_id: z.string().optional(),
  /** Names are read for what they are worth: a name of the wrong shape costs the name, never the message. */
  profile: z.looseObject({ name: z.unknown().optional(), username: z.unknown().optional() }).optional(),
});
export type WebhookContact = z.infer<typeof WebhookContact>;

export const WebhookMessage = z.looseObject({
  id: z.string().min(1),
  /** The customer's phone; absent when Meta only gives a business-scoped user id. */
  from: z.string().optional(),
  /** The customer's business-scoped user id (and its parent's), sent with or without `from`. */
  from_user_id: z.string().optional(),
  from_parent_user_id: z.string().optional(),
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
      /** The reply to a WhatsApp Flow (`nfm_reply`) or to a request to call (`call_permission_reply`). */
      nfm_reply: z.unknown().optional(),
      call_permission_reply: z.unknown().optional(),
    })
    .optional(),
  /** A voice note (`voice: true`) or another audio file; its bytes are fetched by id. */
  audio: z
    .looseObject({
      id: z.string().min(1),
      mime_type: z.string().optional(),
      voice: z.boolean().optional(),
      /** Newer webhooks carry the download URL itself: no lookup needed. */
      url: z.string().optional(),
      /** SHA-256 of the file, base64 here (hex in the media lookup's answer). */
      sha256: z.string().optional(),
    })
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

/**
 * A message the shop sent from the WhatsApp Business app (or a linked device) on a number also
 * connected to the Cloud API: an `smb_message_echoes` change. `to` is the customer.
 */
export const WebhookEcho = z.looseObject({
  id: z.string().min(1),
  from: z.string().optional(),
  to: z.string().optional(),
  to_user_id: z.string().optional(),
  to_parent_user_id: z.string().optional(),
  timestamp: EpochSeconds.optional(),
  type: z.string(),
});
export type WebhookEcho = z.infer<typeof WebhookEcho>;

/**
 * The `value` of a `messages` or `smb_message_echoes` change. Its lists stay unparsed here: each
 * item is read on its own, and a list of the wrong type costs that list, never its neighbours.
 */
export const MessagesValue = z.looseObject({
  /** Absent in some real payloads; anything but "whatsapp" is not a WhatsApp change. */
  messaging_product: z.literal('whatsapp').optional(),
  metadata: z
    .looseObject({ phone_number_id: z.unknown().optional(), display_phone_number: z.unknown().optional() })
    .optional(),
  contacts: z.unknown().optional(),
  messages: z.unknown().optional(),
  statuses: z.unknown().optional(),
  errors: z.unknown().optional(),
  message_echoes: z.unknown().optional(),
});
export type MessagesValue = z.infer<typeof MessagesValue>;

export const WebhookChange = z.looseObject({ field: z.string(), value: z.unknown() });
export type WebhookChange = z.infer<typeof WebhookChange>;

export const WebhookEntry = z.looseObject({ id: z.unknown().optional(), changes: z.array(z.unknown()) });

/**
 * What tells a WhatsApp webhook from anything else: the object and a list of entries. Entries and
 * changes are read one by one (a malformed sibling must not turn the valid ones into a 400, which
 * Meta would redeliver, failing, for days).
 */
export const WebhookPayload = z.looseObject({
  object: z.literal('whatsapp_business_account'),
  entry: z.array(z.unknown()),
});
export type WebhookPayload = z.infer<typeof WebhookPayload>;
