import type { z } from 'zod';
import type { Language, Service, ShopConfig } from '../../config/schema.ts';
import { LIST_ROWS, SERVICES_PER_PAGE, servicePageCount } from '../../machines/booking.machine.ts';
import { price } from './format.ts';
import { replyIdFor } from './reply-ids.ts';
import type { Copy } from './views.ts';
import { LIMITS, type ListMessage, type ListRow, shorten } from './whatsapp.ts';

type List = z.infer<typeof ListMessage>;
type Section = List['sections'][number];

/**
 * The services in the order the list shows them: grouped by category, the categories in the
 * order the config first names them, services in config order within each.
 */
export function servicesInListOrder(shop: ShopConfig, language: Language): Service[] {
  const categories = [...new Set(shop.services.map((service) => service.category?.[language]))];
  return categories.flatMap((category) => shop.services.filter((service) => service.category?.[language] === category));
}

/**
 * The service list of one page: sections by category when the config gives categories, and a
 * "more services" row when the shop has more services than one WhatsApp list holds (10 rows).
 * Titles are cut to WhatsApp's 24 characters so that no two look the same; a cut title's row
 * carries the full name in its description.
 *
 * @example
 * servicesList(shop, 'es', copy, 'Elige un servicio', 1); // the second page
 */
export function servicesList(shop: ShopConfig, language: Language, copy: Copy, body: string, page = 0): List {
  const ordered = servicesInListOrder(shop, language);
  const titles = distinctTitles(
    ordered.map((service) => service.name[language]),
    LIMITS.rowTitle,
  );
  const pages = servicePageCount(ordered.length);
  const perPage = pages === 1 ? LIST_ROWS : SERVICES_PER_PAGE;
  const first = (page % pages) * perPage;
  const shown = ordered.slice(first, first + perPage).map((service, i) => ({
    service,
    row: serviceRow(service, titles[first + i]!, shop, language, copy),
  }));
  const categorised = shop.services.some((service) => service.category);
  const sections: Section[] = [];
  for (const { service, row } of shown) {
    const title = categorised ? (service.category?.[language] ?? copy.otherServices) : undefined;
    const last = sections.at(-1);
    if (last && last.title === title) last.rows.push(row);
    else sections.push({ ...(title ? { title } : {}), rows: [row] });
  }
  if (pages > 1) {
    const more: ListRow = {
      id: replyIdFor({ type: 'MORE_SERVICES' }),
      title: copy.buttons.moreServices,
      description: copy.buttons.moreServicesDescription(((page + 1) % pages) + 1, pages),
    };
    if (categorised) sections.push({ title: copy.buttons.moreServices, rows: [more] });
    else sections.at(-1)?.rows.push(more);
  }
  return { kind: 'list', body, button: copy.buttons.services, sections };
}

function serviceRow(service: Service, title: string, shop: ShopConfig, language: Language, copy: Copy): ListRow {
  const name = service.name[language];
  const facts = `${copy.minutes(service.durationMinutes)} · ${price(service.price, shop, language)}`;
  // A cut title is completed by the description, so the customer always reads the whole name.
  const description = title === name ? `${facts} · ${service.description[language]}` : `${name} · ${facts}`;
  return {
    id: replyIdFor({ type: 'SELECT_SERVICE', serviceId: service.id }),
    title,
    description: shorten(description, LIMITS.rowDescription),
  };
}

/**
 * Titles of at most `limit` characters, no two alike. A name that fits is kept; names that would be
 * cut to the same title ("Servicio de peluquería…") keep their start and the words that tell them
 * apart ("Servicio… caballero"); any still alike are numbered.
 */
export function distinctTitles(names: string[], limit: number): string[] {
  let titles = names.map((name) => shorten(name, limit));
  titles = retitleDuplicates(titles, (i) => {
    const group = names.filter((_, j) => titles[j] === titles[i]);
    return keepDistinctEnd(names[i]!, commonWords(group), limit);
  });
  return retitleDuplicates(titles, (i) => shorten(`${i + 1}. ${names[i]}`, limit));
}

function retitleDuplicates(titles: string[], retitle: (index: number) => string): string[] {
  const seen = new Map<string, number>();
  for (const title of titles) seen.set(title, (seen.get(title) ?? 0) + 1);
  return titles.map((title, i) => ((seen.get(title) ?? 0) > 1 ? retitle(i) : title));
}

/** How many leading words all the names share. */
function commonWords(names: string[]): number {
  const split = names.map((name) => name.split(/\s+/));
  let shared = 0;
  while (split.every((words) => words[shared] !== undefined && words[shared] === split[0]![shared])) shared += 1;
  return shared;
}

/** "Servicio de peluquería para caballero" with 3 shared words → "Servicio… para caballero". */
function keepDistinctEnd(name: string, sharedWords: number, limit: number): string {
  const words = name.split(/\s+/);
  const rest = words.slice(sharedWords).join(' ');
  if (rest.length + 2 > limit) return `… ${lastWords(rest, limit - 2)}`;
  return `${shorten(words.slice(0, sharedWords).join(' '), limit - rest.length - 1)} ${rest}`.trim();
}

/** The end of a text in at most `limit` characters, starting at a word where it can. */
function lastWords(text: string, limit: number): string {
  const tail = text.slice(-limit);
  const startsAtWord = tail.length === text.length || text[text.length - tail.length - 1] === ' ';
  const firstSpace = tail.indexOf(' ');
  return (startsAtWord || firstSpace === -1 ? tail : tail.slice(firstSpace + 1)).trim();
}
