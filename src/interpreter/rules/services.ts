import type { ShopConfig } from '../../../config/schema.ts';
import { closestWord } from './fuzzy.ts';
import { fold, hasPhrase } from './text.ts';

/**
 * The service a message names, by its name in either language or a synonym from the config.
 * Services named together resolve as the config says: the combined service for "pelo y barba"
 * ("combines"), the kids' cut for "corte para mi hija" ("refines"); otherwise the longest match
 * wins, so "corte y barba" is the combined service, not a haircut.
 */
export function serviceNamedIn(folded: string, shop: ShopConfig): string | undefined {
  const named = new Map<string, number>();
  for (const service of shop.services) {
    for (const phrase of [service.name.es, service.name.en, ...service.synonyms].map(fold)) {
      if (hasPhrase(folded, phrase)) named.set(service.id, Math.max(named.get(service.id) ?? 0, phrase.length));
    }
  }
  // "corrte", "barva", "hiarcut": one typo from a one-word name of a service.
  const oneWordNames = shop.services.flatMap((service) =>
    [service.name.es, service.name.en, ...service.synonyms]
      .map(fold)
      .filter((name) => !name.includes(' '))
      .map((name) => [name, service.id] as const),
  );
  const known = new Set(
    shop.services.flatMap((s) => [s.name.es, s.name.en, ...s.synonyms].flatMap((n) => fold(n).split(' '))),
  );
  for (const word of folded.split(' ')) {
    if (known.has(word)) continue;
    const meant = closestWord(
      word,
      oneWordNames.map(([name]) => name),
    );
    const id = oneWordNames.find(([name]) => name === meant)?.[1];
    if (id) named.set(id, Math.max(named.get(id) ?? 0, word.length));
  }
  if (named.size === 0) return undefined;
  const combined = shop.services.find((s) => s.combines.length > 1 && s.combines.every((id) => named.has(id)));
  if (combined) return combined.id;
  const refined = shop.services.find((s) => s.refines && named.has(s.id) && named.has(s.refines));
  if (refined) return refined.id;
  return [...named].sort((a, b) => b[1] - a[1])[0]?.[0];
}
