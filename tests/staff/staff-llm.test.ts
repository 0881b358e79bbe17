import { describe, expect, it } from 'vitest';
import { layeredInterpreter } from '../../src/interpreter/llm/index.ts';
import type { Interpreter } from '../../src/interpreter/port.ts';
import { ruleInterpreter } from '../../src/interpreter/rule-interpreter.ts';
import { readRules } from '../../src/interpreter/rules/index.ts';
import { fakeProvider, llmOn } from '../llm/llm-test-kit.ts';
import { stateOf } from '../support/cita.ts';
import type { CloudApiMessage } from '../support/fake-graph-api.ts';
import { type FakeOpenAI, reply } from '../support/fake-openai.ts';
import { HOSTILE_MODES, type HostileMode } from '../support/hostile-llm.ts';
import { ANA, allShown, BARBER, CARLOS, OWNER, optionIds, shopWith, staffHarness, staffSuite, to } from './support.ts';

/**
 * Staff text the staff rules cannot read goes to the LLM, as a customer's does, through the same
 * providers: the model only picks one of the staff events the current step accepts, its answer is
 * checked with the staff events' own schemas, and the machine decides what happens. Through the
 * webhook, the fake Graph API and a local OpenAI-compatible server.
 */

const { start, graph } = staffSuite();

function llmHarness(fake: FakeOpenAI) {
  return staffHarness(graph(), start, shopWith(), {
    interpreter: layeredInterpreter(readRules, llmOn([fake], { breaker: { failures: 1_000 } })),
  });
}

type Harness = ReturnType<typeof llmHarness>;

async function book(h: Harness, phone: string, text: string) {
  await h.say(phone, text);
  expect(allShown(to(phone, await h.say(phone, 'sí')))).toContain('¡Cita reservada!');
}

const FRIDAY = { start: '2026-11-26T23:00:00.000Z', end: '2026-11-27T23:00:00.000Z' };
const SATURDAY = { start: '2026-11-27T23:00:00.000Z', end: '2026-11-28T23:00:00.000Z' };

