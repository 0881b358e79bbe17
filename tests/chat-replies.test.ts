import { describe, expect, it } from 'vitest';
import type { ShopConfig } from '../config/schema.ts';
import { citaPerTest, customer, fakeClock, shop, stateOf, teamShop, tempDataDir } from './support/cita.ts';

/** What the customer reads, as issue 25's newcomer found it: each line once, complete, in order. */
const start = citaPerTest();

describe('what the customer reads', () => {
  it('says "17:00 is not free" once when a message repeats a time already asked for, on a day it is not free', async () => {
    // Friday 27 Nov: tomorrow is Saturday, open until 14:00.
    const cita = start({ clock: fakeClock('2026-11-27T09:00:00Z') });
    const jane = customer(cita, '447700900001', 'Jane');
    await jane.say('haircut at 5pm');
    await jane.say('hi, a haircut tomorrow at 5pm please');
    expect(await stateOf(cita, jane.phone)).toBe('choosingSlot');
    expect(jane.lastText.split('17:00 is not free.')).toHaveLength(2);
  });

  it('pages the free times on from the first page, later ones first, then the earlier ones, each labelled', async () => {
    const cita = start();
    const jane = customer(cita, '447700900001', 'Jane');
    const times = () => jane.options.map((o) => o.title).filter((t) => /^\d\d:\d\d$/.test(t));
    // 15:00 is the lunch closure of Wednesday 25 Nov: the nearest times are around it.
    await jane.say('a haircut tomorrow at 3pm');
    expect(times()).toEqual(['12:45', '13:00', '13:15', '13:30', '16:00', '16:15', '16:30', '16:45', '17:00']);
    await jane.tap('More times');
    expect(jane.lastText).toContain('Wednesday 25 November (later).');
    expect(times()).toEqual(['17:15', '17:30', '17:45', '18:00', '18:15', '18:30', '18:45', '19:00', '19:15']);
    await jane.tap('More times');
    expect(jane.lastText).toContain('(later)');
    expect(times()).toEqual(['19:30']);
    await jane.tap('More times');
    expect(jane.lastText).toContain('Wednesday 25 November (earlier).');
    expect(times()).toEqual(['10:30', '10:45', '11:00', '11:15', '11:30', '11:45', '12:00', '12:15', '12:30']);
    await jane.tap('More times');
    expect(jane.lastText).toContain('(earlier)');
    expect(times()).toEqual(['10:00', '10:15']);
    expect(jane.options.map((o) => o.title)).not.toContain('More times');
  });

  it('labels the later and earlier times «(más tarde)» and «(antes)» in Spanish', async () => {
    // Friday 27 Nov: tomorrow is Saturday, open until 14:00, so after the first page come earlier times.
    const cita = start({ clock: fakeClock('2026-11-27T09:00:00Z') });
    const carlos = customer(cita);
    await carlos.say('un corte mañana a las 5');
    await carlos.tap('Más horas');
    expect(carlos.lastText).toContain('(antes)');
    const other = customer(cita, '34600000002', 'Ana');
    await other.say('un corte mañana');
    await other.tap('Más horas');
    expect(other.lastText).toContain('(más tarde)');
  });

  it('confirms a booking with its day, time, price, how to change it and the shop’s phone', async () => {
    const cita = start();
    const carlos = customer(cita);
    await carlos.say('un corte mañana a las 5');
    await carlos.say('sí');
    expect(carlos.lastText).toContain(
      '✅ ¡Cita reservada! Corte de pelo el miércoles 25 de noviembre a las 17:00 (15\u00a0€).',
    );
    expect(carlos.lastText).toContain('Te esperamos en Calle de Fuencarral 45, 28004 Madrid.');
    expect(carlos.lastText).toContain('Para cambiarla o anularla, escribe «mis citas». Teléfono: +34 910 000 000.');
    const jane = customer(cita, '447700900001', 'Jane');
    await jane.say('a haircut tomorrow at 11am');
    await jane.say('yes');
    expect(jane.lastText).toContain('at 11:00 (€15).');
    expect(jane.lastText).toContain('To change or cancel it, write "my appointments". Phone: +34 910 000 000.');
  });

  it('gives a group its total, at the question and once booked', async () => {
    const cita = start();
    const carlos = customer(cita);
    await carlos.say('un corte para mí y para mi hijo mañana a las 5');
    expect(carlos.lastText).toContain('Total: 26\u00a0€');
    await carlos.say('sí');
    expect(carlos.lastText).toContain('Total: 26\u00a0€');
    expect(carlos.lastText).toContain('escribe «mis citas». Teléfono: +34 910 000 000.');
  });

  it('counts minutes and days in the singular for one, in Spanish and English', async () => {
    const oneMinute: ShopConfig = { ...shop, booking: { ...shop.booking, holdMinutes: 1, daysAhead: 1 } };
    const cita = start({ shop: oneMinute });
    const carlos = customer(cita);
    await carlos.say('un corte mañana a las 5');
    expect(carlos.lastText).toContain('Te guardo la hora 1 minuto. ¿La confirmo?');
    await carlos.say('un corte el viernes');
    expect(carlos.lastText).toContain('con un máximo de 1 día de antelación');
    const jane = customer(cita, '447700900001', 'Jane');
    await jane.say('a haircut tomorrow at 5pm');
    expect(jane.lastText).toContain("I'm holding this time for 1 minute.");
  });

  it('sends the address once, as the pin, when asked where the shop is', async () => {
    const cita = start();
    const carlos = customer(cita);
    const replies = await carlos.say('¿dónde estáis?');
    expect(replies[0]).toMatchObject({ kind: 'location', address: shop.address });
    const mentions = replies.filter((reply) => reply.body?.includes(shop.address));
    expect(mentions).toHaveLength(1);
  });

  it('answers a 👍 after booking, typed or as a reaction, with a short thanks and not the confirmation again', async () => {
    const cita = start();
    const carlos = customer(cita);
    await carlos.say('un corte mañana a las 5');
    await carlos.say('sí');
    const typed = await carlos.say('👍');
    expect(typed).toEqual([{ kind: 'text', body: '¡A ti! Aquí estoy si necesitas algo más.' }]);
    const reacted = await cita.converse(carlos.phone, { kind: 'reaction', messageId: 'wamid.booked', emoji: '👍' });
    expect(reacted).toEqual([{ kind: 'text', body: '¡A ti! Aquí estoy si necesitas algo más.' }]);
    expect(await stateOf(cita, carlos.phone)).toBe('booked');
    expect(await cita.calendar.upcomingFor(carlos.phone, new Date(0))).toHaveLength(1);
  });
});

