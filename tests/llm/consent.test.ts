import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CustomerEvent } from '../../machines/events.ts';
import { checkAnswer, isPossible, MAX_EVENTS, MalformedAnswer } from '../../src/interpreter/llm/answer.ts';
import { allowedEventTypes } from '../../src/interpreter/llm/schema.ts';
import { reply } from '../support/fake-openai.ts';
import { fakeProvider, llmOn } from './llm-test-kit.ts';
import { choosingSlot, confirming } from './situations.ts';

const answer = (...events: unknown[]) => JSON.stringify({ events });

describe('a yes the model reads', () => {
  it('is never kept, not even as the whole answer to the confirmation question', () => {
    const checked = checkAnswer(answer({ type: 'CONFIRM' }), confirming());
    expect(checked.events).toEqual([]);
    expect(checked.droppedBy).toEqual({ notAllowed: 1 });
    expect(allowedEventTypes(confirming())).not.toContain('CONFIRM');
  });

  it('is dropped when the same answer also changes the time, the day or the service, which are kept', () => {
    for (const change of [
      { type: 'PICK_TIME', time: '18:30' },
      { type: 'PICK_DATE', date: '2026-11-26' },
      { type: 'SELECT_SERVICE', serviceId: 'barba' },
    ]) {
      const checked = checkAnswer(answer(change, { type: 'CONFIRM' }), confirming());
      expect(checked.events).toEqual([change]);
      expect(checked.droppedBy).toEqual({ notAllowed: 1 });
    }
  });

  it('is dropped next to a cancellation of an appointment', () => {
    const situation = confirming();
    situation.accepts = new Set([...situation.accepts, 'CANCEL_BOOKING']);
    const checked = checkAnswer(answer({ type: 'CANCEL_BOOKING' }, { type: 'CONFIRM' }), situation);
    expect(checked.events).toEqual([{ type: 'CANCEL_BOOKING' }]);
  });
});

describe('how much of an answer is read', () => {
  it(`keeps at most ${MAX_EVENTS} events and counts the rest of 100,000 as dropped`, () => {
    const many = Array.from({ length: 100_000 }, (_, i) => ({ type: 'ASK_INFO', topic: i % 2 ? 'prices' : 'hours' }));
    const checked = checkAnswer(answer(...many), choosingSlot());
    expect(checked.events).toEqual([
      { type: 'ASK_INFO', topic: 'hours' },
      { type: 'ASK_INFO', topic: 'prices' },
    ]);
    expect(checked.dropped).toBe(100_000 - 2);
    expect(checked.droppedBy.tooMany).toBe(100_000 - 2 * MAX_EVENTS);
  });

  it('drops days past the booking horizon as it drops past days', () => {
    // The shop takes bookings 30 days ahead of Tuesday 24 November 2026.
    const checked = checkAnswer(
      answer({ type: 'PICK_DATE', date: '2026-12-24' }, { type: 'PICK_DATE', date: '2026-12-25' }),
      choosingSlot(),
    );
    expect(checked.events).toEqual([{ type: 'PICK_DATE', date: '2026-12-24' }]);
    expect(checked.droppedBy).toEqual({ impossible: 1 });
    expect(checkAnswer(answer({ type: 'PICK_DATE', date: '2099-01-01' }), choosingSlot()).events).toEqual([]);
  });

  it('counts what it drops in the metrics', async () => {
    const fake = await fakeProvider();
    fake.script(reply.events({ type: 'PICK_TIME', time: '18:30' }, { type: 'CONFIRM' }));
    const llm = llmOn([fake]);
    expect(await llm.interpret('zorblat', confirming())).toEqual([{ type: 'PICK_TIME', time: '18:30' }]);
    expect(llm.metrics.snapshot().droppedEvents).toEqual({ notAllowed: 1 });
  });
});

describe('the answer checker, fed random answers', () => {
  const plausible = fc.oneof(
    fc.constantFrom(
      { type: 'CONFIRM' },
      { type: 'CANCEL_BOOKING' },
      { type: 'MOVE_BOOKING' },
      { type: 'SELECT_BOOKING', bookingId: 'abc12345' },
      { type: 'HELP' },
      { type: 'BACK' },
    ),
    fc.record({ type: fc.constant('PICK_TIME'), time: fc.oneof(fc.string(), fc.constantFrom('03:00', '17:00')) }),
    fc.record({
      type: fc.constant('PICK_DATE'),
      date: fc.oneof(fc.string(), fc.constantFrom('2026-11-25', '2099-01-01')),
    }),
    fc.record({ type: fc.constant('SELECT_SERVICE'), serviceId: fc.oneof(fc.string(), fc.constant('corte')) }),
    fc.jsonValue(),
  );
  const situations = fc.constantFrom(choosingSlot(), confirming());

  it('keeps at most a few allowed events and never a CONFIRM', () => {
    fc.assert(
      fc.property(fc.array(plausible, { maxLength: 30 }), situations, (events, situation) => {
        const checked = checkAnswer(JSON.stringify({ events }), situation);
        expect(checked.events.length).toBeLessThanOrEqual(MAX_EVENTS);
        expect(checked.events.length + checked.dropped).toBe(events.length);
        for (const event of checked.events) {
          expect(CustomerEvent.safeParse(event).success).toBe(true);
          expect(allowedEventTypes(situation)).toContain(event.type);
          expect(isPossible(event, situation)).toBe(true);
        }
        expect(checked.events.map((event) => event.type)).not.toContain('CONFIRM');
      }),
      { numRuns: 1_000 },
    );
  });

  it('throws only its own MalformedAnswer on anything that is not an events object', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.jsonValue().map((value) => JSON.stringify(value)),
        ),
        (content) => {
          try {
            checkAnswer(content, confirming());
          } catch (error) {
            expect(error).toBeInstanceOf(MalformedAnswer);
          }
        },
      ),
      { numRuns: 1_000 },
    );
  });
});
