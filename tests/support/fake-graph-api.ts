import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { z } from 'zod';
import { WhatsAppMessenger, type WhatsAppMessengerOptions } from '../../adapters/whatsapp/messenger.ts';
import { signatureFor } from '../../adapters/whatsapp/signature.ts';

/**
 * A local stand-in for Meta's Graph API `POST /{version}/{phone-number-id}/messages`. It checks
 * what the real one would refuse (bearer token, path, message shapes and WhatsApp's limits) from
 * Meta's documentation, independently of cita's own mapping, records every request, and can be
 * told to fail the next requests.
 */

const Envelope = {
  messaging_product: z.literal('whatsapp'),
  recipient_type: z.literal('individual').optional(),
  /** Given back on every status webhook of the message; Meta takes up to 512 characters. */
  biz_opaque_callback_data: z.string().max(512).optional(),
};
const To = z.string().regex(/^\d{6,15}$/);
/** A business-scoped user id, for a customer WhatsApp gives no phone of (Meta: `recipient` instead of `to`). */
const Recipient = z.string().regex(/^(?=.*[A-Za-z])[A-Za-z0-9][A-Za-z0-9._-]{1,159}$/);
const ReplyId = z.string().min(1).max(256);

const TextRequest = z.strictObject({
  ...Envelope,
  to: To.optional(),
  recipient: Recipient.optional(),
  type: z.literal('text'),
  text: z.strictObject({ body: z.string().min(1).max(4096), preview_url: z.boolean().optional() }),
});

const ButtonRequest = z.strictObject({
  ...Envelope,
  to: To.optional(),
  recipient: Recipient.optional(),
  type: z.literal('interactive'),
  interactive: z.strictObject({
    type: z.literal('button'),
    body: z.strictObject({ text: z.string().min(1).max(1024) }),
    action: z.strictObject({
      buttons: z
        .array(
          z.strictObject({
            type: z.literal('reply'),
            reply: z.strictObject({ id: ReplyId, title: z.string().min(1).max(20) }),
          }),
        )
        .min(1)
        .max(3),
    }),
  }),
});

const ListRequest = z.strictObject({
  ...Envelope,
  to: To.optional(),
  recipient: Recipient.optional(),
  type: z.literal('interactive'),
  interactive: z.strictObject({
    type: z.literal('list'),
    body: z.strictObject({ text: z.string().min(1).max(4096) }),
    action: z
      .strictObject({
        button: z.string().min(1).max(20),
        sections: z
          .array(
            z.strictObject({
              title: z.string().min(1).max(24).optional(),
              rows: z
                .array(
                  z.strictObject({
                    id: z.string().min(1).max(200),
                    title: z.string().min(1).max(24),
                    description: z.string().max(72).optional(),
                  }),
                )
                .min(1),
            }),
          )
          .min(1)
          .max(10),
      })
      .refine((action) => action.sections.flatMap((s) => s.rows).length <= 10, 'at most 10 rows in all')
      .refine((action) => action.sections.length === 1 || action.sections.every((s) => s.title), 'sections need titles')
      .refine((action) => {
        const ids = action.sections.flatMap((s) => s.rows.map((r) => r.id));
        return new Set(ids).size === ids.length;
      }, 'row ids must be unique'),
  }),
});

/** A template message: Meta's documented shape, with body text parameters and quick-reply payloads. */
const TemplateRequest = z.strictObject({
  ...Envelope,
  to: To.optional(),
  recipient: Recipient.optional(),
  type: z.literal('template'),
  template: z.strictObject({
    name: z.string().min(1).max(512),
    language: z.strictObject({ code: z.string().min(2) }),
    components: z
      .array(
        z.union([
          /** A media header's file: a template made with a Document header takes exactly one. */
          z.strictObject({
            type: z.literal('header'),
            parameters: z
              .array(
                z.strictObject({
                  type: z.literal('document'),
                  document: z
                    .strictObject({
                      id: z.string().min(1).optional(),
                      link: z.url().optional(),
                      filename: z.string().min(1).optional(),
                    })
                    .refine((document) => (document.id === undefined) !== (document.link === undefined), 'id or link'),
                }),
              )
              .length(1),
          }),
          z.strictObject({
            type: z.literal('body'),
            parameters: z.array(z.strictObject({ type: z.literal('text'), text: z.string().min(1) })),
          }),
          z.strictObject({
            type: z.literal('button'),
            sub_type: z.literal('quick_reply'),
            index: z.string().regex(/^[0-9]$/),
            parameters: z.array(z.strictObject({ type: z.literal('payload'), payload: z.string().min(1) })).length(1),
          }),
        ]),
      )
      .optional(),
  }),
});

