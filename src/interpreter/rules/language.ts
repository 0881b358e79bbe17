import type { Language } from '../../../config/schema.ts';
import { LANGUAGE_MARKERS } from './words.ts';

/**
 * The language a message is written in, when its words say so clearly; undefined for messages
 * that could be either ("ok", "17:00", "2").
 */
export function languageOf(folded: string): Language | undefined {
  const words = folded.split(' ');
  const score = (language: Language) =>
    words.filter((word) => (LANGUAGE_MARKERS[language] as readonly string[]).includes(word)).length;
  const [en, es] = [score('en'), score('es')];
  if (en === es) return undefined;
  return en > es ? 'en' : 'es';
}
