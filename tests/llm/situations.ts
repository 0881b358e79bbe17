import { loadShopConfig } from '../../config/load.ts';
import type { CustomerEventType } from '../../machines/events.ts';
import type { Situation } from '../../src/interpreter/rules/index.ts';
import type { FakeOpenAI } from '../support/fake-openai.ts';

export const shop = loadShopConfig();

/** Tuesday 24 Nov 2026, 10:00 in Madrid. */
export const NOW = new Date('2026-11-24T09:00:00Z');

/** What every state of the booking machine accepts (its root-level transitions). */
const ANYWHERE: CustomerEventType[] = [
  'GREET',
  'SELECT_SERVICE',
  'PICK_DATE',
  'PICK_TIME',
  'PICK_PART_OF_DAY',
  'CHANGE',
  'CANCEL',
  'RESTART',
  'ASK_INFO',
  'SET_LANGUAGE',
  'HELP',
];

/** The customer is looking at Wednesday's free times. */
export function choosingSlot(overrides: Partial<Situation> = {}): Situation {
  return {
    shop,
    now: NOW,
    language: 'es',
    date: '2026-11-25',
    choices: [
      { title: '17:00', event: { type: 'PICK_TIME', time: '17:00' } },
      { title: '17:15', event: { type: 'PICK_TIME', time: '17:15' } },
    ],
    accepts: new Set([...ANYWHERE, 'MORE_TIMES', 'BACK']),
    ...overrides,
  };
}

/** A slot is held and the customer was asked to confirm it. */
export function confirming(overrides: Partial<Situation> = {}): Situation {
  return choosingSlot({
    choices: [{ title: 'Confirmar', event: { type: 'CONFIRM' } }],
    accepts: new Set([...ANYWHERE, 'CONFIRM', 'BACK']),
    ...overrides,
  });
}

/** The event types the JSON schema of a recorded request lets the model answer with. */
export function schemaEventTypes(fake: FakeOpenAI, index = 0): string[] {
  const schema = fake.requests[index].body.response_format?.json_schema.schema as {
    properties: { events: { items: { anyOf: { properties: { type: { const: string } } }[] } } };
  };
  return schema.properties.events.items.anyOf.map((option) => option.properties.type.const).sort();
}
