import OpenAI, { APIConnectionTimeoutError, APIError, toFile } from 'openai';
import { z } from 'zod';
import type { Language } from '../../config/schema.ts';
import { type Media, type Transcriber, VoiceNoteFailure } from '../../src/engine/ports.ts';
import { audioFileExtension } from '../../src/engine/voice-notes.ts';

/** How long one try of a transcription may take (there is one retry): a minute of speech takes Whisper a few seconds. */
export const TRANSCRIPTION_TIMEOUT_MS = 10_000;

export interface OpenAiTranscriberOptions {
  baseURL: string;
  apiKey: string;
  model: string;
  timeoutMs?: number;
}

/** The transcription's answer with `response_format: 'json'`: only the text is read. */
const Transcript = z.looseObject({ text: z.string() });

/**
 * Speech to text through an OpenAI-compatible `POST /audio/transcriptions` (OpenAI's or Groq's
 * Whisper, a local whisper.cpp server), with the openai SDK: the audio goes up as a multipart
 * file named by its format, the conversation's language as the hint.
 *
 * @example
 * const transcriber = new OpenAiTranscriber({ baseURL: 'https://api.groq.com/openai/v1', apiKey, model: 'whisper-large-v3-turbo' });
 * await transcriber.transcribe({ bytes, mimeType: 'audio/ogg; codecs=opus' }, 'es');
 */
export class OpenAiTranscriber implements Transcriber {
  readonly #client: OpenAI;
  readonly #model: string;

  constructor(options: OpenAiTranscriberOptions) {
    this.#model = options.model;
    // One retry at most: the customer is waiting, and "please write it" is a fine answer.
    this.#client = new OpenAI({
      baseURL: options.baseURL,
      apiKey: options.apiKey,
      timeout: options.timeoutMs ?? TRANSCRIPTION_TIMEOUT_MS,
      maxRetries: 1,
    });
  }

  async transcribe(audio: Media, language: Language): Promise<string> {
    const extension = audioFileExtension(audio.mimeType);
    if (!extension) throw new VoiceNoteFailure('unsupported_format', audio.mimeType);
    const file = await toFile(audio.bytes, `voice-note.${extension}`, { type: audio.mimeType.split(';')[0]!.trim() });
    let answer: unknown;
    try {
      answer = await this.#client.audio.transcriptions.create({
        file,
        model: this.#model,
        language,
        response_format: 'json',
        temperature: 0,
      });
    } catch (error) {
      if (error instanceof APIConnectionTimeoutError) throw new VoiceNoteFailure('transcription_timeout');
      if (error instanceof APIError && error.status !== undefined && error.status < 500 && error.status !== 429) {
        throw new VoiceNoteFailure('transcription_refused', `HTTP ${error.status}`);
      }
      const status = error instanceof APIError && error.status !== undefined ? `HTTP ${error.status}` : 'unreachable';
      throw new VoiceNoteFailure('transcription_failed', status);
    }
    const parsed = Transcript.safeParse(answer);
    if (!parsed.success) throw new VoiceNoteFailure('transcription_failed', 'the answer has no text');
    return parsed.data.text;
  }
}