/** Degrees as Meta takes them: a number, or a string of one ("<LOCATION_LATITUDE>" in its docs). */
const Degrees = (limit: number) =>
  z
    .union([
      z.number(),
      z
        .string()
        .regex(/^-?\d+(\.\d+)?$/)
        .transform(Number),
    ])
    .refine((degrees) => Math.abs(degrees) <= limit, `must be between -${limit} and ${limit}`);

const LocationRequest = z.strictObject({
  ...Envelope,
  to: To.optional(),
  recipient: Recipient.optional(),
  type: z.literal('location'),
  location: z.strictObject({
    latitude: Degrees(90),
    longitude: Degrees(180),
    name: z.string().min(1).optional(),
    address: z.string().min(1).optional(),
  }),
});

/**
 * A document, by the id of media uploaded to this number or by a link; Meta takes one of the two.
 * The filename's extension is what the customer's phone picks the icon and the app by.
 */
const DocumentRequest = z.strictObject({
  ...Envelope,
  to: To.optional(),
  recipient: Recipient.optional(),
  type: z.literal('document'),
  document: z
    .strictObject({
      id: z.string().min(1).optional(),
      link: z.url().optional(),
      caption: z.string().min(1).max(1024).optional(),
      filename: z.string().min(1).optional(),
    })
    .refine((document) => (document.id === undefined) !== (document.link === undefined), 'one of id or link'),
});

const ReadRequest = z.strictObject({
  messaging_product: z.literal('whatsapp'),
  status: z.literal('read'),
  message_id: z.string().min(1),
  typing_indicator: z.strictObject({ type: z.literal('text') }).optional(),
});

export const CloudApiMessage = z
  .union([TextRequest, ButtonRequest, ListRequest, TemplateRequest, LocationRequest, DocumentRequest])
  .refine((message) => (message.to === undefined) !== (message.recipient === undefined), 'one of to or recipient');
export type CloudApiMessage = z.infer<typeof CloudApiMessage>;
export const CloudApiRequest = z.union([CloudApiMessage, ReadRequest]);
export type CloudApiRequest = z.infer<typeof CloudApiRequest>;

export interface RecordedRequest {
  path: string;
  authorization: string | undefined;
  body: unknown;
  /** The HTTP status the fake answered. */
  status: number;
  /** The wamid given to a message sent (what a customer's reaction names). */
  messageId?: string;
}

interface Failure {
  status: number;
  code: number;
  /** Without one, Meta's own body for the code (from the fixtures) is answered. */
  message?: string;
}

const ERROR_FIXTURES = join(import.meta.dirname, '../fixtures/graph-errors');
const errorFixture = (name: string) => JSON.parse(readFileSync(join(ERROR_FIXTURES, `${name}.json`), 'utf8'));

/** Meta's inner error object for each code, as its fixtures show it (title in `message`, the reason in details). */
const META_ERRORS: Record<number, { title: string; details: string }> = {
  131026: { title: 'Message undeliverable', details: 'Unable to deliver message.' },
  131047: (({ title, error_data }) => ({ title, details: error_data.details }))(
    errorFixture('error_object_131047_reengagement'),
  ),
  131049: {
    title: 'This message was not delivered to maintain healthy ecosystem engagement.',
    details: 'In order to maintain a healthy ecosystem engagement, the message failed to be delivered.',
  },
  130472: {
    title: "User's number is part of an experiment",
    details: "Failed to send message because this user's phone number is part of an experiment",
  },
  131056: {
    title: '(Business Account, Consumer Account) pair rate limit hit',
    details:
      'Too many messages sent from the sender phone number to the same recipient phone number in a short period of time.',
  },
  132001: { title: 'Template does not exist', details: 'template name does not exist in the translation' },
  132015: {
    title: 'Template is Paused',
    details: 'Template is paused due to low quality so it cannot be sent in a template message.',
  },
  132016: {
    title: 'Template is Disabled',
    details: 'Template has been paused too many times due to low quality and is now permanently disabled.',
  },
  132000: {
    title: 'Number of parameters does not match the expected number of params',
    details: 'body: number of localizable_params (1) does not match the expected number of params (2)',
  },
};

