import { describe, expect, it } from 'vitest';
import { CUSTOMER_EVENT_TYPES, type CustomerEventType } from '../machines/events.ts';
import { type Choice, readRules, type Situation } from '../src/interpreter/rules/index.ts';
import { shop } from './support/cita.ts';

// Tuesday 24 November 2026, 10:00 in Madrid.
const NOW = new Date('2026-11-24T09:00:00Z');

function situation(overrides: Partial<Situation> = {}): Situation {
  return {
    shop,
    now: NOW,
    language: 'es',
    choices: [],
    accepts: new Set<CustomerEventType>(CUSTOMER_EVENT_TYPES),
    ...overrides,
  };
}

const read = (text: string, overrides: Partial<Situation> = {}) => readRules(text, situation(overrides));
const dateOf = (text: string) => read(text).find((event) => event.type === 'PICK_DATE');
const timeOf = (text: string, overrides: Partial<Situation> = {}) =>
  read(text, overrides).find((event) => event.type === 'PICK_TIME');

describe('the rule parser reads a whole request', () => {
  it('reads service, day and time from "quiero un corte mañana a las 5"', () => {
    expect(read('quiero un corte mañana a las 5')).toEqual([
      { type: 'SELECT_SERVICE', serviceId: 'corte' },
      { type: 'PICK_DATE', date: '2026-11-25' },
      { type: 'PICK_TIME', time: '17:00' },
    ]);
  });

  it('reads an English request and switches the conversation to English', () => {
    expect(read('hi, a haircut tomorrow at 5pm please')).toEqual([
      { type: 'SET_LANGUAGE', language: 'en' },
      { type: 'SELECT_SERVICE', serviceId: 'corte' },
      { type: 'PICK_DATE', date: '2026-11-25' },
      { type: 'PICK_TIME', time: '17:00' },
    ]);
  });

  it('prefers the longest service name: "corte y barba" is the combined service', () => {
    expect(read('corte y barba')).toEqual([{ type: 'SELECT_SERVICE', serviceId: 'corte-barba' }]);
    expect(read('actually a beard trim', { language: 'en' })).toEqual([{ type: 'SELECT_SERVICE', serviceId: 'barba' }]);
    expect(read('para mi hijo, corte infantil')).toContainEqual({ type: 'SELECT_SERVICE', serviceId: 'infantil' });
  });

  it('returns nothing for text it does not understand', () => {
    expect(read('blablabla qwerty')).toEqual([]);
    expect(read('🙂🙂🙂')).toEqual([]);
    expect(read('')).toEqual([]);
  });
});

describe('days', () => {
  it.each([
    ['hoy', '2026-11-24'],
    ['mañana', '2026-11-25'],
    ['pasado mañana', '2026-11-26'],
    ['el viernes', '2026-11-27'],
    ['el sábado', '2026-11-28'],
    ['el martes que viene', '2026-12-01'],
    ['el 5', '2026-12-05'],
    ['el 30', '2026-11-30'],
    ['12 de diciembre', '2026-12-12'],
    ['5/12', '2026-12-05'],
    ['tomorrow', '2026-11-25'],
    ['next Friday', '2026-11-27'],
    ['on Saturday', '2026-11-28'],
    ['the day after tomorrow', '2026-11-26'],
    ['December 12', '2026-12-12'],
  ])('reads "%s" as %s', (text, date) => {
    expect(dateOf(text)).toEqual({ type: 'PICK_DATE', date });
  });
});

describe('times', () => {
  it.each([
    ['a las 5', '17:00'],
    ['a las 5 y media', '17:30'],
    ['5 y cuarto', '17:15'],
    ['a las 6 menos cuarto', '17:45'],
    ['17:00', '17:00'],
    ['a las 17h', '17:00'],
    ['5pm', '17:00'],
    ['a las 5 de la tarde', '17:00'],
    ['a las cinco', '17:00'],
    ['a las 10', '10:00'],
    ['a las 12', '12:00'],
    ['a las 11:30', '11:30'],
    ['at 5', '17:00'],
    ['at 10am', '10:00'],
  ])('reads "%s" as %s', (text, time) => {
    expect(timeOf(text)).toEqual({ type: 'PICK_TIME', time });
  });

  it('reads a bare hour as the hour the shop is open on the chosen day', () => {
    // Saturdays open 09:00–14:00 only: "a las 9" is the morning.
    expect(timeOf('a las 9', { date: '2026-11-28' })).toEqual({ type: 'PICK_TIME', time: '09:00' });
    expect(timeOf('a las 4', { date: '2026-11-25' })).toEqual({ type: 'PICK_TIME', time: '16:00' });
  });
});

