import { describe, expect, it } from 'vitest';
import { layeredInterpreter } from '../../src/interpreter/llm/index.ts';
import { readRules } from '../../src/interpreter/rules/index.ts';
import type { CitaMetrics } from '../../src/metrics/registry.ts';
import { citaPerTest, customer, stateOf } from '../support/cita.ts';
import { HOSTILE_MODES, type HostileMode, nonsense } from '../support/hostile-llm.ts';
import { fakeProvider, llmOn } from './llm-test-kit.ts';

const start = citaPerTest();

/** Appointments created, cancelled and moved so far, from the shop's own metrics. */
async function bookingChanges(metrics: CitaMetrics): Promise<Record<string, number>> {
  const { values } = await metrics.bookings.get();
  return Object.fromEntries(values.map(({ labels, value }) => [String(labels.change), value]));
}

const MESSAGES_EACH = 4;

describe.each(Object.keys(HOSTILE_MODES) as HostileMode[])('a model answering "%s" to nonsense', (mode) => {
  it('books, cancels and moves nothing the customer did not confirm, and answers every message', async () => {
    const fake = await fakeProvider();
    const llm = llmOn([fake], { breaker: { failures: 1_000 } });
    const cita = start({ adapters: { interpreter: layeredInterpreter(readRules, llm) } });

    // Two customers with an appointment they booked themselves, one asked to confirm a time, two
    // who write nonsense from the start.
    const booked = [customer(cita, '34611000001'), customer(cita, '34611000002')];
    for (const [i, person] of booked.entries()) {
      await person.say(`quiero un corte mañana a las ${5 + i}`);
      await person.say('sí');
      expect(await stateOf(cita, person.phone)).toBe('booked');
    }
    const asked = customer(cita, '34611000003');
    await asked.say('quiero un corte mañana a las 7');
    expect(await stateOf(cita, asked.phone)).toBe('confirming');
    const fresh = [customer(cita, '34611000004'), customer(cita, '34611000005')];
    const before = await bookingChanges(cita.metrics);
    expect(before).toEqual({ created: 2 });

    fake.respond(HOSTILE_MODES[mode]);
    const everyone = [...booked, asked, ...fresh];
    const answered = await Promise.all(
      everyone.map(async (person, seed) => {
        const turns: number[] = [];
        for (let n = 0; n < MESSAGES_EACH; n++) turns.push((await person.say(nonsense(seed, n))).length);
        return turns;
      }),
    );

    // A lone CONFIRM to the very question the customer was shown is the one yes a model may read
    // (someone who writes "venga, dale" to "¿Confirmo…?"): only the customer asked to confirm books.
    const theirYes = mode === 'confirm' ? 1 : 0;
    expect(await bookingChanges(cita.metrics)).toEqual({ created: 2 + theirYes });
    expect(fake.requests.length).toBeGreaterThanOrEqual(MESSAGES_EACH * everyone.length - theirYes * 3);
    // Every message got a reply (a question again, or "I did not understand").
    expect(answered.flat().every((replies) => replies > 0)).toBe(true);
  });
});

describe('the customer’s own yes', () => {
  it('books when the model reads a lone yes to the question the customer was asked', async () => {
    const fake = await fakeProvider();
    const cita = start({ adapters: { interpreter: layeredInterpreter(readRules, llmOn([fake])) } });
    const person = customer(cita, '34611000010');
    await person.say('quiero un corte mañana a las 5');
    expect(await stateOf(cita, person.phone)).toBe('confirming');

    fake.respond(HOSTILE_MODES.confirm);
    await person.say('venga dale perfecto máquina');
    expect(await stateOf(cita, person.phone)).toBe('booked');
  });

  it('changes the time and asks again when one message says another time and yes', async () => {
    const cita = start();
    const person = customer(cita, '34611000011');
    await person.say('quiero un corte mañana a las 5');
    expect(person.lastText).toContain('17:00');

    await person.say('sí, mejor a las 6');
    expect(await stateOf(cita, person.phone)).toBe('confirming');
    expect(person.lastText).toContain('18:00');
    expect(await bookingChanges(cita.metrics)).toEqual({});
  });
});