describe('an appointment whose service the shop took out since', () => {
  const withoutKids: ShopConfig = { ...shop, services: shop.services.filter((s) => s.id !== 'infantil') };

  it('keeps the name it was booked under, and a move asks for one of today’s services', async () => {
    const dataDir = tempDataDir();
    const clock = fakeClock();
    const before = start({ dataDir, clock });
    const carlos = customer(before);
    await carlos.say('un corte infantil mañana a las 5');
    await carlos.say('sí');
    await before.stop();

    const after = start({ dataDir, clock, shop: withoutKids });
    const again = customer(after);
    await again.say('mis citas');
    expect(again.lastText).toContain('Corte infantil, miércoles 25 de noviembre a las 17:00');
    await again.tap('Cambiar cita');
    expect(again.lastText).not.toMatch(/^, perfecto/m);
    expect(again.lastText).toContain(
      'Vamos a cambiar tu cita (Corte infantil, miércoles 25 de noviembre a las 17:00).',
    );
    expect(await stateOf(after, again.phone)).toBe('choosingService');
  });
});

describe('team shop confirmations', () => {
  it('names the barber and the price in a three-barber shop', async () => {
    const cita = start({ shop: teamShop });
    const carlos = customer(cita);
    await carlos.say('un corte con Javi mañana a las 5');
    await carlos.say('sí');
    expect(carlos.lastText).toMatch(/Corte de pelo con Javi el miércoles 25 de noviembre a las 17:00 \(15\u00a0€\)/);
  });
});