describe('short answers', () => {
  const confirming = new Set<CustomerEventType>(['CONFIRM', 'BACK', 'CANCEL', 'PICK_TIME', 'ASK_INFO']);

  it.each(['sí', 'si', 'dale', 'claro', 'ok', 'vale', 'yes', 'sure', 'Sí, confírmala'])(
    'reads "%s" as a yes',
    (text) => {
      expect(read(text, { accepts: confirming }).at(-1)).toEqual({ type: 'CONFIRM' });
    },
  );

  it.each(['no', 'nope', 'mejor no'])('reads "%s" as a no: step back from the confirmation', (text) => {
    expect(read(text, { accepts: confirming }).at(-1)).toEqual({ type: 'BACK' });
  });

  it('does not turn a yes into anything where no question was asked', () => {
    expect(read('ok', { accepts: new Set(['SELECT_SERVICE']) })).toEqual([]);
  });

  it('picks the numbered option or the option named by its title', () => {
    const choices: Choice[] = [
      { title: 'Corte de pelo', event: { type: 'SELECT_SERVICE', serviceId: 'corte' } },
      { title: 'Arreglo de barba', event: { type: 'SELECT_SERVICE', serviceId: 'barba' } },
    ];
    expect(read('2', { choices })).toEqual([{ type: 'SELECT_SERVICE', serviceId: 'barba' }]);
    expect(read('la 1', { choices })).toEqual([{ type: 'SELECT_SERVICE', serviceId: 'corte' }]);
    expect(read('opción 2', { choices })).toEqual([{ type: 'SELECT_SERVICE', serviceId: 'barba' }]);
    expect(read('arreglo de barba', { choices })).toEqual([{ type: 'SELECT_SERVICE', serviceId: 'barba' }]);
    // A number beyond the list is not a pick.
    expect(read('7', { choices })).toEqual([]);
  });
});

describe('commands and questions', () => {
  it.each([
    ['cancelar', { type: 'CANCEL' }],
    ['cancel', { type: 'CANCEL' }],
    ['atrás', { type: 'BACK' }],
    ['empezar de nuevo', { type: 'RESTART' }],
    ['ayuda', { type: 'HELP' }],
    ['más horas', { type: 'MORE_TIMES' }],
    ['otro servicio', { type: 'CHANGE', step: 'service' }],
    ['¿cuánto cuesta?', { type: 'ASK_INFO', topic: 'prices' }],
    ['¿qué horario tenéis?', { type: 'ASK_INFO', topic: 'hours' }],
    ['¿dónde estáis?', { type: 'ASK_INFO', topic: 'address' }],
    ['¿qué servicios tenéis?', { type: 'ASK_INFO', topic: 'services' }],
    ['hola', { type: 'GREET' }],
  ])('reads "%s"', (text, event) => {
    expect(read(text).at(-1)).toEqual(event);
  });

  it('reads "otro día" and "cambiar la hora" as corrections while booking, and as moving an appointment otherwise', () => {
    const booking = { date: '2026-11-25' };
    expect(read('otro día', booking)).toEqual([{ type: 'CHANGE', step: 'date' }]);
    expect(read('cambiar la hora', booking)).toEqual([{ type: 'CHANGE', step: 'time' }]);
    expect(read('cambiar la hora')).toEqual([{ type: 'MOVE_BOOKING' }]);
  });

  it.each([
    ['mis citas', { type: 'MY_APPOINTMENTS' }],
    ['what are my appointments?', { type: 'MY_APPOINTMENTS' }],
    ['hola, quería cancelar mi cita del viernes', { type: 'CANCEL_BOOKING' }],
    ['cancel my booking', { type: 'CANCEL_BOOKING' }],
    ['necesito cambiar mi cita', { type: 'MOVE_BOOKING' }],
    ['can I reschedule?', { type: 'MOVE_BOOKING' }],
  ])('reads "%s" as being about the customer\'s appointments', (text, event) => {
    expect(read(text).at(-1)).toEqual(event);
  });

  it('answers English questions and switches to English', () => {
    expect(read('how much is it?')).toEqual([
      { type: 'SET_LANGUAGE', language: 'en' },
      { type: 'ASK_INFO', topic: 'prices' },
    ]);
  });

  it('switches language when asked, in either language', () => {
    expect(read('english please')).toContainEqual({ type: 'SET_LANGUAGE', language: 'en' });
    expect(read('en español', { language: 'en' })).toEqual([{ type: 'SET_LANGUAGE', language: 'es' }]);
  });

  it('keeps the language when the message could be either', () => {
    expect(read('17:00', { language: 'en' })).toEqual([{ type: 'PICK_TIME', time: '17:00' }]);
    expect(read('ok', { language: 'en', accepts: new Set(['CONFIRM']) })).toEqual([{ type: 'CONFIRM' }]);
  });
});