describe('staff text the rules cannot read', () => {
  it('is read by the LLM: "el viernes por la tarde me voy al médico" asks to block Friday afternoon, and a tap blocks it', async () => {
    const fake = await fakeProvider();
    const h = llmHarness(fake);
    fake.script(reply.events({ type: 'BLOCK_TIME', date: '2026-11-27', from: '16:00', to: null, wholeShop: null }));
    const asked = allShown(await h.say(BARBER.phone, 'el viernes por la tarde me voy al médico'));
    expect(asked).toContain(
      '¿Bloqueo el viernes 27 de noviembre de 16:00 a 20:00? Nadie podrá reservar en ese tiempo.',
    );
    expect(await h.cita.calendar.busy(FRIDAY)).toEqual([]);
    const answer = allShown(await h.tapButton(BARBER.phone, 'CONFIRM', 'Sí, bloquear'));
    expect(answer).toContain('Bloqueado el viernes 27 de noviembre de 16:00 a 20:00');
    expect(await h.cita.calendar.busy(FRIDAY)).toEqual([
      { start: '2026-11-27T15:00:00.000Z', end: '2026-11-27T19:00:00.000Z' },
    ]);

    // The model was asked to choose among the staff commands of the menu, and only those.
    const [request] = fake.requests;
    const schema = JSON.stringify(request!.body.response_format?.json_schema.schema);
    expect(request!.body.response_format?.json_schema.name).toBe('staff_events');
    for (const type of ['SHOW_AGENDA', 'BLOCK_TIME', 'SET_NOTICES', 'HELP']) expect(schema).toContain(type);
    for (const type of ['PICK_APPOINTMENT', 'HAND_BACK', 'CONFIRM', 'CANCEL_APPOINTMENTS', 'SELECT_SERVICE']) {
      expect(schema).not.toContain(`"${type}"`);
    }
    expect(request!.body.messages[0]!.content).toContain('The staff member is a barber.');
  });

  it('never reaches the LLM when the rules read it, nor for a tap', async () => {
    const fake = await fakeProvider();
    const h = llmHarness(fake);
    await h.say(OWNER.phone, 'agenda mañana');
    await h.say(OWNER.phone, 'bloquear el jueves de 17 a 18');
    await h.tapButton(OWNER.phone, 'HELP', 'Ayuda');
    expect(fake.requests).toEqual([]);
  });

  it('never takes the model\'s yes: "venga, máquina" to "¿Anulo la cita?" asks for the tap, which cancels', async () => {
    const fake = await fakeProvider();
    const h = llmHarness(fake);
    await book(h, CARLOS, 'un corte mañana a las 10');
    const agenda = await h.say(OWNER.phone, 'agenda mañana');
    const row = optionIds(to(OWNER.phone, agenda)).find((id) => id.startsWith('PICK_APPOINTMENT:'))!;
    await h.tapRow(OWNER.phone, row);
    await h.tapButton(OWNER.phone, 'CANCEL_APPOINTMENT', 'Anular y avisar');
    fake.script(reply.events({ type: 'CONFIRM' }));
    const asked = await h.say(OWNER.phone, 'venga, máquina');
    expect(allShown(to(OWNER.phone, asked))).toContain(
      'Para hacerlo, toca «Sí, anular».\n\n¿Anulo la cita (mié 25 nov 10:00',
    );
    expect(optionIds(to(OWNER.phone, asked))).toContain('CONFIRM');
    expect(to(CARLOS, asked)).toEqual([]);
    expect(await h.cita.calendar.upcomingFor(CARLOS, h.clock())).toHaveLength(1);
    const done = await h.tapButton(OWNER.phone, 'CONFIRM', 'Sí, anular');
    expect(allShown(to(OWNER.phone, done))).toContain('Cita de “Carlos” anulada');
    expect(allShown(to(CARLOS, done))).toContain('hemos tenido que anular tu cita');
    // The prompt says which question is on screen, and carries no customer's name or number.
    const system = fake.requests[0]!.body.messages[0]!.content;
    expect(system).toContain('The bot asked the staff member to tap a button to cancel the appointment shown');
    expect(fake.requests[0]!.raw).not.toContain('Carlos');
    expect(fake.requests[0]!.raw).not.toContain(CARLOS);
  });

  it('takes one command of an answer: "block Friday and cancel them all" asks about the appointments first', async () => {
    const fake = await fakeProvider();
    const h = llmHarness(fake);
    await book(h, CARLOS, 'un corte el viernes a las 17');
    fake.script(
      reply.events(
        { type: 'BLOCK_TIME', date: '2026-11-27', from: null, to: null, wholeShop: true },
        { type: 'CANCEL_APPOINTMENTS' },
      ),
    );
    const asked = await h.say(OWNER.phone, 'el viernes no abrimos, anula todo lo que haya');
    expect(allShown(to(OWNER.phone, asked))).toContain('Dentro hay estas citas:\n• 17:00 · “Carlos”');
    expect(await stateOf(h.cita, OWNER.phone)).toBe('decidingBlock');
    expect(to(CARLOS, asked)).toEqual([]);
    expect(await h.cita.calendar.upcomingFor(CARLOS, h.clock())).toHaveLength(1);
  });

  it('drops what the step does not take, a phone or an appointment the model made up, and time already past', async () => {
    const fake = await fakeProvider();
    const h = llmHarness(fake);
    await book(h, CARLOS, 'un corte mañana a las 10');
    for (const answer of [
      { type: 'CONFIRM' },
      { type: 'HAND_BACK', phone: CARLOS },
      { type: 'PICK_APPOINTMENT', appointmentId: 'abcdefgh' },
      { type: 'BLOCK_TIME', date: '2026-11-20' },
      { type: 'BLOCK_TIME', date: '2026-11-27', from: '18:00', to: '16:00' },
      { type: 'SELECT_SERVICE', serviceId: 'corte' },
    ]) {
      fake.script(reply.events(answer));
      const said = allShown(to(OWNER.phone, await h.say(OWNER.phone, 'zorblat quimpe flarn')));
      expect(said, JSON.stringify(answer)).toContain('No te he entendido');
      expect(await stateOf(h.cita, OWNER.phone)).toBe('menu');
    }
    expect(await h.cita.calendar.upcomingFor(CARLOS, h.clock())).toHaveLength(1);
    expect(await h.cita.calendar.busy(FRIDAY)).toEqual([]);
  });
});

