import { ANY_BARBER, type ShopConfig } from '../../../config/schema.ts';
import { fold, hasPhrase } from './text.ts';

/** "Anyone" said with a word for a barber: meant as such wherever it is said. */
// biome-ignore format: word lists read best several to a line
const ANY_BARBER_PHRASES = [
  'cualquier barbero', 'cualquier peluquero', 'con cualquiera', 'el barbero que sea', 'con quien sea',
  'el que este libre', 'quien este libre', 'any barber', 'with anyone', 'whoever is free', 'anyone is fine',
];

/** "Anyone" said alone: meant as a barber only when the bot just asked "with whom?". */
// biome-ignore format: word lists read best several to a line
const ANY_WHEN_ASKED = [
  'me da igual', 'da igual', 'me es igual', 'el que sea', 'la que sea', 'quien sea', 'cualquiera', 'no me importa',
  'el primero que haya', 'anyone', 'anybody', 'whoever', 'any', "don't mind", 'dont mind', "doesn't matter",
  'doesnt matter', 'no preference',
];

/**
 * The barber a message names ("corte con Javi", "¿está Lucía el sábado?", "with Marcos") by name
 * or synonym, or ANY_BARBER for "me da igual", "anyone". Undefined for a shop without barbers,
 * and when two barbers are named (the customer is asked instead of the rules guessing).
 *
 * @example
 * barberNamedIn('quiero un corte con javi el jueves', shop, false) // 'javi'
 * barberNamedIn('me da igual', shop, true) // 'any'
 */
export function barberNamedIn(folded: string, shop: ShopConfig, askedWhichBarber: boolean): string | undefined {
  if (shop.barbers.length === 0) return undefined;
  const named = shop.barbers.filter((barber) =>
    [barber.name, ...barber.synonyms].some((name) => hasPhrase(folded, fold(name))),
  );
  if (named.length === 1) return named[0].id;
  if (named.length > 1) return undefined;
  const anyone = [...ANY_BARBER_PHRASES, ...(askedWhichBarber ? ANY_WHEN_ASKED : [])];
  return anyone.some((phrase) => hasPhrase(folded, fold(phrase))) ? ANY_BARBER : undefined;
}
