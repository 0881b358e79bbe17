import { describe, expect, it } from 'vitest';
import { ShopConfig } from '../config/schema.ts';
import { CUSTOMER_EVENT_TYPES, type CustomerEventType } from '../machines/events.ts';
import { byFewestAppointments, chairsAvailability, chairsFor } from '../src/availability/chairs.ts';
import { checkAnswer } from '../src/interpreter/llm/answer.ts';
import { allowedEventTypes, answerSchema } from '../src/interpreter/llm/schema.ts';
import { readRules, type Situation } from '../src/interpreter/rules/index.ts';
import { shop, teamShop } from './support/cita.ts';

// Tuesday 24 November 2026, 10:00 in Madrid.
const NOW = new Date('2026-11-24T09:00:00Z');

function read(text: string, overrides: Partial<Situation> = {}) {
  return readRules(text, {
    shop: teamShop,
    now: NOW,
    language: 'es',
    choices: [],
    accepts: new Set<CustomerEventType>(CUSTOMER_EVENT_TYPES),
    ...overrides,
  });
}

const day = (date: string, busy: { start: string; end: string; barberId?: string }[] = [], barberId = 'any') =>
  chairsAvailability({
    chairs: chairsFor(teamShop, 'corte', barberId),
    date,
    durationMinutes: 30,
    busy,
    holds: [],
    phone: '34600000001',
    now: NOW,
  });

describe('free times over several chairs', () => {
  it('joins the barbers’ own hours: Tuesday morning is Javi and Lucía, the afternoon all three', () => {
    const tuesday = day('2026-11-24');
    expect(tuesday.freeAt['12:00']).toEqual(['javi', 'lucia']);
    expect(tuesday.freeAt['17:00']).toEqual(['javi', 'lucia', 'marcos']);
  });

  it('blocks only the barber whose busy time it is, and every chair for busy time of nobody in particular', () => {
    const javiAtFive = { start: '2026-11-26T16:00:00.000Z', end: '2026-11-26T16:30:00.000Z', barberId: 'javi' };
    expect(day('2026-11-26', [javiAtFive]).freeAt['17:00']).toEqual(['lucia', 'marcos']);
    // The 10-minute buffer after Javi's 17:00 keeps him from 17:30 but not from 17:45.
    expect(day('2026-11-26', [javiAtFive], 'javi').slots.map((s) => s.time)).not.toContain('17:30');
    expect(day('2026-11-26', [javiAtFive], 'javi').slots.map((s) => s.time)).toContain('17:45');
    const closedAtFive = { start: javiAtFive.start, end: javiAtFive.end };
    expect(day('2026-11-26', [closedAtFive]).freeAt['17:00']).toBeUndefined();
  });

  it('offers a time while at least one barber is free, and says "full" only when none is', () => {
    const all = ['javi', 'lucia', 'marcos'].map((barberId) => ({
      start: '2026-11-26T09:00:00.000Z',
      end: '2026-11-26T19:00:00.000Z',
      barberId,
    }));
    expect(day('2026-11-26', all.slice(0, 2)).slots.length).toBeGreaterThan(0);
    expect(day('2026-11-26', all)).toMatchObject({ slots: [], reason: 'full' });
  });

  it('says "closed" for a barber’s day off and for a day the whole shop is shut', () => {
    expect(day('2026-12-01', [], 'lucia')).toMatchObject({ slots: [], reason: 'closed' });
    expect(day('2026-11-29')).toMatchObject({ slots: [], reason: 'closed' });
    expect(day('2026-12-01').slots.length).toBeGreaterThan(0);
  });

  it('keeps the shop’s special hours for every barber, whatever their own week (Nochebuena, 9–13)', () => {
    const nochebuena = day('2026-12-24');
    expect(nochebuena.freeAt['09:00']).toEqual(['javi', 'lucia', 'marcos']);
    expect(nochebuena.freeAt['17:00']).toBeUndefined();
  });

  it('only counts barbers who do the service', () => {
    expect(chairsFor(teamShop, 'barba', 'any').map((c) => c.barberId)).toEqual(['javi', 'marcos']);
    expect(chairsFor(shop, 'barba', 'any')).toEqual([{ rules: shop }]);
  });

  it('gives "anyone" to the barber with the fewest appointments that day, ties by the config’s order', () => {
    const appointment = (barberId: string) => ({ start: '', end: '', barberId });
    expect(byFewestAppointments(['javi', 'lucia', 'marcos'], [])).toEqual(['javi', 'lucia', 'marcos']);
    expect(byFewestAppointments(['javi', 'lucia', 'marcos'], [appointment('javi'), appointment('lucia')])).toEqual([
      'marcos',
      'javi',
      'lucia',
    ]);
  });
});

