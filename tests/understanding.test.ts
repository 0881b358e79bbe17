import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { addDays, startOfDay } from '../config/schema.ts';
import type { Slot } from '../machines/booking.context.ts';
import { CUSTOMER_EVENT_TYPES, type CustomerEventType } from '../machines/events.ts';
import { nearestFirst, slotPages } from '../machines/nearest-slots.ts';
import { dayIn } from '../src/interpreter/rules/days.ts';
import { closestWord } from '../src/interpreter/rules/fuzzy.ts';
import { readRules, type Situation } from '../src/interpreter/rules/index.ts';
import { wordsOf } from '../src/interpreter/rules/when.ts';
import { citaPerTest, customer, shop, stateOf } from './support/cita.ts';

// Tuesday 24 November 2026, 10:00 in Madrid. The shop opens Tue–Fri 10–14 and 16–20, Saturdays 9–14.
const NOW = new Date('2026-11-24T09:00:00Z');

function read(text: string, overrides: Partial<Situation> = {}) {
  return readRules(text, {
    shop,
    now: NOW,
    language: 'es',
    choices: [],
    accepts: new Set<CustomerEventType>(CUSTOMER_EVENT_TYPES),
    ...overrides,
  });
}
const only =
  (type: CustomerEventType) =>
  (text: string, overrides: Partial<Situation> = {}) =>
    read(text, overrides).filter((event) => event.type === type);

const partOf = only('PICK_PART_OF_DAY');
const timeOf = only('PICK_TIME');
const dateOf = only('PICK_DATE');

describe('never confidently wrong', () => {
  it('reads "the appointment" being booked as a booking, not as the customer’s appointments', () => {
    expect(read('Book the appointment for 11:15 am on Friday', { language: 'en' })).toEqual([
      { type: 'PICK_DATE', date: '2026-11-27' },
      { type: 'PICK_TIME', time: '11:15' },
    ]);
    expect(read('quiero una cita para cortarme el pelo el viernes')).toEqual([
      { type: 'SELECT_SERVICE', serviceId: 'corte' },
      { type: 'PICK_DATE', date: '2026-11-27' },
    ]);
  });

  it('still reads an appointment the customer has, or one they cancel or move', () => {
    expect(read('a qué hora es mi cita?')).toEqual([{ type: 'MY_APPOINTMENTS' }]);
    expect(read('no puedo ir a mi cita, cancélala')).toEqual([{ type: 'CANCEL_BOOKING' }]);
    expect(read('tengo una cita el viernes y quiero cambiarla')).toEqual([{ type: 'MOVE_BOOKING' }]);
    expect(read('cancela la cita')).toEqual([{ type: 'CANCEL_BOOKING' }]);
  });

  it('gives no day when a message names two, and no time when it names two', () => {
    expect(dateOf('el jueves o el viernes')).toEqual([]);
    expect(timeOf('a las 5 o a las 6')).toEqual([]);
    // The 6th of December is a Sunday: "el viernes 6" cannot be both.
    expect(dateOf('el viernes 6')).toEqual([]);
  });

  it('does not take a day turned down, a farewell or a day gone by as the day asked for', () => {
    expect(dateOf('mañana no puedo')).toEqual([]);
    expect(dateOf("I can't do friday", { language: 'en' })).toEqual([]);
    expect(read('muchas gracias, hasta el miércoles', { step: 'booked' })).toEqual([{ type: 'THANKS' }]);
    expect(read('es que ayer se me olvidó')).toEqual([]);
  });

  it('leaves "el martes" said on a Tuesday unread: today or next week are both meant', () => {
    expect(dateOf('el martes')).toEqual([]);
    expect(dateOf('el martes que viene')).toEqual([{ type: 'PICK_DATE', date: '2026-12-01' }]);
    expect(dateOf('la semana que viene el martes')).toEqual([{ type: 'PICK_DATE', date: '2026-12-01' }]);
  });

  it('reads an answer said twice as said once', () => {
    expect(read('no no', { step: 'confirming', accepts: new Set(['BACK', 'CONFIRM']) })).toEqual([{ type: 'BACK' }]);
  });

  it('does not read a greeting with a part of the day in it as that part of the day', () => {
    expect(read('buenas tardes')).toEqual([{ type: 'GREET' }]);
    expect(read('good evening', { language: 'en' })).toEqual([{ type: 'GREET' }]);
  });

  // Several people are one group booking (SELECT_SERVICES, tests/group-bookings.test.ts), never one of them alone.
  it('does not book one person when a message books for several', () => {
    expect(read('un corte para mí y otro para mi hijo el sábado')).toEqual([
      { type: 'SELECT_SERVICES', serviceIds: ['corte', 'infantil'] },
      { type: 'PICK_DATE', date: '2026-11-28' },
    ]);
    expect(read('dos cortes mañana a las 5')).toEqual([
      { type: 'SELECT_SERVICES', serviceIds: ['corte', 'corte'] },
      { type: 'PICK_DATE', date: '2026-11-25' },
      { type: 'PICK_TIME', time: '17:00' },
    ]);
    expect(read('haircut for me and my son on friday', { language: 'en' })).toEqual([
      { type: 'SELECT_SERVICES', serviceIds: ['corte', 'infantil'] },
      { type: 'PICK_DATE', date: '2026-11-27' },
    ]);
    // A group the rules cannot split into a service each is left unread rather than half-read.
    expect(read('somos dos, mañana a las 5')).toEqual([]);
    expect(read('las dos cosas, pelo y barba')).toEqual([{ type: 'SELECT_SERVICE', serviceId: 'corte-barba' }]);
  });

  it('leaves "4.22" unread: a time at 4:22 and the 22nd of April are both possible', () => {
    expect(read('el 4.22')).toEqual([]);
    expect(timeOf('a las 4.30')).toEqual([{ type: 'PICK_TIME', time: '16:30' }]);
  });
});

