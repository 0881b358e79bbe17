import type { OutboundMessage } from '../messages/whatsapp.ts';
import type { InboundMessage, Turn } from './ports.ts';

/** Turns kept for the LLM's context: enough for "the other one" or "no, the day before". */
export const RECENT_TURNS = 6;

/** A message in words, as kept with the conversation (the LLM's context, the staff's handoff notice). */
export function customerTurn({ content }: InboundMessage): Turn {
  const text =
    content.kind === 'text'
      ? content.text
      : content.kind === 'reply'
        ? `(tapped) ${content.title ?? content.replyId}`
        : content.kind === 'unsupported'
          ? `(sent a ${content.type})`
          : '(handed back to the bot)';
  return { from: 'customer', text: text.slice(0, 300) };
}

export function botTurn(reply: OutboundMessage): Turn {
  return { from: 'bot', text: reply.body.slice(0, 300) };
}
