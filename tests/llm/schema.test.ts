import { describe, expect, it } from 'vitest';
import { bookingMachine } from '../../machines/booking.machine.ts';
import { acceptedEvents } from '../../src/engine/conversation.ts';
import { allowedEventTypes, responseFormatFor } from '../../src/interpreter/llm/schema.ts';
import { fakeProvider, llmOn } from './llm-test-kit.ts';
import { choosingSlot, confirming, schemaEventTypes } from './situations.ts';

describe('the structured-output schema sent to the model', () => {
  it('lists exactly the events the state accepts, plus questions, language and help', async () => {
    const fake = await fakeProvider();
    await llmOn([fake]).interpret('no sé, lo que sea', choosingSlot());

    expect(schemaEventTypes(fake)).toEqual(
      [
        'ASK_INFO',
        'BACK',
        'CANCEL',
        'CHANGE',
        'GREET',
        'HELP',
        'MORE_TIMES',
        'PICK_DATE',
        'PICK_PART_OF_DAY',
        'PICK_TIME',
        'RESTART',
        'SELECT_SERVICE',
        'SET_LANGUAGE',
      ].sort(),
    );
  });

  it('never offers CONFIRM, not even at the confirmation question: the yes is the customer’s own tap', async () => {
    const fake = await fakeProvider();
    const llm = llmOn([fake]);
    await llm.interpret('vale', choosingSlot());
    await llm.interpret('vale', confirming());

    expect(schemaEventTypes(fake, 0)).not.toContain('CONFIRM');
    expect(schemaEventTypes(fake, 1)).not.toContain('CONFIRM');
    expect(schemaEventTypes(fake, 1)).toContain('PICK_TIME');
    expect(schemaEventTypes(fake, 1)).not.toContain('MORE_TIMES');
  });

  it('adds questions, language and help even when the state itself lists nothing else', async () => {
    const fake = await fakeProvider();
    await llmOn([fake]).interpret('hola', choosingSlot({ accepts: new Set(['CONFIRM']) }));

    expect(schemaEventTypes(fake)).toEqual(['ASK_INFO', 'HELP', 'SET_LANGUAGE']);
  });

  it("restricts service ids to the shop's services", async () => {
    const fake = await fakeProvider();
    await llmOn([fake]).interpret('algo para la barba', choosingSlot());

    const schema = JSON.stringify(fake.requests[0].body.response_format?.json_schema.schema);
    expect(schema).toContain('"serviceId":{"type":"string","enum":["corte","barba","corte-barba","infantil"]');
  });

  it('is a strict object root with anyOf unions, the shape strict structured output requires', async () => {
    const fake = await fakeProvider();
    await llmOn([fake]).interpret('hola', choosingSlot());

    const format = fake.requests[0].body.response_format;
    expect(format?.type).toBe('json_schema');
    expect(format?.json_schema.strict).toBe(true);
    expect(format?.json_schema.schema).toMatchObject({
      type: 'object',
      required: ['events'],
      additionalProperties: false,
    });
    expect(JSON.stringify(format)).not.toContain('oneOf');
  });
});

describe('the schema in every state of the booking machine', () => {
  it.each(Object.keys(bookingMachine.states))('builds a strict response format in %s', (state) => {
    const snapshot = bookingMachine.resolveState({ value: state } as never);
    const situation = choosingSlot({ accepts: acceptedEvents(snapshot) });
    expect(() => responseFormatFor(situation)).not.toThrow();
    const types = allowedEventTypes(situation);
    expect(types).not.toContain('SELECT_BOOKING');
    expect(types).not.toContain('CONFIRM_ATTENDANCE');
  });
});
