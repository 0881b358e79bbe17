import type { Language, ShopConfig } from '../../config/schema.ts';

/**
 * Calling codes of countries whose people most likely read one of cita's languages. Longest codes
 * first where they overlap: +1 809 (Dominican Republic) before +1 (US, Canada).
 */
const CALLING_CODES: [prefix: string, language: Language][] = [
  // Spanish: Spain, Mexico and Central America, South America, the Caribbean, Equatorial Guinea.
  ...['1809', '1829', '1849', '1787', '1939'].map((code): [string, Language] => [code, 'es']),
  ...[
    '34',
    '52',
    '53',
    '54',
    '56',
    '57',
    '58',
    '51',
    '502',
    '503',
    '504',
    '505',
    '506',
    '507',
    '591',
    '593',
    '595',
    '598',
    '240',
  ].map((code): [string, Language] => [code, 'es']),
  // English: US and Canada, UK, Ireland, Australia, New Zealand.
  ...['1', '44', '353', '61', '64'].map((code): [string, Language] => [code, 'en']),
].sort(([a], [b]) => b.length - a.length);

/**
 * The language a phone number most likely reads, for a first message with no words in it (a
 * photo, a voice note): the country's, when the shop speaks it, else the shop's default. A word
 * from the customer always outweighs it.
 *
 * @example
 * languageOfPhone('447700900001', shop); // 'en'
 */
export function languageOfPhone(phone: string, shop: ShopConfig): Language {
  const match = CALLING_CODES.find(([prefix]) => phone.startsWith(prefix));
  return match && shop.languages.supported.includes(match[1]) ? match[1] : shop.languages.default;
}
