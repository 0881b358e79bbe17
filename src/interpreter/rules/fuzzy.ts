import { distance } from 'fastest-levenshtein';

/**
 * The word of `vocabulary` a customer most likely meant by `word` ("mañna" → "manana", "viernees"
 * → "viernes", "hiarcut" → "haircut"), or undefined when none is close enough to be sure. Close
 * means one edit (a letter missing, extra, wrong, or two letters swapped) for words of up to six
 * letters and two for longer ones, with the first letter right (b for v counts), a single best candidate:
 * "partes" is not "martes", and a word of three letters or fewer is never corrected.
 */
export function closestWord(word: string, vocabulary: readonly string[]): string | undefined {
  const closest = closestWords(word, vocabulary);
  return closest.length === 1 ? closest[0] : undefined;
}

/** Every word of `vocabulary` at the smallest distance from `word` that is close enough; [] when none is. */
export function closestWords(word: string, vocabulary: readonly string[]): string[] {
  if (word.length < 4 || /\d/.test(word)) return [];
  const words = wordsOf(vocabulary);
  if (words.has(word)) return [word];
  const allowed = word.length <= 6 ? 1 : 2;
  let best: string[] = [];
  let bestDistance = allowed + 1;
  for (const candidate of words) {
    if (!sameFirstLetter(candidate, word) || Math.abs(candidate.length - word.length) > allowed || candidate.length < 4)
      continue;
    const d = isSwap(word, candidate) ? 1 : distance(word, candidate);
    if (d > allowed) continue;
    if (d < bestDistance) {
      best = [candidate];
      bestDistance = d;
    } else if (d === bestDistance) best.push(candidate);
  }
  return best;
}

/**
 * A vocabulary's words, each once: the rules' vocabularies are constants (or a shop file's), asked
 * about for every word of a short message, so the set is made once per list. A list is never
 * changed once asked about.
 */
function wordsOf(vocabulary: readonly string[]): ReadonlySet<string> {
  let words = VOCABULARIES.get(vocabulary);
  if (!words) {
    words = new Set(vocabulary);
    VOCABULARIES.set(vocabulary, words);
  }
  return words;
}

const VOCABULARIES = new WeakMap<readonly string[], ReadonlySet<string>>();

/** Spanish writers swap b and v ("biernes"): either stands for the other as a first letter. */
function sameFirstLetter(a: string, b: string): boolean {
  return a[0] === b[0] || (isBOrV(a[0]) && isBOrV(b[0]));
}

const isBOrV = (letter: string | undefined) => letter === 'b' || letter === 'v';

/** "hiarcut" and "haircut": the same letters with two neighbours swapped. */
function isSwap(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  const differ = [...a].flatMap((letter, at) => (letter === b[at] ? [] : [at]));
  return (
    differ.length === 2 && differ[1] === differ[0] + 1 && a[differ[0]] === b[differ[1]] && a[differ[1]] === b[differ[0]]
  );
}
