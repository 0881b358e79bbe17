import { describe, expect, it } from 'vitest';
import { LLM_TIMEOUT_MS } from '../../src/interpreter/llm/defaults.ts';
import { layeredInterpreter } from '../../src/interpreter/llm/index.ts';
import type { Interpreter } from '../../src/interpreter/port.ts';
import { readRules } from '../../src/interpreter/rules/index.ts';
import { replyIdFor } from '../../src/messages/reply-ids.ts';
import type { CitaMetrics } from '../../src/metrics/registry.ts';
import { citaPerTest, customer, stateOf } from '../support/cita.ts';
import { HOSTILE_MODES, type HostileMode, nonsense } from '../support/hostile-llm.ts';
import { fakeProvider, llmOn, TEST_TIMEOUT_MS } from './llm-test-kit.ts';

const start = citaPerTest();

/** Appointments created, cancelled and moved so far, from the shop's own metrics. */
async function bookingChanges(metrics: CitaMetrics): Promise<Record<string, number>> {
  const { values } = await metrics.bookings.get();
  return Object.fromEntries(values.map(({ labels, value }) => [String(labels.change), value]));
}

const MESSAGES_EACH = 4;

/**
 * Five customers at once each get a 3 MB answer, built, sent and parsed in this one process: on a
 * loaded machine that outlasts the suite's short timeout, and a message timed out before the fake
 * even read the request is never put to the model. Such answers get the production timeout.
 */
const TIMEOUT_BY_MODE: Partial<Record<HostileMode, number>> = { '100,000 events': LLM_TIMEOUT_MS };

describe.each(Object.keys(HOSTILE_MODES) as HostileMode[])('a model answering "%s" to nonsense', (mode) => {
  it('books, cancels and moves nothing the customer did not confirm, and answers every message', async () => {
    const fake = await fakeProvider();
    const llm = llmOn([fake], { breaker: { failures: 1_000 }, timeoutMs: TIMEOUT_BY_MODE[mode] ?? TEST_TIMEOUT_MS });
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

    // Not even a lone yes to the very question the customer was shown: only their tap or their own
    // words read by the rules book, cancel or move.
    expect(await bookingChanges(cita.metrics)).toEqual({ created: 2 });
    expect(fake.requests.length).toBeGreaterThanOrEqual(MESSAGES_EACH * everyone.length);
    // Every message got a reply (a question again, or "I did not understand").
    expect(answered.flat().every((replies) => replies > 0)).toBe(true);
  });
});

describe('a model that proposes, then says yes to the question it caused', () => {
  it('cancels nothing: nonsense read as "cancel my appointment", then nonsense read as yes', async () => {
    const fake = await fakeProvider();
    const cita = start({ adapters: { interpreter: layeredInterpreter(readRules, llmOn([fake])) } });
    const person = customer(cita, '34611000020');
    await person.say('quiero un corte mañana a las 5');
    await person.say('sí');
    fake.respond(HOSTILE_MODES['cancel, then yes']);

    await person.say('zorblat quimpe');
    expect(await stateOf(cita, person.phone)).toBe('confirmingCancellation');
    await person.say('flarn vexu trombil');
    expect(await stateOf(cita, person.phone)).toBe('confirmingCancellation');
    // Asked again, with the buttons, saying what tapping does and which appointment.
    expect(person.lastText).toContain('Para anularla, toca «Sí, anularla».');
    expect(person.lastText).toContain('¿Anulo tu cita: Corte de pelo, miércoles 25 de noviembre a las 17:00?');
    expect(person.options.map((option) => option.id)).toContain('CONFIRM');
    expect(await bookingChanges(cita.metrics)).toEqual({ created: 1 });
    expect(await cita.calendar.upcomingFor(person.phone, cita.clock())).toHaveLength(1);
  });

  it('books nothing: a lone yes to nonsense at the confirmation question', async () => {
    const fake = await fakeProvider();
    const cita = start({ adapters: { interpreter: layeredInterpreter(readRules, llmOn([fake])) } });
    const person = customer(cita, '34611000021');
    await person.say('quiero un corte mañana a las 5');
    fake.respond(HOSTILE_MODES.confirm);

    await person.say('zorblat quimpe');
    expect(await stateOf(cita, person.phone)).toBe('confirming');
    expect(person.lastText).toContain('Para reservarla, toca «Confirmar».');
    expect(await bookingChanges(cita.metrics)).toEqual({});
  });

  it('moves nothing: nonsense read as "move it to another day", then nonsense read as yes', async () => {
    const fake = await fakeProvider();
    const cita = start({ adapters: { interpreter: layeredInterpreter(readRules, llmOn([fake])) } });
    const person = customer(cita, '34611000022');
    await person.say('quiero un corte mañana a las 5');
    await person.say('sí');
    fake.respond(HOSTILE_MODES['move, then yes']);

    for (const text of ['zorblat quimpe', 'flarn vexu trombil', 'snoqua plimb']) await person.say(text);
    expect(await bookingChanges(cita.metrics)).toEqual({ created: 1 });
    const [still] = await cita.calendar.upcomingFor(person.phone, cita.clock());
    expect(still?.start).toBe('2026-11-25T16:00:00.000Z');
  });
});

