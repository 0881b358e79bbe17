import { randomBytes } from 'node:crypto';
import { signatureFor } from '../../adapters/whatsapp/signature.ts';
import type { CloudApiMessage } from '../../tests/support/fake-graph-api.ts';
import { buttonReply, listReply, textMessage } from '../../tests/whatsapp/helpers.ts';
import { BENCH_APP_SECRET } from './server.ts';

/** What a customer does on their phone: types a text, or taps a button or list row. */
export type CustomerAction =
  | { kind: 'text'; text: string }
  | { kind: 'tap'; id: string; title: string; from: 'list' | 'button' };

/** A message id shaped like WhatsApp's (wamid. and 60 base64 characters), unique per call. */
export function wamid(): string {
  return `wamid.${randomBytes(45).toString('base64')}`;
}

/** The webhook body Meta would POST for the action, as the exact text that is signed and sent. */
export function webhookBody(phone: string, action: CustomerAction, id = wamid(), phoneNumberId?: string): string {
  const payload =
    action.kind === 'text'
      ? textMessage(phone, id, action.text)
      : action.from === 'list'
        ? listReply(phone, id, action.id, action.title)
        : buttonReply(phone, id, action.id, action.title);
  payload.entry[0].changes[0].value.messages[0].timestamp = String(Math.floor(Date.now() / 1000));
  if (phoneNumberId) payload.entry[0].changes[0].value.metadata.phone_number_id = phoneNumberId;
  return JSON.stringify(payload);
}

/** Headers of a signed webhook POST. */
export function signedHeaders(body: string): Record<string, string> {
  return { 'content-type': 'application/json', 'x-hub-signature-256': signatureFor(body, BENCH_APP_SECRET) };
}

/** The options a Cloud API message offers the customer: list rows or reply buttons. */
export function tappable(message: CloudApiMessage): CustomerAction[] {
  if (message.type !== 'interactive') return [];
  const { interactive } = message;
  if (interactive.type === 'list') {
    return interactive.action.sections.flatMap((section) =>
      section.rows.map((row) => ({ kind: 'tap' as const, id: row.id, title: row.title, from: 'list' as const })),
    );
  }
  return interactive.action.buttons.map((button) => ({
    kind: 'tap' as const,
    id: button.reply.id,
    title: button.reply.title,
    from: 'button' as const,
  }));
}