describe('a model that proposes to staff, then says yes to the question it caused', () => {
  it('blocks nothing: the owner\'s nonsense read as "close Saturday, whole shop", then as yes', async () => {
    const fake = await fakeProvider();
    const h = llmHarness(fake);
    fake.respond(HOSTILE_MODES['block Saturday (whole shop), then yes']);
    const asked = allShown(await h.say(OWNER.phone, 'zorblat quimpe'));
    expect(asked).toContain('¿Bloqueo el sábado 28 de noviembre de 09:00 a 14:00? Nadie podrá reservar en ese tiempo.');
    expect(await stateOf(h.cita, OWNER.phone)).toBe('confirmingBlock');
    const again = await h.say(OWNER.phone, 'flarn vexu trombil');
    expect(allShown(again)).toContain('Para hacerlo, toca «Sí, bloquear».');
    expect(optionIds(to(OWNER.phone, again))).toContain('CONFIRM');
    expect(await stateOf(h.cita, OWNER.phone)).toBe('confirmingBlock');
    expect(await h.cita.calendar.busy(SATURDAY)).toEqual([]);
  });

  it('cancels nothing and writes to nobody: a barber\'s nonsense read as "block tomorrow", then "cancel them all"', async () => {
    const fake = await fakeProvider();
    const h = llmHarness(fake);
    await book(h, CARLOS, 'un corte mañana a las 10');
    await book(h, ANA, 'un corte mañana a las 12');
    fake.respond(HOSTILE_MODES['block tomorrow, then yes']);
    const first = await h.say(BARBER.phone, 'zorblat quimpe');
    expect(await stateOf(h.cita, BARBER.phone)).toBe('decidingBlock');
    const second = await h.say(BARBER.phone, 'flarn vexu trombil');
    expect(await stateOf(h.cita, BARBER.phone)).toBe('decidingBlock');
    for (const customer of [CARLOS, ANA]) {
      expect(to(customer, [...first, ...second])).toEqual([]);
      expect(await h.cita.calendar.upcomingFor(customer, h.clock())).toHaveLength(1);
    }
  });

  it('cancels nothing: the owner taps an appointment, then nonsense read as "cancel it", then as yes', async () => {
    const fake = await fakeProvider();
    const h = llmHarness(fake);
    await book(h, CARLOS, 'un corte mañana a las 10');
    const agenda = await h.say(OWNER.phone, 'agenda mañana');
    await h.tapRow(OWNER.phone, optionIds(to(OWNER.phone, agenda)).find((id) => id.startsWith('PICK_APPOINTMENT:'))!);
    fake.respond(HOSTILE_MODES['cancel, then yes']);
    const first = await h.say(OWNER.phone, 'zorblat quimpe');
    expect(await stateOf(h.cita, OWNER.phone)).toBe('confirmingCancellation');
    const second = await h.say(OWNER.phone, 'flarn vexu trombil');
    expect(await stateOf(h.cita, OWNER.phone)).toBe('confirmingCancellation');
    expect(to(CARLOS, [...first, ...second])).toEqual([]);
    expect(await h.cita.calendar.upcomingFor(CARLOS, h.clock())).toHaveLength(1);
  });
});

