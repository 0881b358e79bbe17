import { describe, expect, it } from 'vitest';
import type { CustomerEvent } from '../../machines/events.ts';
import { layeredInterpreter } from '../../src/interpreter/llm/index.ts';
import { reply } from '../support/fake-openai.ts';
import { fakeProvider, llmOn } from './llm-test-kit.ts';
import { choosingSlot } from './situations.ts';

/** A stand-in for the rule parser that understands exactly one message. */
function rulesKnowing(text: string, events: CustomerEvent[]) {
  return (said: string) => (said === text ? events : []);
}

describe('rules first, then the LLM', () => {
  it('does not call the LLM when the rules understood the message', async () => {
    const fake = await fakeProvider();
    const llm = llmOn([fake]);
    const interpreter = layeredInterpreter(rulesKnowing('2', [{ type: 'PICK_TIME', time: '17:15' }]), llm);

    expect(await interpreter.interpret('2', choosingSlot())).toEqual([{ type: 'PICK_TIME', time: '17:15' }]);
    expect(fake.requests).toHaveLength(0);
    expect(llm.metrics.snapshot().calls).toEqual({});
  });

  it('asks the LLM when the rules understood nothing', async () => {
    const fake = await fakeProvider();
    fake.script(reply.events({ type: 'PICK_TIME', time: '17:15' }));
    const interpreter = layeredInterpreter(rulesKnowing('2', []), llmOn([fake]));

    expect(await interpreter.interpret('el segundo porfa', choosingSlot())).toEqual([
      { type: 'PICK_TIME', time: '17:15' },
    ]);
    expect(fake.requests).toHaveLength(1);
  });

  it('asks the LLM when the rules read only a greeting or a language in a longer message, and keeps the switch', async () => {
    const fake = await fakeProvider();
    fake.script(reply.events({ type: 'SELECT_SERVICE', serviceId: 'corte' }));
    const text = 'hey can i get a hiarcut';
    const interpreter = layeredInterpreter(
      rulesKnowing(text, [{ type: 'SET_LANGUAGE', language: 'en' }]),
      llmOn([fake]),
    );

    expect(await interpreter.interpret(text, choosingSlot())).toEqual([
      { type: 'SET_LANGUAGE', language: 'en' },
      { type: 'SELECT_SERVICE', serviceId: 'corte' },
    ]);
    expect(fake.requests).toHaveLength(1);
  });

  it('does not ask the LLM about a short hello', async () => {
    const fake = await fakeProvider();
    const interpreter = layeredInterpreter(rulesKnowing('hola', [{ type: 'GREET' }]), llmOn([fake]));
    expect(await interpreter.interpret('hola', choosingSlot())).toEqual([{ type: 'GREET' }]);
    expect(fake.requests).toHaveLength(0);
  });
});
