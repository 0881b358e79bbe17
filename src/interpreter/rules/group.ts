import type { ShopConfig } from '../../../config/schema.ts';
import { MOST_IN_GROUP } from '../../../machines/events.ts';
import { serviceNamedIn } from './services.ts';
import { fold, hasPhrase } from './text.ts';
import { CHILDREN } from './words.ts';

/** "dos cortes", "two haircuts": how many people a number before a service stands for. */
const COUNTS: Record<string, number> = { dos: 2, two: 2, '2': 2, tres: 3, three: 3, '3': 3 };

/** Someone coming along ("para mí y para mi hijo", "for me and my son"). */
// biome-ignore format: word lists read best several to a line
const ALONG = [
  'para mi y para mi', 'para mi y mi', 'para mi y otro para mi', 'y otro para mi', 'y otra para mi',
  'for me and my', 'for me and one for my', 'and one for my',
];

/**
 * The services of a request for several people, one each, the customer's own first: "dos cortes"
 * is two haircuts; "un corte para mí y para mi hijo" is a haircut and, for the child, the service
 * that refines it (the kids' cut). Undefined for a request for one person or one the rules cannot
 * split (then it is read as a single service, and the customer can ask again).
 *
 * @example
 * groupNamedIn('dos cortes el sabado a las 11', shop) // ['corte', 'corte']
 * groupNamedIn('un corte para mi y para mi hijo', shop) // ['corte', 'infantil']
 */
/** Two people said as one ("corte para los dos", "haircut for both of us"): the service named, twice. */
// biome-ignore format: word lists read best several to a line
const BOTH = [
  'para los dos', 'para las dos', 'los dos', 'las dos', 'para ambos', 'ambos', 'for both of us', 'both of us',
  'for the two of us', 'the two of us', 'for us both', 'us both',
];

export function groupNamedIn(folded: string, shop: ShopConfig): string[] | undefined {
  // "las dos cosas" is both services for one person.
  const both = BOTH.find((phrase) => hasPhrase(folded, phrase) && !hasPhrase(folded, `${phrase} cosas`));
  if (both) {
    const serviceId = serviceNamedIn(` ${folded} `.replace(` ${both} `, ' ').trim(), shop);
    return serviceId ? [serviceId, serviceId] : undefined;
  }
  // The service must follow the number: "el 2 de diciembre, corte" is one haircut.
  const counted = /(?:^| )(dos|two|tres|three|2|3) (\p{L}+)(.*)$/u.exec(folded);
  if (counted) {
    const [, count, noun, rest] = counted;
    const serviceId =
      serviceStartingWith(`${singular(noun)}${rest}`, shop) ?? serviceStartingWith(`${noun}${rest}`, shop);
    const people = COUNTS[count];
    if (serviceId && people <= MOST_IN_GROUP) return Array.from({ length: people }, () => serviceId);
  }
  const along = ALONG.find((phrase) => hasPhrase(folded, phrase));
  if (!along) return undefined;
  const [own, other] = [folded.slice(0, folded.indexOf(along)), folded.slice(folded.indexOf(along) + along.length)];
  const child = CHILDREN.some((word) => hasPhrase(other, word));
  // "Para mí y mi hijo" at a barbershop, no service named: a haircut each, the kids' one for the child.
  const kidsService = child ? shop.services.find((s) => s.refines !== undefined) : undefined;
  const ownService = serviceNamedIn(own, shop) ?? serviceNamedIn(withoutChildren(folded), shop) ?? kidsService?.refines;
  if (!ownService) return undefined;
  const kids = child ? shop.services.find((s) => s.refines === ownService) : undefined;
  const otherService = serviceNamedIn(withoutChildren(other), shop);
  return [ownService, kids?.id ?? otherService ?? ownService];
}

/** The service whose name or synonym the text starts with (the longest, so "corte y barba" beats "corte"). */
function serviceStartingWith(text: string, shop: ShopConfig): string | undefined {
  let best: { id: string; length: number } | undefined;
  for (const service of shop.services) {
    for (const phrase of [service.name.es, service.name.en, ...service.synonyms].map(fold)) {
      const starts = text === phrase || text.startsWith(`${phrase} `);
      if (starts && phrase.length > (best?.length ?? 0)) best = { id: service.id, length: phrase.length };
    }
  }
  return best?.id;
}

/** "cortes" → "corte", "haircuts" → "haircut": enough for the services' own words. */
function singular(word: string): string {
  return word.endsWith('s') ? word.slice(0, -1) : word;
}

function withoutChildren(folded: string): string {
  return folded
    .split(' ')
    .filter((word) => !CHILDREN.includes(word))
    .join(' ');
}