describe('the shop config’s barbers', () => {
  const raw = () => JSON.parse(JSON.stringify(teamShop));

  it('accepts the example three-barber shop', () => {
    expect(ShopConfig.safeParse(raw()).success).toBe(true);
  });

  it.each([
    ['a service the shop does not have', (c: ShopConfig) => (c.barbers[1].services = ['tinte'])],
    ['two barbers with one id', (c: ShopConfig) => (c.barbers[1].id = 'javi')],
    ['a barber called "any"', (c: ShopConfig) => (c.barbers[0].id = 'any')],
    [
      'a service nobody does',
      (c: ShopConfig) => {
        for (const b of c.barbers) b.services = ['corte'];
      },
    ],
  ])('refuses %s', (_, spoil) => {
    const config = raw();
    spoil(config);
    expect(ShopConfig.safeParse(config).success).toBe(false);
  });
});

describe('the rule parser reads barbers', () => {
  it('reads "quiero un corte con Javi el jueves a las 6" as service, barber, day and time', () => {
    expect(read('quiero un corte con Javi el jueves a las 6')).toEqual([
      { type: 'SELECT_SERVICE', serviceId: 'corte' },
      { type: 'SELECT_BARBER', barberId: 'javi' },
      { type: 'PICK_DATE', date: '2026-11-26' },
      { type: 'PICK_TIME', time: '18:00' },
    ]);
  });

  it.each([
    ['el sábado con Lucía', 'lucia'],
    ['with Marcos please', 'marcos'],
    ['mejor con lucia', 'lucia'],
    ['con Javier', 'javi'],
    ['Javi', 'javi'],
  ])('reads "%s" as %s', (text, barberId) => {
    expect(read(text)).toContainEqual({ type: 'SELECT_BARBER', barberId });
  });

  it('reads "¿está Lucía el sábado?" as a question about her Saturday, not as a booking with her', () => {
    expect(read('¿está Lucía el sábado?')).toEqual([
      { type: 'ASK_INFO', topic: 'hours', barberId: 'lucia', date: '2026-11-28' },
    ]);
  });

  it('reads "me da igual" and "anyone" as any barber only when asked who', () => {
    expect(read('me da igual', { step: 'choosingBarber' })).toEqual([{ type: 'SELECT_BARBER', barberId: 'any' }]);
    expect(read('anyone', { step: 'choosingBarber', language: 'en' })).toEqual([
      { type: 'SELECT_BARBER', barberId: 'any' },
    ]);
    expect(read('me da igual', { step: 'choosingSlot' })).not.toContainEqual({
      type: 'SELECT_BARBER',
      barberId: 'any',
    });
    expect(read('un corte con cualquier barbero mañana')).toContainEqual({ type: 'SELECT_BARBER', barberId: 'any' });
  });

  it('does not guess between two barbers named at once', () => {
    expect(read('con Javi o con Lucía').some((event) => event.type === 'SELECT_BARBER')).toBe(false);
  });

  it('reads no barber in a shop without barbers', () => {
    expect(read('corte con Javi', { shop }).some((event) => event.type === 'SELECT_BARBER')).toBe(false);
  });
});

describe('the LLM and barbers', () => {
  const asked = (shopConfig = teamShop): Situation => ({
    shop: shopConfig,
    now: NOW,
    language: 'es',
    choices: [],
    accepts: new Set<CustomerEventType>(['SELECT_BARBER', 'SELECT_SERVICE', 'BACK']),
    step: 'choosingBarber',
  });

  it('lets the model name only the shop’s barbers or "any", and drops any other barber it makes up', () => {
    const schema = JSON.stringify(answerSchema(asked()).toJSONSchema());
    expect(schema).toContain('"enum":["any","javi","lucia","marcos"]');
    const answer = checkAnswer(
      JSON.stringify({
        events: [
          { type: 'SELECT_BARBER', barberId: 'lucia' },
          { type: 'SELECT_BARBER', barberId: 'paco' },
        ],
      }),
      asked(),
    );
    expect(answer.events).toEqual([{ type: 'SELECT_BARBER', barberId: 'lucia' }]);
  });

  it('offers the model no barber at a shop without barbers', () => {
    expect(allowedEventTypes(asked(shop))).not.toContain('SELECT_BARBER');
  });
});
