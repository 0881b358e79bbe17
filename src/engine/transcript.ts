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
 * await transcript.heard(message);                 // before the message is handled (kept for its replies)
 * await transcript.said(phone, replies, message.id); // as the replies go out: both written at once
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

  /**
   * What customers wrote, by message id, until the turn's replies are written with it: one write
   * per message instead of two (on SQLite each write is a transaction, a tenth of a message's
   * CPU end to end went to beginning and committing them). Bounded: a message whose turn never
   * ends here (the process stopped, another took it over) is heard again there.
   */
  const unwritten = new Map<string, { customer: string; entry: Parameters<Transcripts['append']>[1][number] }>();

  return {
    /**
     * What the customer wrote (not what cita queues itself: a hand-back, the shop writing from its
     * app): written with the replies to it (`said`), or by `settled` when it gets none.
     */
    heard(message: InboundMessage): Promise<void> {
      const words = wordsOf(message.content);
      if (words) {
        const entry = { from: 'customer' as const, id: message.id, at: message.receivedAt, words };
        unwritten.set(message.id, { customer: message.phone, entry });
        // The oldest first (a Map keeps the order of insertion): cheaper than an LRU, on every message.
        if (unwritten.size > HEARD_WAITING) unwritten.delete(unwritten.keys().next().value!);
      }
      return Promise.resolve();
    },
    /**
     * What cita sent the customer: the replies to message `inReplyTo` (the same ids when a turn's
     * replies are sent again), after what the customer wrote in it, or a message of its own (a
     * reminder, a notice).
     */
    said(customer: string, messages: OutboundMessage[], inReplyTo?: string): Promise<void> {
      const turn = inReplyTo ?? randomUUID();
      const at = clock().toISOString();
      const heard = inReplyTo === undefined ? undefined : unwritten.get(inReplyTo);
      if (heard) unwritten.delete(inReplyTo!);
      const replies = messages.map((message, index) => ({
        from: 'cita' as const,
        id: `${turn}:${index}`,
        at,
        message,
      }));
      return write(customer, heard && heard.customer === customer ? [heard.entry, ...replies] : replies);
    },
    /** The message's turn is over without replies being written (given up on): what the customer wrote is kept. */
    settled(messageId: string): Promise<void> {
      const heard = unwritten.get(messageId);
      if (!heard) return Promise.resolve();
      unwritten.delete(messageId);
      return write(heard.customer, [heard.entry]);
    },
  };
}

/** Messages heard and not yet answered that one recorder keeps: about the phones in hand at once, and then some. */
const HEARD_WAITING = 10_000;

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
