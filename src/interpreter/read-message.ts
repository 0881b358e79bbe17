import type { Language } from '../../config/schema.ts';
import { type CustomerEvent, YES_EVENTS } from '../../machines/events.ts';
import type { InboundMessage } from '../engine/ports.ts';
import type { VoiceNoteReading } from '../engine/voice-notes.ts';
import { log } from '../log.ts';
import type { es } from '../messages/es.ts';
import { eventsFromReplyId } from '../messages/reply-ids.ts';
import type { Interpreter } from './port.ts';
import { readRules, type Situation } from './rules/index.ts';

/** Longer messages are not read: they are not booking requests, and they would cost an LLM call. */
export const MAX_TEXT_LENGTH = 1000;

/**
 * The longest one message's reading may take, whatever the interpreter does (the LLM bounds its
 * own calls well within this): past it the message counts as not understood and the customer is
 * asked again, so a turn always ends.
 */
export const READING_TIMEOUT_MS = 10_000;

export type Remark = keyof typeof es.remarks;

export interface Reading {
  events: CustomerEvent[];
  /**
   * Whether a yes among the events is the customer's own: they tapped it, or the rules read it in
   * their words. A yes only a model read (the LLM, or a voice note's transcript) is not, and the
   * engine asks again with the buttons.
   */
  yesIsTheirs: boolean;
  /** Something to tell the customer about the message itself (empty, too long, a photo). */
  remark?: Remark;
  /** What a voice note said, shown back to the customer so a misheard note is seen at once. */
  heard?: string;
}

/** Hears a voice note in the conversation's language (see VoiceNotes). */
export type Listener = (note: { mediaId: string; mimeType?: string }, language: Language) => Promise<VoiceNoteReading>;

/** What each kind of attachment gets: what cita can do with it. A location is a question: "where are you?". */
const ATTACHMENT_REMARKS: Partial<Record<string, Remark>> = {
  image: 'photo',
  sticker: 'sticker',
  document: 'document',
  video: 'video',
  contacts: 'contacts',
};

/**
 * What a customer's message asks for. A tapped button or list row is its event directly; text
 * goes to the interpreter; a voice note is transcribed and read as text; anything else gets a
 * remark and no event. (Reactions are the engine's: only it knows which question was reacted to.)
 */
export async function readMessage(
  content: InboundMessage['content'],
  situation: Situation,
  interpreter: Interpreter,
  listen?: Listener,
): Promise<Reading> {
  switch (content.kind) {
    case 'reply': {
      const events = eventsFromReplyId(content.replyId);
      // An id cita never sent (an old template button, a forged payload) is read as its title.
      if (events) return { events, yesIsTheirs: true };
      return content.title
        ? readMessage({ kind: 'text', text: content.title }, situation, interpreter)
        : { events: [], yesIsTheirs: false };
    }
    case 'voice': {
      const heard = listen ? await listen(content, situation.language) : { failure: 'not_configured' as const };
      if ('failure' in heard) {
        return {
          events: [],
          yesIsTheirs: false,
          remark: heard.failure === 'not_configured' ? 'voiceNotesOff' : 'voiceNoteUnheard',
        };
      }
      // The same reading as typed text: rules first, then the LLM when it is configured. A yes in
      // it is what a transcription model heard, not words the customer wrote: they tap it.
      const reading = await readMessage({ kind: 'text', text: heard.text }, situation, interpreter);
      return { ...reading, yesIsTheirs: false, heard: heard.text };
    }
    case 'reaction':
      return { events: [], yesIsTheirs: false };
    case 'unsupported':
      if (content.type === 'location') return { events: [{ type: 'ASK_INFO', topic: 'address' }], yesIsTheirs: false };
      // The customer opened the chat for the first time: welcomed as a hello would be.
      if (content.type === 'request_welcome') return { events: [{ type: 'GREET' }], yesIsTheirs: false };
      return { events: [], yesIsTheirs: false, remark: ATTACHMENT_REMARKS[content.type] ?? 'unsupported' };
    // Not the customer's words: the engine handles a hand-back before reading anything.
    case 'handedBack':
    case 'staffWrote':
      return { events: [], yesIsTheirs: false };
    case 'text': {
      const text = content.text.trim();
      if (text.length === 0) return { events: [], yesIsTheirs: false, remark: 'empty' };
      if (text.length > MAX_TEXT_LENGTH) return { events: [], yesIsTheirs: false, remark: 'tooLong' };
      const events = await withinTime(interpreter.interpret(text, situation), READING_TIMEOUT_MS);
      // Whoever passed the events on (rules, the LLM, a layer of both), a yes is the customer's only
      // when the rules themselves read one in these words: a model never vouches for it.
      const yesIsTheirs = events.some(isYes) && readRules(text, situation).some(isYes);
      return { events, yesIsTheirs };
    }
  }
}

function isYes(event: CustomerEvent): boolean {
  return YES_EVENTS.includes(event.type);
}

/** The interpreter's events, or none when it takes longer than `ms` (it is left to finish on its own). */
export async function withinTime<E>(reading: Promise<E[]>, ms: number): Promise<E[]> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<E[]>((resolve) => {
    timer = setTimeout(() => {
      log.warn({ event: 'interpreter.too_slow', ms }, 'reading the message took too long; asking again');
      resolve([]);
    }, ms);
  });
  try {
    return await Promise.race([reading, late]);
  } finally {
    clearTimeout(timer);
  }
}
