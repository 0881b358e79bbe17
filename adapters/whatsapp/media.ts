import { createHash } from 'node:crypto';
import { z } from 'zod';
import { type Media, type MediaSource, VoiceNoteFailure } from '../../src/engine/ports.ts';
import { DEFAULT_GRAPH_API_BASE_URL, DEFAULT_GRAPH_API_VERSION, GraphError } from './cloud-api.ts';

/** One Graph API call for media may not hold a worker longer than this. */
export const MEDIA_TIMEOUT_MS = 10_000;

export interface WhatsAppMediaOptions {
  accessToken: string;
  phoneNumberId: string;
  apiBaseUrl?: string;
  apiVersion?: string;
  requestTimeoutMs?: number;
}

/** Where Meta serves media files from (the webhook's `url` is on one of them). */
const META_MEDIA_HOSTS = ['fbsbx.com', 'facebook.com', 'whatsapp.net', 'fbcdn.net'];

/** Meta's answer to `GET /{media-id}`: a download URL valid for five minutes, and what is behind it. */
const MediaUrl = z.looseObject({
  url: z.url(),
  mime_type: z.string().min(1),
  /** SHA-256 of the file: hex here, base64 in the webhook. */
  sha256: z.string().optional(),
  /** Bytes, as a string in Meta's answers. */
  file_size: z
    .union([z.string().regex(/^\d+$/), z.number().int().nonnegative()])
    .transform(Number)
    .optional(),
});

/**
 * Fetches a customer's media from the WhatsApp Cloud API: `GET /{media-id}` for a short-lived URL,
 * then the bytes from that URL with the same token. Webhook media ids live seven days; an expired
 * one (Graph's "object does not exist", or a 404) is `media_expired`.
 *
 * @example
 * const media = new WhatsAppMedia({ accessToken, phoneNumberId });
 * const { bytes, mimeType } = await media.download('1234567890', { maxBytes: 4 * 1024 * 1024 });
 */
export class WhatsAppMedia implements MediaSource {
  readonly #base: string;
  readonly #accessToken: string;
  readonly #phoneNumberId: string;
  readonly #timeoutMs: number;

  constructor(options: WhatsAppMediaOptions) {
    const base = (options.apiBaseUrl ?? DEFAULT_GRAPH_API_BASE_URL).replace(/\/+$/, '');
    this.#base = `${base}/${options.apiVersion ?? DEFAULT_GRAPH_API_VERSION}`;
    this.#accessToken = options.accessToken;
    this.#phoneNumberId = options.phoneNumberId;
    this.#timeoutMs = options.requestTimeoutMs ?? MEDIA_TIMEOUT_MS;
  }

  /**
   * The file behind `mediaId`. When the webhook carried the file's `url` (and it is Meta's, over
   * HTTPS, or on the configured Graph API's own host), the lookup is skipped.
   */
  async download(
    mediaId: string,
    { maxBytes, url: given, sha256: expected }: { maxBytes: number; url?: string; sha256?: string },
  ): Promise<Media> {
    let url = given !== undefined && this.#trusts(given) ? given : undefined;
    let mimeType: string | undefined;
    let sha256 = expected;
    if (url === undefined) {
      // phone_number_id makes Meta check the media was sent to this business number.
      const query = new URLSearchParams({ phone_number_id: this.#phoneNumberId });
      const about = await this.#get(`${this.#base}/${encodeURIComponent(mediaId)}?${query}`);
      const parsed = MediaUrl.safeParse(await about.json().catch(() => undefined));
      if (!parsed.success) throw new VoiceNoteFailure('media_unavailable', 'the media answer has no URL');
      const { file_size: size } = parsed.data;
      if (size !== undefined && size > maxBytes) throw new VoiceNoteFailure('too_large', `${size} bytes`);
      ({ url, mime_type: mimeType } = parsed.data);
      sha256 = parsed.data.sha256 ?? expected;
    }

    const file = await this.#get(url);
    const bytes = await readAtMost(file, maxBytes);
    if (sha256 !== undefined && !matchesDigest(bytes, sha256)) {
      throw new VoiceNoteFailure('media_unavailable', 'the file does not match its SHA-256');
    }
    return { bytes, mimeType: mimeType ?? file.headers.get('content-type') ?? 'application/octet-stream' };
  }

  /** Our token goes only to Meta's own hosts over HTTPS, or to the Graph API cita is configured with. */
  #trusts(url: string): boolean {
    if (!URL.canParse(url)) return false;
    const { protocol, hostname, origin } = new URL(url);
    if (origin === new URL(this.#base).origin) return true;
    return protocol === 'https:' && META_MEDIA_HOSTS.some((host) => hostname === host || hostname.endsWith(`.${host}`));
  }

  /** A GET with the token; what Meta no longer has is `media_expired`, any other failure `media_unavailable`. */
  async #get(url: string): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(url, {
        headers: { authorization: `Bearer ${this.#accessToken}` },
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (error) {
      throw new VoiceNoteFailure('media_unavailable', `network error: ${String(error)}`);
    }
    if (response.ok) return response;
    const graph = GraphError.safeParse(await response.json().catch(() => undefined));
    // Graph answers an id it no longer has with 400, code 100 ("object does not exist"); the file URL with 404.
    const gone = response.status === 404 || response.status === 410 || (graph.success && graph.data.error.code === 100);
    const code = graph.success ? `, code ${graph.data.error.code}` : '';
    throw new VoiceNoteFailure(gone ? 'media_expired' : 'media_unavailable', `HTTP ${response.status}${code}`);
  }
}

/**
 * Whether the file's SHA-256 is `expected`, given in hex (the media lookup) or base64 (the webhook):
 * compared as bytes, so neither spelling nor letter case matters.
 */
export function matchesDigest(bytes: Uint8Array, expected: string): boolean {
  const digest = createHash('sha256').update(bytes).digest();
  const given = /^[0-9a-f]{64}$/i.test(expected) ? Buffer.from(expected, 'hex') : Buffer.from(expected, 'base64');
  return given.length === digest.length && given.equals(digest);
}

/** The body, refusing it as soon as it passes `maxBytes` (a Content-Length can be absent or wrong). */
async function readAtMost(response: Response, maxBytes: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    // Leaving the loop early cancels the download.
    for await (const chunk of response.body ?? []) {
      total += chunk.length;
      if (total > maxBytes) break;
      chunks.push(chunk);
    }
  } catch (error) {
    throw new VoiceNoteFailure('media_unavailable', `download broke off: ${String(error)}`);
  }
  if (total > maxBytes) throw new VoiceNoteFailure('too_large', `more than ${maxBytes} bytes`);
  return Buffer.concat(chunks);
}
