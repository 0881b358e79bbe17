/**
 * Whether a message books for more than one person ("un corte para mí y otro para mi hijo", "dos
 * cortes", "somos dos", "for me and my son"). One booking is one person's: the rules do not read a
 * service, day or time for such a message rather than book one of the two (the LLM, or the
 * customer asked again, settles it). Input is folded text.
 */
export function isForSeveralPeople(folded: string): boolean {
  return SEVERAL.some((pattern) => pattern.test(folded));
}

const PEOPLE =
  '(?:hijo|hija|hijos|nino|nina|crio|hermano|hermana|amigo|amiga|padre|novio|marido|son|daughter|kid|boy|brother|friend|dad|husband|boyfriend)';

const SEVERAL = [
  /\b(?:dos|tres|cuatro|2|3|4|two|three|four) (?:cortes|haircuts|cuts|personas|people|citas|appointments)\b/,
  /\b(?:somos|we are|were|there are) (?:dos|tres|cuatro|2|3|4|two|three|four)\b/,
  /\b(?:los dos|ambos|both of us|the two of us|the both of us)\b/,
  new RegExp(`\\b(?:y|and) (?:otro|otra|another|one) (?:para|for) (?:mi |my |el |la |the )?${PEOPLE}\\b`),
  /\b(?:para mi|for me|for myself) (?:y|and)\b/,
  new RegExp(`\\b(?:mi|my) ${PEOPLE} (?:y|and) (?:para )?(?:mi|me|yo|myself|i)\\b`),
];
