import type { ShopConfig } from '../../../config/schema.ts';
import { fold, hasPhrase } from './text.ts';

/**
 * The location of a chain a message names ("en Gràcia", "la del centro") by its name or a synonym.
 * Undefined for a shop without locations, and when two are named (the customer is asked instead).
 *
 * @example
 * locationNamedIn('un corte en gracia', chain) // 'gracia'
 */
export function locationNamedIn(folded: string, shop: ShopConfig): string | undefined {
  const named = (shop.locations ?? []).filter((location) =>
    [location.name, ...location.synonyms].some((name) => hasPhrase(folded, fold(name))),
  );
  return named.length === 1 ? named[0].id : undefined;
}