describe('parts of the day', () => {
  it('reads a part of the day as a window of free times', () => {
    expect(read('corte el jueves por la tarde')).toEqual([
      { type: 'SELECT_SERVICE', serviceId: 'corte' },
      { type: 'PICK_DATE', date: '2026-11-26' },
      { type: 'PICK_PART_OF_DAY', from: '14:00', to: '21:00' },
    ]);
    expect(partOf('in the evening', { language: 'en' })).toEqual([
      { type: 'PICK_PART_OF_DAY', from: '18:00', to: '23:59' },
    ]);
    expect(partOf('at lunch', { language: 'en' })).toEqual([{ type: 'PICK_PART_OF_DAY', from: '12:00', to: '15:00' }]);
  });

  it('reads "por la mañana" after a day is chosen as that day’s morning, not tomorrow', () => {
    expect(read('por la mañana', { date: '2026-11-27' })).toEqual([
      { type: 'PICK_PART_OF_DAY', from: '07:00', to: '14:00' },
    ]);
  });

  it('reads the first and last hour from the shop’s hours that day', () => {
    expect(partOf('a primera hora', { date: '2026-11-28' })).toEqual([
      { type: 'PICK_PART_OF_DAY', from: '09:00', to: '10:00' },
    ]);
    expect(partOf('a última hora', { date: '2026-11-25' })).toEqual([
      { type: 'PICK_PART_OF_DAY', from: '19:00', to: '20:00' },
    ]);
  });

  it('reads "after", "before" and "between" hours as stretches of the day', () => {
    expect(partOf('después de las 6')).toEqual([{ type: 'PICK_PART_OF_DAY', from: '18:00', to: '23:59' }]);
    expect(partOf('before 12', { language: 'en' })).toEqual([{ type: 'PICK_PART_OF_DAY', from: '00:00', to: '12:00' }]);
    expect(partOf('entre las 4 y las 6')).toEqual([{ type: 'PICK_PART_OF_DAY', from: '16:00', to: '18:00' }]);
  });

  it('takes an exact time over the part of the day it is said in', () => {
    expect(read('por la tarde a las 7')).toEqual([{ type: 'PICK_TIME', time: '19:00' }]);
  });
});