/** The body Meta answers a send with for `code`: a recorded one where the fixtures have it. */
export function metaErrorBody(code: number, message?: string): unknown {
  if (message === undefined && code === 130429) return errorFixture('send_error_130429');
  if (message === undefined && code === 190) return errorFixture('send_error_190');
  if (message === undefined && code === 100) return errorFixture('send_error_100_invalid_message_id');
  const known = META_ERRORS[code];
  const details = message ?? known?.details ?? 'Unknown error';
  return {
    error: {
      message: `(#${code}) ${message ?? known?.title ?? 'Unknown error'}`,
      type: 'OAuthException',
      code,
      error_data: { messaging_product: 'whatsapp', details },
      fbtrace_id: 'FAKE',
    },
  };
}

/** Meta's `errors[]` item of a `failed` status for `code`, as its status webhooks carry it. */
export function metaStatusError(code: number) {
  const known = META_ERRORS[code] ?? { title: 'Unknown error', details: 'Unknown error' };
  return {
    code,
    title: known.title,
    message: known.title,
    error_data: { details: known.details },
    href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/',
  };
}

/** The types `POST /{phone-number-id}/media` takes, in the order Meta's refusal lists them. */
const UPLOAD_TYPES = [
  'audio/aac',
  'audio/mp4',
  'audio/mpeg',
  'audio/amr',
  'audio/ogg',
  'audio/opus',
  'application/vnd.ms-powerpoint',
  'application/msword',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/pdf',
  'text/plain',
  'application/vnd.ms-excel',
  'image/jpeg',
  'image/png',
  'image/webp',
  'video/mp4',
  'video/3gpp',
];

/** Which requests a failure is for: messages sent, read receipts, or media uploads. */
type RequestKind = 'message' | 'read' | 'upload';

/**
 * Starts the fake on a free local port.
 *
 * @example
 * const graph = await startFakeGraphApi({ accessToken: 'token', phoneNumberId: '1234' });
 * new WhatsAppMessenger({ accessToken: 'token', phoneNumberId: '1234', apiBaseUrl: graph.url });
 */
