/**
 * Numbers as customers write them in words, 0 to 59, in Spanish and English ("cinco", "veinticinco",
 * "treinta y cinco", "forty five", "twenty-one"), and ordinals of days ("primero", "1st", "twenty-first").
 * Input is folded text (lower case, no accents).
 */

// biome-ignore format: a table
const UNITS: Record<string, number> = {
  cero: 0, un: 1, uno: 1, una: 1, dos: 2, tres: 3, cuatro: 4, cinco: 5, seis: 6, siete: 7, ocho: 8, nueve: 9, diez: 10,
  once: 11, doce: 12, trece: 13, catorce: 14, quince: 15, dieciseis: 16, diecisiete: 17, dieciocho: 18,
  diecinueve: 19, veinte: 20, veintiuno: 21, veintiun: 21, veintiuna: 21, veintidos: 22, veintitres: 23,
  veinticuatro: 24, veinticinco: 25, veintiseis: 26, veintisiete: 27, veintiocho: 28, veintinueve: 29,
  zero: 0, oh: 0, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
  eleven: 11, twelve: 12, thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16, seventeen: 17, eighteen: 18,
  nineteen: 19,
};
const TENS: Record<string, number> = {
  treinta: 30,
  cuarenta: 40,
  cincuenta: 50,
  twenty: 20,
  thirty: 30,
  forty: 40,
  fifty: 50,
};

// biome-ignore format: a table
const ORDINAL_UNITS: Record<string, number> = {
  primero: 1, primer: 1, primera: 1, segundo: 2, tercero: 3, tercer: 3, cuarto: 4, quinto: 5, sexto: 6, septimo: 7,
  octavo: 8, noveno: 9, decimo: 10, first: 1, second: 2, third: 3, fourth: 4, fifth: 5, sixth: 6, seventh: 7,
  eighth: 8, ninth: 9, tenth: 10, eleventh: 11, twelfth: 12, thirteenth: 13, fourteenth: 14, fifteenth: 15,
  sixteenth: 16, seventeenth: 17, eighteenth: 18, nineteenth: 19, twentieth: 20, thirtieth: 30,
};
const ORDINAL_TENS: Record<string, number> = { vigesimo: 20, trigesimo: 30, twenty: 20, thirty: 30 };

/** A number at `words[at]` (one to three words, or digits): its value and how many words it took. */
export function numberAt(words: readonly string[], at: number): { value: number; length: number } | undefined {
  const word = words[at];
  if (word === undefined) return undefined;
  if (/^\d{1,2}$/.test(word)) return { value: Number(word), length: 1 };
  const [first, second] = word.split('-');
  if (second !== undefined && TENS[first] !== undefined && UNITS[second] !== undefined && UNITS[second] < 10) {
    return { value: TENS[first] + UNITS[second], length: 1 };
  }
  if (UNITS[word] !== undefined) return { value: UNITS[word], length: 1 };
  const tens = TENS[word];
  if (tens === undefined) return undefined;
  // "treinta y cinco", "forty five"
  const joined = words[at + 1] === 'y' ? 2 : 1;
  const unit = UNITS[words[at + joined] ?? ''];
  if (unit !== undefined && unit >= 1 && unit <= 9) return { value: tens + unit, length: joined + 1 };
  return { value: tens, length: 1 };
}

/** A day of the month as an ordinal: "1st", "1ro", "primero", "twenty-first", "vigesimo segundo". */
export function ordinalAt(words: readonly string[], at: number): { value: number; length: number } | undefined {
  const word = words[at];
  if (word === undefined) return undefined;
  const digits = /^(\d{1,2})(?:st|nd|rd|th|ro|do|to|vo|no|o|a|º|ª)$/.exec(word);
  if (digits) return { value: Number(digits[1]), length: 1 };
  const [first, second] = word.split('-');
  if (second !== undefined && ORDINAL_TENS[first] && ORDINAL_UNITS[second] && ORDINAL_UNITS[second] < 10) {
    return { value: ORDINAL_TENS[first] + ORDINAL_UNITS[second], length: 1 };
  }
  if (ORDINAL_UNITS[word] !== undefined) return { value: ORDINAL_UNITS[word], length: 1 };
  const tens = ORDINAL_TENS[word];
  const unit = ORDINAL_UNITS[words[at + 1] ?? ''];
  if (tens !== undefined && unit !== undefined && unit < 10) return { value: tens + unit, length: 2 };
  return undefined;
}
