import type { OutboundMessage } from '../messages/whatsapp.ts';
import type { InboundMessage, Turn } from './ports.ts';

/** Turns kept for the LLM's context: enough for "the other one" or "no, the day before". */
export const RECENT_TURNS = 6;

/**
 * A message in words, as kept with the conversation (the LLM's context, the staff's handoff
 * notice); `heard` is what a voice note said, when it was heard.
 */
export function customerTurn({ content }: InboundMessage, heard?: string): Turn {
  const text = (() => {
    switch (content.kind) {
      case 'text':
        return content.text;
      case 'reply':
        return `(tapped) ${content.title ?? content.replyId}`;
      case 'voice':
        return heard === undefined ? '(sent a voice note)' : `(voice note) ${heard}`;
      case 'reaction':
        return `(reacted ${content.emoji} to the question)`;
      case 'unsupported':
        return `(sent a ${content.type})`;
      case 'handedBack':
        return '(a person from the shop handed the conversation back)';
      case 'staffWrote':
        return '(a person from the shop wrote from the WhatsApp Business app)';
    }
  })();
  return { from: 'customer', text: text.slice(0, 300) };
}

export function botTurn(reply: OutboundMessage): Turn {
  return { from: 'bot', text: reply.body.slice(0, 300) };
}
