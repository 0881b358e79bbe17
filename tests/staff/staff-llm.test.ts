import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { layeredInterpreter } from '../../src/interpreter/llm/index.ts';
import { readRules } from '../../src/interpreter/rules/index.ts';
import { fakeProvider, llmOn } from '../llm/llm-test-kit.ts';
import { citaPerTest, stateOf } from '../support/cita.ts';
import { type FakeGraphApi, startFakeGraphApi } from '../support/fake-graph-api.ts';
import { type FakeOpenAI, reply } from '../support/fake-openai.ts';
import { HOSTILE_MODES, type HostileMode } from '../support/hostile-llm.ts';
import {
  ACCESS_TOKEN,
  allShown,
  BARBER,
  CARLOS,
  OWNER,
  optionIds,
  PHONE_NUMBER_ID,
  shopWith,
  staffHarness,
  to,
} from './support.ts';

/**
 * Staff text the staff rules cannot read goes to the LLM, as a customer's does, through the same
 * providers: the model only picks one of the staff events the current step accepts, its answer is
 * checked with the staff events' own schemas, and the machine decides what happens. Through the
 * webhook, the fake Graph API and a local OpenAI-compatible server.
 */

const start = citaPerTest();
let graph: FakeGraphApi;
beforeEach(async () => {
  graph = await startFakeGraphApi({ accessToken: ACCESS_TOKEN, phoneNumberId: PHONE_NUMBER_ID });
});
afterEach(() => graph.close());

function llmHarness(fake: FakeOpenAI) {
  return staffHarness(graph, start, shopWith(), {
    interpreter: layeredInterpreter(readRules, llmOn([fake], { breaker: { failures: 1_000 } })),
  });
}

type Harness = ReturnType<typeof llmHarness>;

async function book(h: Harness, phone: string, text: string) {
  await h.say(phone, text);
  expect(allShown(to(phone, await h.say(phone, 'sí')))).toContain('¡Cita reservada!');
}

const FRIDAY = { start: '2026-11-26T23:00:00.000Z', end: '2026-11-27T23:00:00.000Z' };

describe('staff text the rules cannot read', () => {
  it('is read by the LLM: "el viernes por la tarde me voy al médico" blocks Friday afternoon', async () => {
    const fake = await fakeProvider();
    const h = llmHarness(fake);
    fake.script(reply.events({ type: 'BLOCK_TIME', date: '2026-11-27', from: '16:00', to: null, wholeShop: null }));
    const answer = allShown(await h.say(BARBER.phone, 'el viernes por la tarde me voy al médico'));
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

  it('reads the answer to the question on screen: "venga, dale" cancels the appointment asked about', async () => {
    const fake = await fakeProvider();
    const h = llmHarness(fake);
    await book(h, CARLOS, 'un corte mañana a las 10');
    const agenda = await h.say(OWNER.phone, 'agenda mañana');
    const row = optionIds(to(OWNER.phone, agenda)).find((id) => id.startsWith('PICK_APPOINTMENT:'))!;
    await h.tapRow(OWNER.phone, row);
    await h.tapButton(OWNER.phone, 'CANCEL_APPOINTMENT', 'Anular y avisar');
    fake.script(reply.events({ type: 'CONFIRM' }));
    const done = await h.say(OWNER.phone, 'venga, dale');
    expect(allShown(to(OWNER.phone, done))).toContain('Cita de “Carlos” anulada');
    expect(allShown(to(CARLOS, done))).toContain('hemos tenido que anular tu cita');
    // The prompt says which question is on screen, and carries no customer's name or number.
    const system = fake.requests[0]!.body.messages[0]!.content;
    expect(system).toContain('The bot asked whether to cancel the appointment shown');
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

describe.each(Object.keys(HOSTILE_MODES) as HostileMode[])('a model answering "%s" to a staff member', (mode) => {
  it('cancels, blocks and tells nobody anything, and answers every message', async () => {
    const fake = await fakeProvider();
    const h = llmHarness(fake);
    await book(h, CARLOS, 'un corte mañana a las 10');
    fake.respond(HOSTILE_MODES[mode]);
    const agenda = await h.say(OWNER.phone, 'agenda mañana');
    const row = optionIds(to(OWNER.phone, agenda)).find((id) => id.startsWith('PICK_APPOINTMENT:'))!;
    await h.tapRow(OWNER.phone, row);
    // Whatever the model says to nonsense, in the step that could cancel or move the appointment.
    for (const text of ['zorblat quimpe', 'flarn vexu trombil']) {
      const said = await h.say(OWNER.phone, text);
      expect(to(OWNER.phone, said).length).toBeGreaterThan(0);
      expect(to(CARLOS, said)).toEqual([]);
    }
    expect(await h.cita.calendar.upcomingFor(CARLOS, h.clock())).toHaveLength(1);
  });
});