export async function startFakeGraphApi(options: {
  accessToken: string;
  phoneNumberId: string;
  /** More business numbers it serves (several shops), each with its own access token. */
  numbers?: Record<string, string>;
}) {
  const requests: RecordedRequest[] = [];
  const tokens = new Map([[options.phoneNumberId, options.accessToken], ...Object.entries(options.numbers ?? {})]);
  /** Where status webhooks go, signed as Meta signs them; none: no statuses are sent. */
  let webhook: { url: () => string | undefined; appSecret: string } | undefined;
  /** Messages taken whose answer is never given (the connection stays open): a reply lost on its way back. */
  let holdAnswers = 0;
  let holdWhen: ((message: CloudApiMessage) => boolean) | undefined;
  const held: ServerResponse[] = [];
  /** Messages taken (200) whose status later says `failed` with this code. */
  const failLater: number[] = [];
  const statusDeliveries = new Set<Promise<void>>();
  /** Media the customers "sent", by media id; a file whose URL expired is still known but no longer served. */
  const media = new Map<string, { bytes: Buffer; mimeType: string; urlExpired: boolean }>();
  const mediaRequests: { path: string; authorization: string | undefined; status: number }[] = [];
  const failures: Record<RequestKind, Failure[]> = { message: [], read: [], upload: [] };
  /** Files uploaded by cita (`POST /{phone-number-id}/media`), by the media id answered, in order. */
  const uploads: { id: string; number: string; type: string; filename: string; bytes: Buffer }[] = [];
  let sent = 0;

  function answer(res: ServerResponse, record: Omit<RecordedRequest, 'status'>, status: number, body: unknown): void {
    requests.push({ ...record, status });
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  function graphError(code: number, message: string, type = 'OAuthException') {
    return {
      error: {
        message: `(#${code}) ${message}`,
        type,
        code,
        error_data: { messaging_product: 'whatsapp', details: message },
        fbtrace_id: 'FAKE',
      },
    };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const upload = /^\/v\d+\.\d+\/(\d+)\/media$/.exec(req.url ?? '')?.[1];
    if (req.method === 'POST' && upload !== undefined) return handleUpload(req, res, upload, Buffer.concat(chunks));
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
    const record = { path: req.url ?? '', authorization: req.headers.authorization, body };

    if (req.method === 'GET') return handleMedia(req, res);
    const number = /^\/v\d+\.\d+\/(\d+)\/messages$/.exec(record.path)?.[1];
    if (req.method !== 'POST' || number === undefined || !tokens.has(number)) {
      return answer(res, record, 404, graphError(803, `Unknown path ${req.method} ${record.path}`));
    }
    if (record.authorization !== `Bearer ${tokens.get(number)}`) {
      return answer(res, record, 401, graphError(190, 'Invalid OAuth access token'));
    }
    const kind: RequestKind = typeof body === 'object' && body !== null && 'status' in body ? 'read' : 'message';
    const failure = failures[kind].shift();
    if (failure) return answer(res, record, failure.status, metaErrorBody(failure.code, failure.message));
    const parsed = CloudApiRequest.safeParse(body);
    if (!parsed.success) {
      return answer(res, record, 400, graphError(100, `Invalid parameter: ${z.prettifyError(parsed.error)}`));
    }
    if ('status' in parsed.data) return answer(res, record, 200, { success: true });
    const document =
      parsed.data.type === 'document'
        ? parsed.data.document
        : parsed.data.type === 'template'
          ? parsed.data.template.components?.flatMap((c) => (c.type === 'header' ? c.parameters : []))[0]?.document
          : undefined;
    if (document?.id !== undefined && !uploads.some((file) => file.id === document.id && file.number === number)) {
      return answer(res, record, 400, graphError(100, `Invalid parameter: no media with id ${document.id}`));
    }
    sent += 1;
    const messageId = `wamid.FAKE${sent}`;
    const laterFailure = failLater.shift();
    const statuses = laterFailure === undefined ? ['sent', 'delivered'] : ['failed'];
    postStatuses(parsed.data, messageId, statuses, laterFailure);
    if (holdAnswers > 0 || holdWhen?.(parsed.data)) {
      if (holdAnswers > 0) holdAnswers -= 1;
      else holdWhen = undefined;
      requests.push({ ...record, messageId, status: 200 });
      held.push(res);
      return;
    }
    return answer(res, { ...record, messageId }, 200, {
      messaging_product: 'whatsapp',
      contacts: [
        parsed.data.to !== undefined
          ? { input: parsed.data.to, wa_id: parsed.data.to }
          : { input: parsed.data.recipient, user_id: parsed.data.recipient },
      ],
      messages: [{ id: messageId }],
    });
  }

  /**
   * Meta's status webhooks for a message taken: each its own POST, signed, carrying the message's
   * `biz_opaque_callback_data`; a webhook that does not answer 200 gets it again (Meta retries).
   */
  function postStatuses(message: CloudApiMessage, messageId: string, statuses: string[], errorCode?: number): void {
    if (!webhook) return;
    const target = webhook;
    const delivery = (async () => {
      for (const status of statuses) {
        const body = JSON.stringify({
          object: 'whatsapp_business_account',
          entry: [
            {
              id: 'WABA_FAKE',
              changes: [
                {
                  field: 'messages',
                  value: {
                    messaging_product: 'whatsapp',
                    metadata: { display_phone_number: '34910000000', phone_number_id: options.phoneNumberId },
                    statuses: [
                      {
                        id: messageId,
                        status,
                        timestamp: String(Math.floor(Date.now() / 1000)),
                        ...(message.to !== undefined
                          ? { recipient_id: message.to }
                          : { recipient_user_id: message.recipient }),
                        ...(message.biz_opaque_callback_data !== undefined && {
                          biz_opaque_callback_data: message.biz_opaque_callback_data,
                        }),
                        ...(errorCode !== undefined && { errors: [metaStatusError(errorCode)] }),
                      },
                    ],
                  },
                },
              ],
            },
          ],
        });
        const deadline = Date.now() + 60_000;
        while (Date.now() < deadline && !closed) {
          const url = target.url();
          const ok =
            url !== undefined &&
            (await fetch(url, {
              method: 'POST',
              headers: {
                'content-type': 'application/json',
                'x-hub-signature-256': signatureFor(body, target.appSecret),
              },
              body,
              signal: AbortSignal.timeout(5_000),
            }).then(
              (response) => response.status === 200,
              () => false,
            ));
          if (ok) break;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
    })();
    statusDeliveries.add(delivery);
    void delivery.finally(() => statusDeliveries.delete(delivery));
  }

  /**
   * `POST /{version}/{phone-number-id}/media`, multipart, as Meta documents it: `messaging_product`
   * "whatsapp", `file`, and `type` (the file's MIME type). Answers `{ id }`; a type Meta does not
   * take, or a missing field, gets its error 100. The file is kept and served like a customer's.
   */
  async function handleUpload(req: IncomingMessage, res: ServerResponse, number: string, raw: Buffer) {
    const record = { path: req.url ?? '', authorization: req.headers.authorization, body: '(multipart)' };
    const refuse = (message: string) => answer(res, record, 400, graphError(100, message));
    if (!tokens.has(number)) return answer(res, record, 404, graphError(803, `Unknown path POST ${record.path}`));
    if (record.authorization !== `Bearer ${tokens.get(number)}`) {
      return answer(res, record, 401, graphError(190, 'Invalid OAuth access token'));
    }
    const failure = failures.upload.shift();
    if (failure) return answer(res, record, failure.status, metaErrorBody(failure.code, failure.message));
    let form: FormData;
    try {
      const headers = new Headers({ 'content-type': req.headers['content-type'] ?? '' });
      form = await new Response(new Uint8Array(raw), { headers }).formData();
    } catch {
      return refuse('Invalid parameter: the body must be multipart/form-data');
    }
    if (form.get('messaging_product') !== 'whatsapp') return refuse('The parameter messaging_product is required.');
    const file = form.get('file');
    if (!(file instanceof File)) return refuse('The parameter file is required.');
    const type = String(form.get('type') ?? file.type);
    if (!UPLOAD_TYPES.includes(type) || (file.type !== '' && file.type !== type)) {
      return refuse(
        `Param file must be a file with one of the following types: ${UPLOAD_TYPES.join(', ')}. Received file of type '${file.type || type}'.`,
      );
    }
    const id = String(9_000_000_000_000 + uploads.length + 1);
    const bytes = Buffer.from(await file.arrayBuffer());
    uploads.push({ id, number, type, filename: file.name, bytes });
    media.set(id, { bytes, mimeType: type, urlExpired: false });
    return answer(res, record, 200, { id });
  }

  /**
   * `GET /{version}/{media-id}` answers the file's URL (valid a few minutes) and what it is, as
   * Meta does; an id Meta does not have gets Graph's 400 "object does not exist". The URL serves
   * the bytes to the same token, and 404 once expired.
   */
  function handleMedia(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://fake');
    const authorization = req.headers.authorization;
    const reply = (status: number, type: string, body: string | Buffer) => {
      mediaRequests.push({ path: url.pathname, authorization, status });
      res.writeHead(status, { 'content-type': type });
      res.end(body);
    };
    const json = (status: number, body: unknown) => reply(status, 'application/json', JSON.stringify(body));
    if (authorization !== `Bearer ${options.accessToken}`)
      return json(401, graphError(190, 'Invalid OAuth access token'));
    const download = /^\/media-download\/([^/]+)$/.exec(url.pathname);
    if (download) {
      const file = media.get(decodeURIComponent(download[1]!));
      if (!file || file.urlExpired) return json(404, graphError(100, 'The media URL has expired'));
      return reply(200, file.mimeType, file.bytes);
    }
    const about = /^\/v\d+\.\d+\/([^/]+)$/.exec(url.pathname);
    const id = about ? decodeURIComponent(about[1]!) : undefined;
    const file = id === undefined ? undefined : media.get(id);
    if (
      !id ||
      !file ||
      (url.searchParams.has('phone_number_id') && url.searchParams.get('phone_number_id') !== options.phoneNumberId)
    ) {
      return json(
        400,
        graphError(
          100,
          `Unsupported get request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
          'GraphMethodException',
        ),
      );
    }
    return json(200, {
      messaging_product: 'whatsapp',
      url: `http://127.0.0.1:${port}/media-download/${encodeURIComponent(id)}`,
      mime_type: file.mimeType,
      sha256: createHash('sha256').update(file.bytes).digest('hex'),
      file_size: String(file.bytes.length),
      id,
    });
  }

  let closed = false;
  const server = createServer((req, res) => {
    handle(req, res).catch((error) => {
      res.writeHead(500);
      res.end(String(error));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    /** cita's real messenger pointed at this fake, with its token and number, and backoffs of milliseconds. */
    messenger(overrides: Partial<WhatsAppMessengerOptions> = {}): WhatsAppMessenger {
      return new WhatsAppMessenger({
        accessToken: options.accessToken,
        phoneNumberId: options.phoneNumberId,
        apiBaseUrl: `http://127.0.0.1:${port}`,
        baseBackoffMs: 1,
        maxBackoffMs: 5,
        ...overrides,
      });
    },
    requests,
    /** The files cita uploaded, in order, each with the media id answered and the type it was sent as. */
    uploads,
    /** The media GETs (URL look-ups and downloads) with the token they carried and the status answered. */
    mediaRequests,
    /** A file a customer sent: its id comes in the webhook, its bytes from `GET /{media-id}`. */
    addMedia(id: string, file: { bytes: Uint8Array; mimeType: string }): void {
      media.set(id, { bytes: Buffer.from(file.bytes), mimeType: file.mimeType, urlExpired: false });
    },
    /** Meta no longer has the file (webhook media ids live seven days). */
    forgetMedia(id: string): void {
      media.delete(id);
    },
    /** The file's download URL has expired (they last five minutes): the look-up still works, the download 404s. */
    expireMediaUrl(id: string): void {
      const file = media.get(id);
      if (file) file.urlExpired = true;
    },
    /** The messages sent, without the read receipts, as Cloud API bodies in the order received. */
    get messages(): CloudApiMessage[] {
      return requests.flatMap((r) => {
        const message = CloudApiMessage.safeParse(r.body);
        return r.status === 200 && message.success ? [message.data] : [];
      });
    },
    /** The next `times` requests of that kind (with a valid token) get this error instead of their answer. */
    failNext(failure: Failure, { times = 1, on = 'message' }: { times?: number; on?: RequestKind } = {}): void {
      for (let i = 0; i < times; i++) failures[on].push(failure);
    },
    /**
     * Sends Meta's status webhooks (sent, delivered; or failed) for every message taken from now
     * on, to whatever `url()` answers at the time (a process may have died and another taken over).
     */
    sendStatusesTo(url: () => string | undefined, appSecret: string): void {
      webhook = { url, appSecret };
    },
    /** The next `times` messages are taken (and their statuses sent) but never answered. */
    holdNextAnswers(times = 1): void {
      holdAnswers += times;
    },
    /** The first message that `when` picks is taken (and its statuses sent) but never answered. */
    holdAnswerTo(when: (message: CloudApiMessage) => boolean): void {
      holdWhen = when;
    },
    /** The next message is taken (200, a wamid) and then fails: its status says `failed` with `code`. */
    failAfterTaking(code: number): void {
      failLater.push(code);
    },
    /** Resolves when every status webhook sent so far was taken. */
    async statusesDelivered(): Promise<void> {
      while (statusDeliveries.size > 0) await Promise.all(statusDeliveries);
    },
    close(): Promise<void> {
      closed = true;
      for (const response of held.splice(0)) response.destroy();
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

export type FakeGraphApi = Awaited<ReturnType<typeof startFakeGraphApi>>;
