import { ANY_BARBER, type ShopConfig } from '../../../config/schema.ts';
import type { CustomerEvent, Question } from '../../../machines/events.ts';
import { fold, hasPhrase } from './text.ts';

/** How a question starts when the customer leaves out the "?". */
const QUESTION_OPENERS =
  /^(?:(?:y|and|oye|hey|hi|hola|buenas) )?(?:cuanto|cuanta|cuantos|cuantas|que|q|como|donde|cuando|a que|hasta que|se puede|puedo pagar|aceptais|aceptan|hay|how|what|where|when|do you|does|did|are you|is|can i pay|can you|do i|will)\b/;

/** Whether the customer asks (a "?", "¿", or a question's opening words) rather than tells. */
export function isQuestion(text: string, folded: string): boolean {
  return /[?¿]/.test(text) || QUESTION_OPENERS.test(folded);
}

/** Words that, asked with a barber's name, ask when that barber works ("¿trabaja Lucía el sábado?", "is Javi in?"). */
// biome-ignore format: a word list
const WORKS = [
  'trabaja', 'trabajan', 'curra', 'esta', 'estara', 'viene', 'dias', 'que dias', 'horario', 'work', 'works', 'working',
  'in', 'around', 'there', 'days', 'hours', 'off', 'libra', 'descansa',
];

/** Asked with a day: the shop's hours that day ("¿a qué hora abren el sábado?", "are you open sunday?"). */
// biome-ignore format: a word list
const OPENS = [
  'abren', 'abris', 'abre', 'abrir', 'abierto', 'abiertos', 'abierta', 'cierran', 'cerrais', 'cierra', 'cerrado',
  'open', 'opening', 'close', 'closing', 'closed',
];

/**
 * The FAQ entries of the shop a message asks about, by their keywords in either language (a
 * message in Spanish may say "parking").
 */
export function faqAskedIn(folded: string, shop: ShopConfig): string[] {
  return shop.faq
    .filter((entry) => [...entry.keywords.es, ...entry.keywords.en].some((keyword) => hasPhrase(folded, fold(keyword))))
    .map((entry) => entry.id);
}

export interface WhatIsSaid {
  topics: Question['topic'][];
  serviceId?: string;
  barberId?: string;
  date?: string;
  time?: string;
}

/**
 * The questions a message asks about the shop, each with what it names: "¿cuánto cobra Lucía por
 * un corte?" is the price of a haircut with Lucía, "¿a qué hora abren el sábado?" Saturday's
 * hours, "is Javi in on Friday?" Javi's hours on Friday, "¿se puede pagar con tarjeta?" the FAQ
 * entry on cards. Empty when it asks none of those.
 */
export function questionsIn(folded: string, shop: ShopConfig, said: WhatIsSaid): CustomerEvent[] {
  const barberId = said.barberId === ANY_BARBER ? undefined : said.barberId;
  const topics = new Set(said.topics);
  // "¿Trabaja Lucía el sábado?": a barber asked after, with no time to book, asks when they work.
  if (barberId && !said.time && WORKS.some((word) => hasPhrase(folded, word))) topics.add('hours');
  if (said.date && OPENS.some((word) => hasPhrase(folded, word))) topics.add('hours');
  const details = (topic: Question['topic']): Partial<Question> => {
    if (topic === 'prices' || topic === 'services') {
      return { ...(said.serviceId && { serviceId: said.serviceId }), ...(barberId && { barberId }) };
    }
    if (topic === 'hours') return { ...(barberId && { barberId }), ...(said.date && { date: said.date }) };
    return {};
  };
  const events: CustomerEvent[] = [...topics].map((topic) => ({ type: 'ASK_INFO', topic, ...details(topic) }));
  for (const faqId of faqAskedIn(folded, shop)) events.push({ type: 'ASK_INFO', topic: 'faq', faqId });
  return events;
}