describe('times as customers write them', () => {
  it.each([
    ['las tres y quince', '15:15'],
    ['a las 3 y treinta', '15:30'],
    ['las doce y media', '12:30'],
    ['las doce menos cuarto', '11:45'],
    ['la una menos cuarto', '12:45'],
    ['mediodía', '12:00'],
    ['medianoche', '00:00'],
    ['half 4', '16:30'],
    ['quarter to 6', '17:45'],
    ['three quarters past 9pm', '21:45'],
    ['ten to six', '17:50'],
    ['15h30', '15:30'],
    ['3p', '15:00'],
    ['morning 10', '10:00'],
    ['evening 6', '18:00'],
    ['eight forty pm', '20:40'],
  ])('reads "%s" as %s', (text, time) => {
    expect(timeOf(text, { date: '2026-11-25' })).toEqual([{ type: 'PICK_TIME', time }]);
  });
});

describe('days as customers write them', () => {
  it.each([
    ['el finde', '2026-11-28'],
    ['pasado mañana', '2026-11-26'],
    ['el miércoles de la semana que viene', '2026-12-02'],
    ['friday after next', '2026-12-04'],
    ['el día antes del sábado', '2026-11-27'],
    ['the 28th of this month', '2026-11-28'],
    ['17-2', '2027-02-17'],
    ['marzo 3', '2027-03-03'],
    ['el primer viernes de diciembre', '2026-12-04'],
    ['en 3 días', '2026-11-27'],
  ])('reads "%s" as %s', (text, date) => {
    expect(dateOf(text)).toEqual([{ type: 'PICK_DATE', date }]);
  });

  it('reads the weekend as the one weekend day the shop opens, and as nothing when it opens both', () => {
    expect(dateOf('el finde')).toEqual([{ type: 'PICK_DATE', date: '2026-11-28' }]);
    const sundays = { ...shop, openingHours: { ...shop.openingHours, sunday: [{ from: '10:00', to: '14:00' }] } };
    expect(dateOf('el finde', { shop: sundays })).toEqual([]);
  });

  it('reads 4/12 day first in Spanish and leaves it unread in English, where it could be April', () => {
    expect(dateOf('el 4/12')).toEqual([{ type: 'PICK_DATE', date: '2026-12-04' }]);
    expect(dateOf('on 4/12', { language: 'en' })).toEqual([]);
  });
});

describe('typos', () => {
  it('reads a word one typo from a word of days, times, services and commands as that word', () => {
    expect(dateOf('mañna')).toEqual([{ type: 'PICK_DATE', date: '2026-11-25' }]);
    expect(dateOf('el biernes')).toEqual([{ type: 'PICK_DATE', date: '2026-11-27' }]);
    expect(timeOf('alas 6', { date: '2026-11-25' })).toEqual([{ type: 'PICK_TIME', time: '18:00' }]);
    expect(partOf('x la tarde')).toEqual([{ type: 'PICK_PART_OF_DAY', from: '14:00', to: '21:00' }]);
    expect(read('corrte')).toEqual([{ type: 'SELECT_SERVICE', serviceId: 'corte' }]);
    expect(read('hiarcut', { language: 'en' })).toEqual([{ type: 'SELECT_SERVICE', serviceId: 'corte' }]);
    expect(read('cancelr')).toEqual([{ type: 'CANCEL' }]);
  });

  it('corrects only what is close, with the first letter right, and never a short word', () => {
    expect(closestWord('partes', ['martes'])).toBeUndefined();
    expect(closestWord('mesa', ['media', 'menos'])).toBeUndefined();
    expect(closestWord('ola', ['hola'])).toBeUndefined();
    expect(closestWord('viernees', ['viernes', 'jueves'])).toBe('viernes');
  });

  it('leaves a word alone when two words are nearest, unless both mean the same', () => {
    expect(closestWord('cancelr', ['cancelar', 'cancela'])).toBeUndefined();
    // Both nearest words cancel: the rules read it as a cancel all the same.
    expect(read('cancelr')).toEqual([{ type: 'CANCEL' }]);
  });
});

