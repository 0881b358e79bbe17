import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkAnswer } from '../../src/interpreter/llm/answer.ts';
import { layeredInterpreter } from '../../src/interpreter/llm/index.ts';
import { allowedEventTypes } from '../../src/interpreter/llm/schema.ts';
import { readRules } from '../../src/interpreter/rules/index.ts';
import { situationFor } from '../../src/interpreter/situation.ts';
import { readShopFile } from '../../src/shops/shop-file.ts';
import { citaPerTest, customer, stateOf } from '../support/cita.ts';
import { type RecordedRequest, reply } from '../support/fake-openai.ts';
import { fakeProvider, llmOn } from './llm-test-kit.ts';
import { NOW, schemaEventTypes, shop } from './situations.ts';

/** The example chain: Eixample (Enric Granados 40) and Gràcia (Verdi 12) behind one number. */
const chain = readShopFile(join(import.meta.dirname, '../../examples/shops/la-navaja.json')).config;

/** The chain's customer was just asked which location, with the list of both. */
function choosingLocation() {
  return {
    ...situationFor({ state: 'choosingLocation', now: NOW.toISOString(), language: 'es' }, chain),
    choices: [
      { title: 'Eixample', event: { type: 'SELECT_LOCATION', locationId: 'eixample' } as const },
      { title: 'Gràcia', event: { type: 'SELECT_LOCATION', locationId: 'gracia' } as const },
    ],
  };
}

const systemOf = (request: RecordedRequest) => request.body.messages[0].content;

/** The enum the schema of a recorded request gives SELECT_LOCATION's locationId. */
function locationIdsIn(request: RecordedRequest): unknown {
  const schema = request.body.response_format?.json_schema.schema as {
    properties: { events: { items: { anyOf: { properties: Record<string, { const?: string; enum?: string[] }> }[] } } };
  };
  const option = schema.properties.events.items.anyOf.find((o) => o.properties.type.const === 'SELECT_LOCATION');
  return option?.properties.locationId.enum;
}

const answer = (...events: unknown[]) => JSON.stringify({ events });

describe("the model reads a chain's locations", () => {
  it('is told the locations, their names and addresses, when the customer picks one', async () => {
    const fake = await fakeProvider();
    await llmOn([fake]).interpret('la que está junto al Clínic', choosingLocation());

    const prompt = systemOf(fake.requests[0]);
    expect(prompt).toContain(
      "- eixample: Eixample / enric granados (address: Carrer d'Enric Granados 40, 08008 Barcelona)",
    );
    expect(prompt).toContain('- gracia: Gràcia / gracia / verdi (address: Carrer de Verdi 12, 08012 Barcelona)');
    expect(prompt).toContain("The bot asked at which of the chain's locations the customer wants to book.");
    // Where each barber works, so "con Marcos" and a location can be read together.
    expect(prompt).toContain('marcos: Marcos / marquitos (at gracia)');
    expect(locationIdsIn(fake.requests[0])).toEqual(['eixample', 'gracia']);
  });

  it('is told them wherever a correction is taken, with the location already chosen', async () => {
    const fake = await fakeProvider();
    const confirming = {
      ...situationFor({ state: 'confirming', now: NOW.toISOString(), language: 'es', date: '2026-11-26' }, chain),
      locationId: 'gracia',
    };
    await llmOn([fake]).interpret('uf, mejor en la otra', confirming);

    const prompt = systemOf(fake.requests[0]);
    expect(prompt).toContain('- eixample: Eixample');
    expect(prompt).toContain('Location already chosen: gracia.');
    expect(schemaEventTypes(fake)).toContain('SELECT_LOCATION');
    expect(locationIdsIn(fake.requests[0])).toEqual(['eixample', 'gracia']);
  });

  it('is never offered a location at a shop without locations', async () => {
    const fake = await fakeProvider();
    const single = situationFor({ state: 'choosingService', now: NOW.toISOString(), language: 'es' }, shop);
    expect(single.accepts.has('SELECT_LOCATION')).toBe(true);
    await llmOn([fake]).interpret('en la de Chamberí', single);

    expect(schemaEventTypes(fake)).not.toContain('SELECT_LOCATION');
    expect(systemOf(fake.requests[0])).not.toContain('Locations');
    expect(allowedEventTypes(single)).not.toContain('SELECT_LOCATION');
    expect(checkAnswer(answer({ type: 'SELECT_LOCATION', locationId: 'chamberi' }), single).droppedBy).toEqual({
      notAllowed: 1,
    });
  });

  it('drops a location the chain does not have, and keeps one it has', () => {
    const checked = checkAnswer(
      answer({ type: 'SELECT_LOCATION', locationId: 'chamberi' }, { type: 'SELECT_LOCATION', locationId: 'gracia' }),
      choosingLocation(),
    );
    expect(checked.events).toEqual([{ type: 'SELECT_LOCATION', locationId: 'gracia' }]);
    expect(checked.droppedBy).toEqual({ impossible: 1 });
  });
});

describe('a chain customer the rules do not understand', () => {
  const start = citaPerTest();

  it('books at the location the model reads from the names it was given', async () => {
    const fake = await fakeProvider();
    // A model that can only answer with what the prompt told it: the location whose address it was given.
    fake.respond((request) =>
      systemOf(request).includes("eixample: Eixample / enric granados (address: Carrer d'Enric Granados 40")
        ? reply.events({ type: 'SELECT_LOCATION', locationId: 'eixample' })
        : reply.events(),
    );
    const cita = start({ shop: chain, adapters: { interpreter: layeredInterpreter(readRules, llmOn([fake])) } });
    const carlos = customer(cita);
    await carlos.say('hola');
    expect(await stateOf(cita, carlos.phone)).toBe('choosingLocation');
    expect(fake.requests).toHaveLength(0);

    await carlos.say('la que está cerca de Diagonal, esa me va bien');
    expect(fake.requests).toHaveLength(1);
    expect(await stateOf(cita, carlos.phone)).toBe('choosingService');
    // Eixample's services: a kids' cut, no beard trim.
    expect(carlos.options.map((option) => option.title)).toContain('Corte infantil');
    expect(carlos.options.map((option) => option.title)).not.toContain('Arreglo de barba');
  });

  it('is asked again when the model names a location the chain does not have', async () => {
    const fake = await fakeProvider();
    fake.respond(() => reply.events({ type: 'SELECT_LOCATION', locationId: 'chamberi' }));
    const cita = start({ shop: chain, adapters: { interpreter: layeredInterpreter(readRules, llmOn([fake])) } });
    const carlos = customer(cita);
    await carlos.say('hola');
    await carlos.say('en la de Chamberí, la de siempre');
    expect(fake.requests).toHaveLength(1);
    expect(await stateOf(cita, carlos.phone)).toBe('choosingLocation');
  });
});
