import { describe, expect, it } from 'vitest';
import { layeredInterpreter } from '../src/interpreter/llm/index.ts';
import { readRules } from '../src/interpreter/rules/index.ts';
import { fakeProvider, llmOn } from './llm/llm-test-kit.ts';
import { citaPerTest, customer } from './support/cita.ts';
import { reply } from './support/fake-openai.ts';

const start = citaPerTest();

async function languageOf(cita: ReturnType<typeof start>, phone: string) {
  const { conversation } = await cita.conversations.load(phone);
  return (conversation?.snapshot as { context: { language: string } } | undefined)?.context.language;
}

describe('the language of a conversation under way', () => {
  it.each(['yes', 'ok', 'thanks', 'thank you', 'yes please', '2', '👍', 'hello'])(
    'stays Spanish when a Spanish customer answers "%s"',
    async (answer) => {
      const cita = start();
      const ana = customer(cita, '34611000040');
      await ana.say('hola, quiero un corte mañana a las 5');
      expect(await languageOf(cita, ana.phone)).toBe('es');

      await ana.say(answer);
      expect(await languageOf(cita, ana.phone)).toBe('es');
    },
  );

  it.each(['gracias', 'vale', 'sí', 'hola', 'sí, gracias'])(
    'stays English when an English customer answers "%s"',
    async (answer) => {
      const cita = start();
      const bob = customer(cita, '447700900040');
      await bob.say('hi, a haircut tomorrow at 5pm please');
      expect(await languageOf(cita, bob.phone)).toBe('en');

      await bob.say(answer);
      expect(await languageOf(cita, bob.phone)).toBe('en');
    },
  );

  it('does not flap over a whole conversation of short answers', async () => {
    const cita = start();
    const ana = customer(cita, '34611000041');
    await ana.say('quiero un corte para mañana');
    for (const answer of ['yes', 'gracias', 'ok', 'thanks', 'vale']) {
      await ana.say(answer);
      expect(await languageOf(cita, ana.phone)).toBe('es');
    }
  });

  it('switches on an explicit request or a clear sentence in the other language', async () => {
    const cita = start();
    const ana = customer(cita, '34611000042');
    await ana.say('quiero un corte para mañana');
    await ana.say('in English please');
    expect(await languageOf(cita, ana.phone)).toBe('en');

    await ana.say('quiero cambiar el día de la cita');
    expect(await languageOf(cita, ana.phone)).toBe('es');
  });

  it('takes the language of a first message, however short', async () => {
    const cita = start();
    const bob = customer(cita, '447700900041');
    await bob.say('hello');
    expect(await languageOf(cita, bob.phone)).toBe('en');
  });

  it('ignores a language switch the model reads into a short answer', async () => {
    const fake = await fakeProvider();
    const cita = start({ adapters: { interpreter: layeredInterpreter(readRules, llmOn([fake])) } });
    const ana = customer(cita, '34611000043');
    await ana.say('quiero un corte para mañana');
    fake.script(reply.events({ type: 'SET_LANGUAGE', language: 'en' }, { type: 'HELP' }));

    await ana.say('zorblat');
    expect(fake.requests).toHaveLength(1);
    expect(await languageOf(cita, ana.phone)).toBe('es');
  });
});
