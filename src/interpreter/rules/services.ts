import type { ShopConfig } from '../../../config/schema.ts';
import { closestWord } from './fuzzy.ts';
import { fold, hasPhrase } from './text.ts';
import { CHILDREN, EVERYDAY_WORDS } from './words.ts';

/**
 * The service a message names, by its name in either language or a synonym from the config.
 * Services named together resolve as the config says: the combined service for "pelo y barba"
 * ("combines"), the kids' cut for "corte para mi hija" ("refines"); otherwise the longest match
 * wins, so "corte y barba" is the combined service, not a haircut.
 */
export function serviceNamedIn(folded: string, shop: ShopConfig): string | undefined {
  const { phrases, oneWordNames, known } = namesOf(shop);
  const named = new Map<string, number>();
  for (const [phrase, id] of phrases) {
    if (hasPhrase(folded, phrase)) named.set(id, Math.max(named.get(id) ?? 0, phrase.length));
  }
  // "corrte", "barva", "hiarcut": one typo from a one-word name of a service.
  for (const word of folded.split(' ')) {
    if (known.has(word) || EVERYDAY_WORDS.includes(word)) continue;
    const meant = closestWord(word, oneWordNames);
    const id = phrases.find(([name]) => name === meant)?.[1];
    if (id) named.set(id, Math.max(named.get(id) ?? 0, word.length));
  }
  // "Un corte para el crío": the service for a child is the one refining the service named.
  // "Una cita para el crío", no service named: the kids' service, where the shop has exactly one.
  if (CHILDREN.some((word) => hasPhrase(folded, word))) {
    const forKids = shop.services.filter((s) => s.refines !== undefined);
    const kids = named.size === 0 && forKids.length === 1 ? forKids[0] : forKids.find((s) => named.has(s.refines!));
    if (kids) named.set(kids.id, Number.MAX_SAFE_INTEGER);
  }
  if (named.size === 0) return undefined;
  const combined = shop.services.find((s) => s.combines.length > 1 && s.combines.every((id) => named.has(id)));
  if (combined) return combined.id;
  const refined = shop.services.find((s) => s.refines && named.has(s.id) && named.has(s.refines));
  if (refined) return refined.id;
  return [...named].sort((a, b) => b[1] - a[1])[0]?.[0];
}

interface ServiceNames {
  /** Every name and synonym, folded, with its service. */
  phrases: (readonly [string, string])[];
  /** The one-word ones, for typos. */
  oneWordNames: string[];
  /** Every word of every name: a word the shop uses is no typo. */
  known: Set<string>;
}

/** Folded once per shop config, not on every message. */
const NAMES = new WeakMap<ShopConfig, ServiceNames>();

function namesOf(shop: ShopConfig): ServiceNames {
  let names = NAMES.get(shop);
  if (!names) {
    const phrases = shop.services.flatMap((service) =>
      [service.name.es, service.name.en, ...service.synonyms].map((name) => [fold(name), service.id] as const),
    );
    const oneWordNames = phrases.map(([name]) => name).filter((name) => !name.includes(' '));
    names = { phrases, oneWordNames, known: new Set(phrases.flatMap(([name]) => name.split(' '))) };
    NAMES.set(shop, names);
  }
  return names;
}
