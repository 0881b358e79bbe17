import { zodResponseFormat } from 'openai/helpers/zod';
import { z } from 'zod';
import { ANY_BARBER, ClockTime, Language } from '../../../config/schema.ts';
import {
  CUSTOMER_EVENT_TYPES,
  CustomerEvent,
  type CustomerEventType,
  InfoTopic,
  MOST_IN_GROUP,
  YES_EVENTS,
} from '../../../machines/events.ts';
import type { Situation } from '../rules/index.ts';

/**
 * Digressions the model may always answer with: the machine handles them in every state, and a
 * customer asking for prices mid-booking should not be read as "not understood".
 */
export const ALWAYS_ALLOWED: readonly CustomerEventType[] = ['ASK_INFO', 'SET_LANGUAGE', 'HELP'];

/**
 * The event types the model may answer with in this situation, in the order the events module
 * lists them. Never a yes: the model may read a time or a cancellation, but the customer agrees
 * to it themselves (YES_EVENTS).
 */
export function allowedEventTypes(situation: Situation): CustomerEventType[] {
  return CUSTOMER_EVENT_TYPES.filter(
    (type) =>
      !BUTTON_ONLY.includes(type) &&
      !YES_EVENTS.includes(type) &&
      // A shop with one chair has no barber to name.
      !(type === 'SELECT_BARBER' && situation.shop.barbers.length === 0) &&
      // Only a chain has locations to pick among.
      !(type === 'SELECT_LOCATION' && !isChain(situation.shop)) &&
      (situation.accepts.has(type) || ALWAYS_ALLOWED.includes(type)),
  );
}

/** Whether the shop is a chain whose customers pick among its locations (more than one behind the number). */
export function isChain(shop: Pick<Situation['shop'], 'locations'>): boolean {
  return (shop.locations?.length ?? 0) > 1;
}

/**
 * Events that name one of the customer's appointments by id: only a tapped row or reminder button
 * carries one. The model never sees appointment ids, so it may not produce these.
 */
const BUTTON_ONLY: readonly CustomerEventType[] = ['SELECT_BOOKING', 'CONFIRM_ATTENDANCE'];

type EventOption = (typeof CustomerEvent.options)[number];

/**
 * The zod schema of the model's answer: `{ events: [...] }` with exactly the allowed events. The
 * machine's own event schemas are reused, narrowed to this shop where the shop knows the values
 * (service ids, languages) so that a strict provider cannot even produce anything else.
 */
export function answerSchema(situation: Situation) {
  const { shop } = situation;
  const serviceIds = shop.services.map((service) => service.id) as [string, ...string[]];
  const languages = Language.options.filter((language) => shop.languages.supported.includes(language));
  const allowed = new Set(allowedEventTypes(situation));
  const options = CustomerEvent.options
    .filter((option) => allowed.has(option.shape.type.value))
    .map((option): EventOption | z.ZodObject => {
      switch (option.shape.type.value) {
        case 'SELECT_SERVICE':
          return option.extend({ serviceId: z.enum(serviceIds).describe('one of the service ids listed') });
        case 'SELECT_SERVICES':
          return option.extend({
            serviceIds: z
              .array(z.enum(serviceIds))
              .min(2)
              .max(MOST_IN_GROUP)
              .describe('one service id per person when several people book together, the customer first'),
          });
        case 'SELECT_BARBER':
          return option.extend({
            barberId: z
              .enum([ANY_BARBER, ...shop.barbers.map((barber) => barber.id)])
              .describe(`one of the barber ids listed, or "${ANY_BARBER}" when the customer does not mind who`),
          });
        case 'SELECT_LOCATION':
          return option.extend({
            locationId: z
              .enum((shop.locations ?? []).map((location) => location.id) as [string, ...string[]])
              .describe('one of the location ids listed'),
          });
        case 'SET_LANGUAGE':
          return option.extend({ language: z.enum(languages as [Language, ...Language[]]) });
        case 'PICK_DATE':
          return option.extend({
            date: z
              .string()
              .regex(/^\d{4}-\d{2}-\d{2}$/)
              .describe('a day in the shop calendar, YYYY-MM-DD'),
          });
        case 'UNCLEAR_DATE':
          return option.extend({
            dates: z
              .array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/))
              .length(2)
              .describe('the two days in the shop calendar, YYYY-MM-DD, a day said could mean, the sooner first'),
          });
        case 'PICK_TIME':
          return option.extend({ time: ClockTime.describe('a 24-hour wall-clock time in the shop, HH:mm') });
        // A question names only what the shop has; the answer itself is written from the config.
        case 'ASK_INFO':
          return z.object({
            type: option.shape.type,
            topic: InfoTopic,
            serviceId: z.enum(serviceIds).nullable().describe('the service asked about, if one is named'),
            barberId: idsOrNone(shop.barbers.map((barber) => barber.id)).describe(
              'the barber asked about, if one is named',
            ),
            date: z
              .string()
              .regex(/^\d{4}-\d{2}-\d{2}$/)
              .nullable()
              .describe('the day asked about (its hours), YYYY-MM-DD'),
            faqId: idsOrNone(shop.faq.map((entry) => entry.id)).describe(
              'for topic "faq": the id of the FAQ entry that answers the question',
            ),
          });
        // The model cannot know appointment ids: it says what the customer wants, the machine asks which.
        case 'CANCEL_BOOKING':
        case 'MOVE_BOOKING':
          return z.object({ type: option.shape.type });
        default:
          return option;
      }
    });
  return z.object({
    events: z
      .array(z.union(options as [z.ZodObject, ...z.ZodObject[]]))
      .describe('what the customer asks for, in order'),
  });
}

/** One of `ids`, or null (a shop without barbers or FAQ has none to name). */
function idsOrNone(ids: string[]) {
  return ids.length > 0 ? z.enum(ids as [string, ...string[]]).nullable() : z.null();
}

/**
 * The `response_format` for chat completions. The openai helper turns unions into `anyOf` (strict
 * mode rejects the `oneOf` that zod 4 itself emits for discriminated unions) and wraps them in the
 * object root that strict mode requires.
 */
export function responseFormatFor(situation: Situation) {
  return zodResponseFormat(answerSchema(situation), 'customer_events');
}
