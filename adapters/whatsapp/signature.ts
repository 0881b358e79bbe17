import { createHmac, timingSafeEqual } from 'node:crypto';

const PREFIX = 'sha256=';

/**
 * The `X-Hub-Signature-256` header Meta sends with a body: HMAC-SHA256 of the raw bytes with the
 * app secret. Tests and local tools sign their payloads with it.
 */
export function signatureFor(rawBody: Uint8Array | string, appSecret: string): string {
  return PREFIX + createHmac('sha256', appSecret).update(rawBody).digest('hex');
}

/**
 * Whether the header is Meta's signature of exactly these bytes. The body must be the raw bytes
 * received: JSON re-serialised by us would differ from what Meta signed (escaped unicode, spacing).
 *
 * @example
 * if (!hasValidSignature(new Uint8Array(await c.req.arrayBuffer()), c.req.header('x-hub-signature-256'), secret)) return c.text('', 401);
 */
export function hasValidSignature(rawBody: Uint8Array, header: string | undefined, appSecret: string): boolean {
  if (!header?.startsWith(PREFIX)) return false;
  const expected = Buffer.from(signatureFor(rawBody, appSecret).slice(PREFIX.length), 'hex');
  const given = Buffer.from(header.slice(PREFIX.length), 'hex');
  // timingSafeEqual throws on different lengths; a wrong length is a wrong signature, checked first.
  return given.length === expected.length && timingSafeEqual(given, expected);
}
