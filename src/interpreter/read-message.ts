import type { CustomerEvent } from '../../machines/events.ts';
import type { InboundMessage } from '../engine/ports.ts';
import type { es } from '../messages/es.ts';
import { eventFromReplyId } from '../messages/reply-ids.ts';
import type { Interpreter } from './port.ts';
import type { Situation } from './rules/index.ts';

/** Longer messages are not read: they are not booking requests, and they would cost an LLM call. */
export const MAX_TEXT_LENGTH = 1000;

export type Remark = keyof typeof es.remarks;

export interface Reading {
  events: CustomerEvent[];
  /** Something to tell the customer about the message itself (empty, too long, a photo). */
  remark?: Remark;
}

/**
 * What a customer's message asks for. A tapped button or list row is its event directly; text
 * goes to the interpreter; anything else gets a remark and no event.
 */
export async function readMessage(
  content: InboundMessage['content'],
  situation: Situation,
  interpreter: Interpreter,
): Promise<Reading> {
  switch (content.kind) {
    case 'reply': {
      const event = eventFromReplyId(content.replyId);
      // An id cita never sent (an old template button, a forged payload) is read as its title.
      if (event) return { events: [event] };
      return content.title
        ? readMessage({ kind: 'text', text: content.title }, situation, interpreter)
        : { events: [] };
    }
    case 'unsupported':
      return { events: [], remark: 'unsupported' };
    // Not the customer's words: the engine handles a hand-back before reading anything.
    case 'handedBack':
      return { events: [] };
    case 'text': {
      const text = content.text.trim();
      if (text.length === 0) return { events: [], remark: 'empty' };
      if (text.length > MAX_TEXT_LENGTH) return { events: [], remark: 'tooLong' };
      return { events: await interpreter.interpret(text, situation) };
    }
  }
}
