import type { Env } from '../../src/env.ts';
import { OpenAiTranscriber } from './openai-transcriber.ts';

/** OpenAI's transcription endpoint and model; Groq and local servers are set with TRANSCRIPTION_BASE_URL. */
export const DEFAULT_TRANSCRIPTION_BASE_URL = 'https://api.openai.com/v1';
export const DEFAULT_TRANSCRIPTION_MODEL = 'whisper-1';

/** The transcriber TRANSCRIPTION_API_KEY switches on; undefined without it (voice notes get "please write"). */
export function transcriberFromEnv(env: Env): OpenAiTranscriber | undefined {
  if (!env.TRANSCRIPTION_API_KEY) return undefined;
  return new OpenAiTranscriber({
    baseURL: env.TRANSCRIPTION_BASE_URL ?? DEFAULT_TRANSCRIPTION_BASE_URL,
    apiKey: env.TRANSCRIPTION_API_KEY,
    model: env.TRANSCRIPTION_MODEL ?? DEFAULT_TRANSCRIPTION_MODEL,
    timeoutMs: env.TRANSCRIPTION_TIMEOUT_MS,
  });
}
