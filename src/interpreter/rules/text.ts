/**
 * Text as the rules compare it: lower case, accents and punctuation gone, single spaces.
 * "¿Cuánto cuesta?" and "cuanto cuesta" read the same.
 */
export function fold(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .replace(/[^\p{L}\p{N}:/.\s']/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Whether `phrase` (already folded) appears in `folded` as whole words. */
export function hasPhrase(folded: string, phrase: string): boolean {
  // Most phrases asked about are not in the message at all: found out without padding either.
  return folded.includes(phrase) && ` ${folded} `.includes(` ${phrase} `);
}

/** The first of `phrases` found in `folded`, longest first so "corte y barba" wins over "corte". */
export function findPhrase(folded: string, phrases: readonly string[]): string | undefined {
  const padded = ` ${folded} `;
  for (const [phrase, spaced] of longestFirst(phrases)) if (padded.includes(spaced)) return phrase;
  return undefined;
}

/**
 * The rules' phrase lists are constants, asked about on every message: each is sorted once, and
 * each phrase padded with spaces once, not on every call. A list is never changed once asked about.
 */
function longestFirst(phrases: readonly string[]): readonly (readonly [phrase: string, spaced: string])[] {
  let sorted = SORTED.get(phrases);
  if (!sorted) {
    sorted = [...phrases].sort((a, b) => b.length - a.length).map((phrase) => [phrase, ` ${phrase} `] as const);
    SORTED.set(phrases, sorted);
  }
  return sorted;
}

const SORTED = new WeakMap<readonly string[], readonly (readonly [string, string])[]>();