describe('the free times offered', () => {
  const day = (times: string[]): Slot[] => times.map((time) => ({ date: '2026-11-25', time }) as Slot);
  const times = (slots: Slot[]) => slots.map((slot) => slot.time);
  const allDay = day(['10:00', '10:30', '11:00', '11:30', '12:00', '16:00', '16:30', '18:00', '18:30', '19:00']);

  it('puts the free times nearest a taken time first, before and after it, in time order, then the later, then the earlier', () => {
    expect(times(nearestFirst(allDay, { from: '17:00', to: '17:00' }, 4))).toEqual([
      '16:00',
      '16:30',
      '18:00',
      '18:30',
      '19:00',
      '10:00',
      '10:30',
      '11:00',
      '11:30',
      '12:00',
    ]);
  });

  it('pages the later times after the first page, then the earlier ones from the nearest back', () => {
    const pages = slotPages(nearestFirst(allDay, { from: '17:00', to: '17:00' }, 4), 4);
    expect(pages.map((page) => [page.where, times(page.slots)])).toEqual([
      ['first', ['16:00', '16:30', '18:00', '18:30']],
      ['later', ['19:00']],
      ['earlier', ['10:30', '11:00', '11:30', '12:00']],
      ['earlier', ['10:00']],
    ]);
  });

  it('puts the free times inside a part of the day first', () => {
    expect(times(nearestFirst(allDay, { from: '16:00', to: '21:00' }, 5)).slice(0, 5)).toEqual([
      '16:00',
      '16:30',
      '18:00',
      '18:30',
      '19:00',
    ]);
  });
});

describe('parts of the day and taken times through the engine', () => {
  const start = citaPerTest();

  it('offers the afternoon’s free times first when the customer asks for the afternoon', async () => {
    const cita = start();
    const carlos = customer(cita);
    await carlos.say('un corte mañana');
    expect(carlos.options[0]?.title).toBe('10:00');
    await carlos.say('por la tarde');
    expect(await stateOf(cita, carlos.phone)).toBe('choosingSlot');
    expect(carlos.options[0]?.title).toBe('16:00');
  });

  it('offers the free times around a taken time, not the day from its first hour', async () => {
    const cita = start();
    const first = customer(cita, '34600000002', 'Ana');
    await first.say('un corte mañana a las 5');
    await first.say('sí');
    const carlos = customer(cita);
    await carlos.say('un corte mañana a las 5');
    expect(await stateOf(cita, carlos.phone)).toBe('choosingSlot');
    const offered = carlos.options.map((option) => option.title).filter((title) => /^\d\d:\d\d$/.test(title));
    expect(offered).not.toContain('10:00');
    expect(offered.some((time) => time < '17:00')).toBe(true);
    expect(offered.some((time) => time > '17:00')).toBe(true);
  });
});

describe('days named, worked out from today', () => {
  // whenIn reads them from today as a calendar day (midnight UTC); in the shop's own zone each step
  // asked the timezone database. The days must be the same, DST at midnight included.
  it('are the same from midnight in the shop and from the calendar day', () => {
    const texts = [
      'mañana',
      'pasado mañana',
      'el viernes',
      'el martes que viene',
      'el 31',
      'el 29 de febrero',
      '3 de diciembre',
      '4/12',
      'el finde',
      'dentro de 2 semanas',
      '3 fridays from now',
      'next sunday',
      'el último viernes de marzo',
      'el primer lunes de noviembre',
      'hoy no, el jueves',
    ];
    const zones = ['Europe/Madrid', 'America/Santiago', 'America/Havana', 'Asia/Beirut', 'Australia/Lord_Howe'];
    fc.assert(
      fc.property(
        fc.constantFrom(...texts),
        fc.constantFrom(...zones),
        fc.integer({ min: 0, max: 4 * 366 }),
        fc.constantFrom('es' as const, 'en' as const),
        (text, timezone, offset, language) => {
          const today = addDays('2025-01-01', offset);
          const zoned = { ...shop, timezone };
          const words = wordsOf(text);
          expect(dayIn(words, DateTime.fromISO(today, { zone: 'utc' }), zoned, language)).toEqual(
            dayIn(words, startOfDay(timezone, today), zoned, language),
          );
        },
      ),
      { numRuns: 3_000 },
    );
  });
});
