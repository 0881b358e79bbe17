import type { ShopConfig } from '../../../config/schema.ts';
import { fold, hasPhrase } from './text.ts';

/**
 * The service a message names, by its name in either language or a synonym from the config.
 * The longest match wins, so "corte y barba" is the combined service, not a haircut.
 */
export function serviceNamedIn(folded: string, shop: ShopConfig): string | undefined {
  const candidates = shop.services.flatMap((service) =>
    [service.name.es, service.name.en, ...service.synonyms].map((phrase) => ({ id: service.id, phrase: fold(phrase) })),
  );
  candidates.sort((a, b) => b.phrase.length - a.phrase.length);
  return candidates.find(({ phrase }) => hasPhrase(folded, phrase))?.id;
}
