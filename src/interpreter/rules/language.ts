import type { Language } from '../../../config/schema.ts';
import { LANGUAGE_MARKERS } from './words.ts';

/**
 * Words a customer answers with in either language ("ok", "yes", "gracias", "hola"): in the middle
 * of a conversation they say nothing about the language it should go on in. A Spanish speaker
 * types "ok" and "yes"; an English speaker learns "gracias".
 */
const COURTESIES: ReadonlySet<string> = new Set([
  'yes',
  'ok',
  'okay',
  'thanks',
  'thank',
  'please',
  'hi',
  'hello',
  'si',
  'gracias',
  'vale',
  'hola',
  'buenas',
  'buenos',
  'favor',
  'por',
]);

/** Mid-conversation, a message must be at least this long, with this many of the other language's words, to switch. */
const SENTENCE_WORDS = 3;
const CLEAR_MARKERS = 2;

export interface LanguageOptions {
  /**
   * The conversation's first message: the customer has not shown their language yet, so any word
   * that only one language uses ("hello", "hola") settles it. Later, only a clear sentence does.
   */
  opening?: boolean;
}

/**
 * The language a message is written in, when its words say so clearly; undefined for messages
 * that could be either ("ok", "17:00", "2"). After the first message, short answers (yes, ok,
 * gracias, a number, an emoji) never say so: a switch needs a sentence in the other language (an
 * explicit request is read elsewhere), so one "yes" does not turn a Spanish conversation English.
 */
export function languageOf(folded: string, { opening = true }: LanguageOptions = {}): Language | undefined {
  const words = folded.split(' ').filter(Boolean);
  const counted = opening ? words : words.filter((word) => !COURTESIES.has(word));
  const score = (language: Language) =>
    counted.filter((word) => (LANGUAGE_MARKERS[language] as readonly string[]).includes(word)).length;
  const [en, es] = [score('en'), score('es')];
  if (en === es) return undefined;
  if (!opening && (words.length < SENTENCE_WORDS || Math.max(en, es) < CLEAR_MARKERS)) return undefined;
  return en > es ? 'en' : 'es';
}
