import type { Language } from '../../config/schema.ts';
import { log } from '../log.ts';
import { type MediaSource, type Transcriber, VoiceNoteFailure, type VoiceNoteFailureReason } from './ports.ts';

/**
 * The largest audio file cita transcribes. A WhatsApp voice note (Opus, about 2 KB a second) of
 * four minutes is well under it; anything bigger is not a booking request, and it would cost.
 */
export const MAX_VOICE_NOTE_BYTES = 4 * 1024 * 1024;

/**
 * Audio formats the OpenAI-compatible transcription servers take (Whisper at OpenAI and Groq,
 * whisper.cpp), by MIME type, with the file extension they tell the format by. WhatsApp also
 * delivers AAC and AMR, which they refuse.
 */
const TRANSCRIBABLE: Record<string, string> = {
  'audio/ogg': 'ogg',
  'audio/opus': 'ogg',
  'audio/mpeg': 'mp3',
  'audio/mp3': 'mp3',
  'audio/mp4': 'm4a',
  'audio/m4a': 'm4a',
  'audio/x-m4a': 'm4a',
  'audio/wav': 'wav',
  'audio/x-wav': 'wav',
  'audio/webm': 'webm',
  'audio/flac': 'flac',
};

/** The file extension for a transcribable MIME type ("audio/ogg; codecs=opus" → "ogg"), else undefined. */
export function audioFileExtension(mimeType: string): string | undefined {
  return TRANSCRIBABLE[mimeType.split(';')[0]!.trim().toLowerCase()];
}

/**
 * What Whisper writes for silence or noise: subtitle credits it learnt from films. Such a
 * transcript is no words at all, never "thanks".
 */
const SILENCE_PHRASES = [
  /^subt[ií]tulos (realizados )?por la comunidad de amara\.org$/,
  /^(gracias por ver el v[ií]deo|thanks? (you )?for watching)[.!]*$/,
];

function isSilence(transcript: string): boolean {
  const plain = transcript.trim().toLowerCase();
  return !/\p{L}|\p{N}/u.test(plain) || SILENCE_PHRASES.some((phrase) => phrase.test(plain));
}

export type VoiceNoteReading = { text: string } | { failure: VoiceNoteFailureReason };

export interface VoiceNotesOptions {
  /** Where the audio is fetched from; none (the simulator) means voice notes cannot be heard. */
  media?: MediaSource;
  /** None means transcription is not configured: the customer is asked to write. */
  transcriber?: Transcriber;
  maxBytes?: number;
  /** Told how each voice note went ("transcribed" or why not), for the metrics. */
  onOutcome?: (outcome: 'transcribed' | VoiceNoteFailureReason) => void;
}

/**
 * Turns a customer's voice note into the words they said: fetch the audio from the channel, check
 * its size and format, transcribe it. The audio lives only in memory for the call; the transcript
 * is returned, never logged.
 *
 * @example
 * const notes = new VoiceNotes({ media: new WhatsAppMedia(config), transcriber });
 * const heard = await notes.read({ mediaId: '1234', mimeType: 'audio/ogg; codecs=opus' }, 'es');
 * if ('text' in heard) interpret(heard.text);
 */
export class VoiceNotes {
  readonly #media?: MediaSource;
  readonly #transcriber?: Transcriber;
  readonly #maxBytes: number;
  readonly #onOutcome: NonNullable<VoiceNotesOptions['onOutcome']>;

  constructor(options: VoiceNotesOptions = {}) {
    this.#media = options.media;
    this.#transcriber = options.transcriber;
    this.#maxBytes = options.maxBytes ?? MAX_VOICE_NOTE_BYTES;
    this.#onOutcome = options.onOutcome ?? (() => {});
  }

  /** Whether voice notes can be transcribed at all (the replies say "write or send a voice note"). */
  get enabled(): boolean {
    return this.#media !== undefined && this.#transcriber !== undefined;
  }

  async read(
    note: { mediaId: string; mimeType?: string; url?: string; sha256?: string },
    language: Language,
  ): Promise<VoiceNoteReading> {
    const started = performance.now();
    const reading = await this.#read(note, language);
    const outcome = 'text' in reading ? 'transcribed' : reading.failure;
    this.#onOutcome(outcome);
    // The words stay out of the logs: only how it went, how long it took and how much was said.
    log.info(
      {
        event: 'voice_note.read',
        outcome,
        ms: Math.round(performance.now() - started),
        ...('text' in reading ? { characters: reading.text.length } : {}),
      },
      'text' in reading ? 'voice note transcribed' : 'voice note not transcribed',
    );
    return reading;
  }

  async #read(
    note: { mediaId: string; mimeType?: string; url?: string; sha256?: string },
    language: Language,
  ): Promise<VoiceNoteReading> {
    if (!this.#media || !this.#transcriber) return { failure: 'not_configured' };
    // The webhook names the format: an AMR note is refused before it is fetched.
    if (note.mimeType !== undefined && !audioFileExtension(note.mimeType)) return { failure: 'unsupported_format' };
    try {
      const audio = await this.#media.download(note.mediaId, {
        maxBytes: this.#maxBytes,
        ...(note.url !== undefined && { url: note.url }),
        ...(note.sha256 !== undefined && { sha256: note.sha256 }),
      });
      if (!audioFileExtension(audio.mimeType)) return { failure: 'unsupported_format' };
      const text = (await this.#transcriber.transcribe(audio, language)).trim();
      if (isSilence(text)) return { failure: 'empty_transcript' };
      return { text };
    } catch (error) {
      if (error instanceof VoiceNoteFailure) {
        log.warn({ event: 'voice_note.failed', reason: error.reason, error: error.message }, 'voice note failed');
        return { failure: error.reason };
      }
      log.error({ event: 'voice_note.failed', error: String(error) }, 'voice note failed unexpectedly');
      return { failure: 'transcription_failed' };
    }
  }
}
