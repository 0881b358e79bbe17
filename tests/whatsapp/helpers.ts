import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { signatureFor } from '../../adapters/whatsapp/signature.ts';
import type { InboundMessage, Inbox, Messenger } from '../../src/engine/ports.ts';

export const APP_SECRET = 'test-app-secret';
export const VERIFY_TOKEN = 'test-verify-token';
export const FIXTURES_DIR = join(import.meta.dirname, '../fixtures/whatsapp');

/** The names (without .json) of every stored webhook payload. */
export function fixtureNames(): string[] {
  return readdirSync(FIXTURES_DIR)
    .filter((file) => file.endsWith('.json'))
    .map((file) => file.slice(0, -'.json'.length))
    .sort();
}

/** A payload exactly as stored: the raw text is what gets signed and sent. */
export function fixtureText(name: string): string {
  return readFileSync(join(FIXTURES_DIR, `${name}.json`), 'utf8');
}

// biome-ignore lint/suspicious/noExplicitAny: payloads are edited freely in tests, then sent as JSON
export function fixture(name: string): any {
  return JSON.parse(fixtureText(name));
}

/** A POST to the webhook as Meta sends it: the raw body and its signature. */
export function signedPost(body: string, secret = APP_SECRET): RequestInit {
  return {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': signatureFor(body, secret) },
    body,
  };
}

/**
 * An inbox that only records what the webhook accepted: no worker ever claims from it, so a test
 * sees exactly what the POST did before its 200.
 */
export class RecordingInbox implements Inbox {
  readonly accepted: InboundMessage[] = [];
  readonly #seen = new Set<string>();
  #closed = false;

  async accept(message: InboundMessage): Promise<'accepted' | 'duplicate'> {
    if (this.#seen.has(message.id)) return 'duplicate';
    this.#seen.add(message.id);
    this.accepted.push(message);
    return 'accepted';
  }
  async claim(): Promise<InboundMessage | undefined> {
    return undefined;
  }
  async ack(): Promise<void> {}
  async retry(): Promise<void> {}
  async waitForWork(ms: number): Promise<void> {
    if (!this.#closed) await new Promise((resolve) => setTimeout(resolve, Math.min(ms, 20)));
  }
  async close(): Promise<void> {
    this.#closed = true;
  }
}

/** A Meta-shaped webhook body with one `messages` change; `value` holds its messages or statuses. */
export function webhookPayload<Value extends Record<string, unknown>>(value: Value) {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '102290129340398',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550783881', phone_number_id: '106540352242922' },
              ...value,
            },
          },
        ],
      },
    ],
  };
}

/** A Meta-shaped payload with one message from `phone`; `message` supplies the type-specific part. */
export function messagePayload(phone: string, id: string, message: Record<string, unknown>, name = 'Carlos') {
  return webhookPayload({
    contacts: [{ profile: { name }, wa_id: phone }],
    messages: [{ from: phone, id, timestamp: '1795510800', ...message }],
  });
}

/**
 * Wraps a messenger so a test can wait until the replies to one message have all gone out,
 * without changing what is sent.
 */
export function turnTracking(inner: Messenger & { markRead(messageId: string): Promise<void> }) {
  const turnsDone = new Map<string, () => void>();
  const messenger: Messenger = {
    markRead: (messageId) => inner.markRead(messageId),
    ...(inner.statusReceived && { statusReceived: (status) => inner.statusReceived!(status) }),
    ...(inner.onUndelivered && { onUndelivered: (listener) => inner.onUndelivered!(listener) }),
    ...(inner.onTokenTaken && { onTokenTaken: (listener) => inner.onTokenTaken!(listener) }),
    async send(phone, messages, inReplyTo, about) {
      const sent = await inner.send(phone, messages, inReplyTo, about);
      if (inReplyTo) turnsDone.get(inReplyTo)?.();
      return sent;
    },
  };
  /** Resolves when the turn answering `messageId` was sent; call before delivering the message. */
  function turnDone(messageId: string): Promise<void> {
    return new Promise((resolve) => turnsDone.set(messageId, resolve));
  }
  return { messenger, turnDone };
}

/** A tap on a list row, as Meta delivers it. */
export function listReply(phone: string, id: string, replyId: string, title = 'row') {
  return messagePayload(phone, id, {
    type: 'interactive',
    interactive: { type: 'list_reply', list_reply: { id: replyId, title } },
  });
}

/** A tap on a reply button, as Meta delivers it. */
export function buttonReply(phone: string, id: string, replyId: string, title = 'button') {
  return messagePayload(phone, id, {
    type: 'interactive',
    interactive: { type: 'button_reply', button_reply: { id: replyId, title } },
  });
}

export function textMessage(phone: string, id: string, body: string, name?: string) {
  return messagePayload(phone, id, { type: 'text', text: { body } }, name);
}