describe('a yes that reaches the engine from anything but the rules or a tap', () => {
  it('books nothing, whatever the interpreter lets through (a prompt or schema that allows a yes again)', async () => {
    // An interpreter that says yes to everything, as the LLM layer would if a change let CONFIRM through.
    const yesToAll: Interpreter = { interpret: async () => [{ type: 'CONFIRM' }] };
    const cita = start({ adapters: { interpreter: yesToAll } });
    const person = customer(cita, '34611000030');
    await person.send(replyIdFor({ type: 'SELECT_SERVICE', serviceId: 'corte' }));
    await person.send(replyIdFor({ type: 'PICK_DATE', date: '2026-11-25' }));
    await person.send(replyIdFor({ type: 'PICK_TIME', time: '17:00' }));
    expect(await stateOf(cita, person.phone)).toBe('confirming');

    await person.say('zorblat quimpe');
    expect(await stateOf(cita, person.phone)).toBe('confirming');
    expect(person.lastText).toContain('Para reservarla, toca «Confirmar».');
    expect(await bookingChanges(cita.metrics)).toEqual({});
    const { values } = await cita.metrics.refusedEvents.get();
    expect(values.find(({ labels }) => labels.reason === 'not_their_yes')?.value).toBe(1);

    // The customer's own words, which the rules read as yes, still book.
    await person.say('sí');
    expect(await stateOf(cita, person.phone)).toBe('booked');
  });
});

describe('the customer’s own yes', () => {
  it('is asked for with the buttons when only the model read one ("venga dale perfecto máquina"), and a tap then books', async () => {
    const fake = await fakeProvider();
    const cita = start({ adapters: { interpreter: layeredInterpreter(readRules, llmOn([fake])) } });
    const person = customer(cita, '34611000010');
    await person.say('quiero un corte mañana a las 5');
    expect(await stateOf(cita, person.phone)).toBe('confirming');

    // What a model that still reads yes would answer: it is not the customer's tap, nor words the rules read.
    fake.respond(HOSTILE_MODES.confirm);
    // The rules read "dale pues" themselves (a yes of the customer's own words); not this one.
    await person.say('venga dale perfecto máquina');
    expect(fake.requests).toHaveLength(1);
    expect(await stateOf(cita, person.phone)).toBe('confirming');
    expect(person.lastText).toContain('Para reservarla, toca «Confirmar».');
    expect(person.lastText).toContain('Corte de pelo el miércoles 25 de noviembre a las 17:00');
    expect(await bookingChanges(cita.metrics)).toEqual({});

    await person.tap('Confirmar');
    expect(await stateOf(cita, person.phone)).toBe('booked');
    expect(await bookingChanges(cita.metrics)).toEqual({ created: 1 });
  });

  it('is asked for in English too ("sounds grand, lock it in")', async () => {
    const fake = await fakeProvider();
    const cita = start({ adapters: { interpreter: layeredInterpreter(readRules, llmOn([fake])) } });
    const person = customer(cita, '447700900010');
    await person.say('a haircut tomorrow at 5pm please');
    fake.respond(HOSTILE_MODES.confirm);
    await person.say('sounds grand, lock it in');
    expect(person.lastText).toContain('To book it, tap “Confirm”.');
    await person.say('yes');
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
