import { randomUUID } from 'node:crypto';
import { log, phoneRef } from '../log.ts';
import type { OutboundMessage } from '../messages/whatsapp.ts';
import type { Clock, CustomerWords, InboundMessage, Transcripts } from './ports.ts';

/**
 * Keeps each customer's conversation in messages as it happens, whichever channel carries it, for
 * the simulator page. A view, not a record anything depends on: a failure to write it is logged
 * (never with what was said) and the turn goes on.
 *
 * @example
 * const transcript = transcriptRecorder(transcripts, clock);
 * await transcript.heard(message);                 // before the message is handled
 * await transcript.said(phone, replies, message.id); // as the replies go out
 */
export function transcriptRecorder(transcripts: Transcripts | undefined, clock: Clock) {
  async function write(customer: string, entries: Parameters<Transcripts['append']>[1]) {
    if (!transcripts || entries.length === 0) return;
    try {
      await transcripts.append(customer, entries);
    } catch (error) {
      log.warn(
        { event: 'transcript.unwritten', phoneRef: phoneRef(customer), error: String(error) },
        'could not add to the transcript',
      );
    }
  }

  return {
    /** What the customer wrote (not what cita queues itself: a hand-back, the shop writing from its app). */
    heard(message: InboundMessage): Promise<void> {
      const words = wordsOf(message.content);
      if (!words) return Promise.resolve();
      return write(message.phone, [{ from: 'customer', id: message.id, at: message.receivedAt, words }]);
    },
    /**
     * What cita sent the customer: the replies to message `inReplyTo` (the same ids when a turn's
     * replies are sent again), or a message of its own (a reminder, a notice).
     */
    said(customer: string, messages: OutboundMessage[], inReplyTo?: string): Promise<void> {
      const turn = inReplyTo ?? randomUUID();
      const at = clock().toISOString();
      return write(
        customer,
        messages.map((message, index) => ({ from: 'cita', id: `${turn}:${index}`, at, message })),
      );
    },
  };
}

export type TranscriptRecorder = ReturnType<typeof transcriptRecorder>;

function wordsOf(content: InboundMessage['content']): CustomerWords | undefined {
  switch (content.kind) {
    case 'text':
      return { kind: 'text', text: content.text.slice(0, 10_000) };
    case 'reply':
      return {
        kind: 'reply',
        replyId: content.replyId,
        ...(content.title ? { title: content.title.slice(0, 256) } : {}),
      };
    case 'voice':
      return { kind: 'voice' };
    case 'reaction':
      return { kind: 'reaction', emoji: content.emoji };
    case 'unsupported':
      return { kind: 'unsupported', type: content.type.slice(0, 64) };
    default:
      return undefined;
  }
}