describe('a staff yes that reaches the engine from the model, whatever its schema lets through', () => {
  it('cancels, blocks and writes to nobody: the engine refuses it and asks for the tap', async () => {
    // A model layer that answers every staff message with the yes the step on screen asks for.
    const yesToAll: Interpreter = {
      ...ruleInterpreter,
      interpretStaff: async (_text, { accepts }) =>
        (['CONFIRM', 'CANCEL_APPOINTMENTS', 'ASK_TO_MOVE'] as const)
          .filter((type) => accepts.has(type))
          .map((type) => ({ type })),
    };
    const h = staffHarness(graph(), start, shopWith(), { interpreter: yesToAll });
    await book(h, CARLOS, 'un corte mañana a las 10');
    const agenda = await h.say(OWNER.phone, 'agenda mañana');
    await h.tapRow(OWNER.phone, optionIds(to(OWNER.phone, agenda)).find((id) => id.startsWith('PICK_APPOINTMENT:'))!);
    const said = [await h.say(OWNER.phone, 'zorblat quimpe')];
    expect(await stateOf(h.cita, OWNER.phone)).toBe('choosingAction');
    await h.tapButton(OWNER.phone, 'CANCEL_APPOINTMENT', 'Anular y avisar');
    said.push(await h.say(OWNER.phone, 'flarn vexu'));
    expect(await stateOf(h.cita, OWNER.phone)).toBe('confirmingCancellation');
    expect(allShown(said.at(-1)!)).toContain('Para hacerlo, toca «Sí, anular».');
    await h.tapButton(OWNER.phone, 'BACK', 'No');
    await h.say(BARBER.phone, 'mañana no vengo');
    said.push(await h.say(BARBER.phone, 'trombil snoqua'));
    expect(await stateOf(h.cita, BARBER.phone)).toBe('decidingBlock');
    await h.say(OWNER.phone, 'bloquear el viernes de 17 a 18');
    said.push(await h.say(OWNER.phone, 'plimb grovek'));
    expect(await stateOf(h.cita, OWNER.phone)).toBe('confirmingBlock');

    expect(to(CARLOS, said.flat())).toEqual([]);
    expect(await h.cita.calendar.upcomingFor(CARLOS, h.clock())).toHaveLength(1);
    expect(await h.cita.calendar.busy(FRIDAY)).toEqual([]);
  });
});

describe.each(Object.keys(HOSTILE_MODES) as HostileMode[])('a model answering "%s" to a staff member', (mode) => {
  it('cancels, blocks and tells nobody anything, and answers every message', async () => {
    const fake = await fakeProvider();
    const h = llmHarness(fake);
    await book(h, CARLOS, 'un corte mañana a las 10');
    const wednesday = { start: '2026-11-24T23:00:00.000Z', end: '2026-11-25T23:00:00.000Z' };
    const busyWednesday = await h.cita.calendar.busy(wednesday);
    fake.respond(HOSTILE_MODES[mode]);
    const said: CloudApiMessage[] = [];
    const nonsense = async (phone: string, text: string) => {
      const turn = await h.say(phone, text);
      said.push(...turn);
      expect(to(phone, turn).length).toBeGreaterThan(0);
    };

    // The owner taps an appointment of the agenda, then writes nonsense twice (cancel it, then yes).
    const agenda = await h.say(OWNER.phone, 'agenda mañana');
    const row = optionIds(to(OWNER.phone, agenda)).find((id) => id.startsWith('PICK_APPOINTMENT:'))!;
    await h.tapRow(OWNER.phone, row);
    for (const text of ['zorblat quimpe', 'flarn vexu trombil']) await nonsense(OWNER.phone, text);
    await h.tapButton(OWNER.phone, 'BACK', 'Volver');
    // The owner writes nonsense twice from the menu (close Saturday, whole shop; then yes).
    await h.tapButton(OWNER.phone, 'HELP', 'Ayuda');
    for (const text of ['snoqua plimb', 'grovek yurzo kadrip']) await nonsense(OWNER.phone, text);
    // A barber writes nonsense twice (block tomorrow, with Carlos inside; then cancel them all).
    for (const text of ['zorblat vexu', 'plimb snoqua grovek']) await nonsense(BARBER.phone, text);

    expect(to(CARLOS, said)).toEqual([]);
    expect(await h.cita.calendar.upcomingFor(CARLOS, h.clock())).toHaveLength(1);
    expect(await h.cita.calendar.busy(SATURDAY)).toEqual([]);
    expect(await h.cita.calendar.busy(wednesday)).toEqual(busyWednesday);
  });
});