describe('what the evaluation corpus taught', () => {
  const times: Choice[] = ['17:00', '17:15', '17:30'].map((time) => ({
    title: time,
    event: { type: 'PICK_TIME', time },
  }));
  const withMore: Choice[] = [...times, { title: 'Más horas', event: { type: 'MORE_TIMES' } }];

  it('picks by ordinal, and "the last one" is the last time rather than "more times"', () => {
    expect(read('el segundo', { choices: times })).toEqual([{ type: 'PICK_TIME', time: '17:15' }]);
    expect(read('the first one', { choices: times, language: 'en' })).toEqual([{ type: 'PICK_TIME', time: '17:00' }]);
    expect(read('la última', { choices: withMore })).toEqual([{ type: 'PICK_TIME', time: '17:30' }]);
  });

  it('reads a message starting with "no" as a command when it says more than no', () => {
    const confirming = new Set<CustomerEventType>(['CONFIRM', 'BACK', 'CANCEL', 'HELP']);
    expect(read('no entiendo', { accepts: confirming })).toEqual([{ type: 'HELP' }]);
    expect(read('ya no quiero', { accepts: confirming })).toEqual([{ type: 'CANCEL' }]);
    expect(read('no, gracias', { accepts: confirming })).toEqual([{ type: 'BACK' }]);
  });

  it('thanks kindly instead of starting a new booking after "vale, gracias"', () => {
    expect(read('vale gracias', { step: 'booked', accepts: new Set(['BOOK_ANOTHER', 'THANKS']) })).toEqual([
      { type: 'THANKS' },
    ]);
  });

  it('reads a yes at the greeting as "book now", and squeezes "siii" and 👍', () => {
    expect(read('sí', { step: 'greeting', accepts: new Set(['BOOK_ANOTHER']) })).toEqual([{ type: 'BOOK_ANOTHER' }]);
    expect(read('siii', { accepts: new Set(['CONFIRM']) })).toEqual([{ type: 'CONFIRM' }]);
    expect(read('👍', { accepts: new Set(['CONFIRM']) })).toEqual([{ type: 'CONFIRM' }]);
  });

  it('answers a question about a service without choosing it', () => {
    expect(read('¿cuánto cuesta un corte?')).toEqual([{ type: 'ASK_INFO', topic: 'prices', serviceId: 'corte' }]);
    expect(read('¿abrís los sábados?')).toEqual([{ type: 'ASK_INFO', topic: 'hours', date: '2026-11-28' }]);
  });

  it('does not read ages or "las dos cosas" as times', () => {
    expect(read('corte de pelo para mi hija de 6 años').some((e) => e.type === 'PICK_TIME')).toBe(false);
    expect(read('las dos cosas, pelo y barba')).toEqual([{ type: 'SELECT_SERVICE', serviceId: 'corte-barba' }]);
  });

  it.each([
    ['el próximo viernes', '2026-11-27'],
    ['el jueves 3', '2026-12-03'],
  ])('reads "%s" as %s', (text, date) => {
    expect(dateOf(text)).toEqual({ type: 'PICK_DATE', date });
  });

  it.each([
    ['half past 5', '17:30'],
    ['quarter to 6', '17:45'],
    ['around 4', '16:00'],
    ['6ish', '18:00'],
  ])('reads "%s" as %s', (text, time) => {
    expect(timeOf(text, { language: 'en' })).toEqual({ type: 'PICK_TIME', time });
  });

  it('tells cancelling, moving and seeing an appointment apart', () => {
    expect(read('anular mi reserva')).toEqual([{ type: 'CANCEL_BOOKING' }]);
    expect(read('¿puedo cambiar la hora de mi cita?')).toEqual([{ type: 'MOVE_BOOKING' }]);
    expect(read('quiero ver mis citas')).toEqual([{ type: 'MY_APPOINTMENTS' }]);
  });
});

describe('services named together', () => {
  it('reads two services that another combines as the combined one', () => {
    expect(read('quiero cortarme el pelo y arreglarme la barba')).toContainEqual({
      type: 'SELECT_SERVICE',
      serviceId: 'corte-barba',
    });
    expect(read('beard trim and haircut', { language: 'en' })).toContainEqual({
      type: 'SELECT_SERVICE',
      serviceId: 'corte-barba',
    });
  });

  it('reads a service with what refines it as the refined one', () => {
    expect(read('corte de pelo para mi hija')).toEqual([{ type: 'SELECT_SERVICE', serviceId: 'infantil' }]);
    expect(read('kids haircut', { language: 'en' })).toEqual([{ type: 'SELECT_SERVICE', serviceId: 'infantil' }]);
  });
});

describe('the server clock', () => {
  it('reads "hoy" and "mañana" in the shop timezone just after midnight, whatever the server timezone', () => {
    // 23:30 UTC on Tuesday is 00:30 on Wednesday in Madrid.
    const now = new Date('2026-11-24T23:30:00Z');
    expect(read('hoy', { now })).toContainEqual({ type: 'PICK_DATE', date: '2026-11-25' });
    expect(read('mañana', { now })).toContainEqual({ type: 'PICK_DATE', date: '2026-11-26' });
  });
});
