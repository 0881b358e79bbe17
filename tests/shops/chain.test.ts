import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readShopFile } from '../../src/shops/shop-file.ts';
import { citaPerTest, customer, fakeClock, stateOf } from '../support/cita.ts';

/**
 * The example chain (examples/shops/la-navaja.json): one WhatsApp number, two barbershops.
 * Eixample: Javi and Lucía (Lucía: haircuts and kids' cuts), open Monday to Saturday 10:00–20:00, no beard trims.
 * Gràcia: Marcos (Tuesday and Wednesday afternoons, Thursday and Friday all day), no kids' cuts.
 * The clock reads Tuesday 24 November 2026, 10:00 in Madrid.
 */
const chain = readShopFile(join(import.meta.dirname, '../../examples/shops/la-navaja.json')).config;
const start = citaPerTest();

describe('a chain of two barbershops behind one number', () => {
  it('asks for the location first, books there, and does not ask again next time', async () => {
    const cita = start({ shop: chain });
    const carlos = customer(cita);
    await carlos.say('hola');
    expect(await stateOf(cita, carlos.phone)).toBe('choosingLocation');
    expect(carlos.lastText).toMatch(/¿En cuál de nuestras barberías quieres la cita\?/);
    const rows = carlos.last.flatMap((message) => (message.kind === 'list' ? message.sections[0].rows : []));
    expect(rows.map((row) => [row.title, row.description])).toEqual([
      ['Eixample', "Carrer d'Enric Granados 40, 08008 Barcelona"],
      ['Gràcia', 'Carrer de Verdi 12, 08012 Barcelona'],
    ]);
    await carlos.tap('Eixample');
    expect(await stateOf(cita, carlos.phone)).toBe('choosingService');
    expect(carlos.options.map((option) => option.title)).toContain('Corte infantil');
    // Monday: Eixample opens, Gràcia does not.
    await carlos.say('un corte el lunes a las 11');
    expect(await stateOf(cita, carlos.phone)).toBe('choosingBarber');
    expect(carlos.options.map((option) => option.title)).toEqual(['Cualquiera', 'Javi', 'Lucía']);
    await carlos.say('con Lucía');
    expect(await stateOf(cita, carlos.phone)).toBe('confirming');
    expect(carlos.lastText).toContain('Corte de pelo con Lucía el lunes 30 de noviembre a las 11:00');
    await carlos.say('sí');
    expect(await stateOf(cita, carlos.phone)).toBe('booked');
    expect(await cita.calendar.upcomingFor(carlos.phone, new Date(0))).toMatchObject([
      { barberId: 'lucia', start: '2026-11-30T10:00:00.000Z' },
    ]);
    await carlos.say('otra cita');
    expect(await stateOf(cita, carlos.phone)).toBe('choosingService');
    await carlos.say('¿cuál es la dirección?');
    expect(carlos.lastText).toContain('Enric Granados 40');
  });

  it('moves the booking to another location when the customer says so at the confirmation, letting the time go', async () => {
    const cita = start({ shop: chain });
    const carlos = customer(cita);
    await carlos.say('hola');
    await carlos.say('en Gràcia');
    expect(carlos.options.map((option) => option.title)).not.toContain('Corte infantil');
    await carlos.say('un corte el jueves a las 5');
    expect(await stateOf(cita, carlos.phone)).toBe('confirming');
    expect(carlos.lastText).toContain('Corte de pelo con Marcos el jueves 26 de noviembre a las 17:00');
    await carlos.say('mejor en el Eixample');
    // Marcos works at Gràcia: at Eixample the customer picks again among those there, the time kept.
    expect(await stateOf(cita, carlos.phone)).toBe('choosingBarber');
    expect(carlos.options.map((option) => option.title)).toEqual(['Cualquiera', 'Javi', 'Lucía']);
    await carlos.say('con Javi');
    expect(await stateOf(cita, carlos.phone)).toBe('confirming');
    expect(carlos.lastText).toContain('Corte de pelo con Javi el jueves 26 de noviembre a las 17:00');
    // Marcos' 17:00 was let go: another customer gets it.
    const ana = customer(cita, '34600000002', 'Ana');
    await ana.say('un corte con Marcos el jueves a las 5');
    expect(await stateOf(cita, ana.phone)).toBe('confirming');
  });

  it('takes the location from the barber named, and says what a location does not do', async () => {
    const cita = start({ shop: chain });
    const carlos = customer(cita);
    await carlos.say('un corte con Marcos el viernes a las 12');
    expect(await stateOf(cita, carlos.phone)).toBe('confirming');
    expect(carlos.lastText).toContain('Corte de pelo con Marcos el viernes 27 de noviembre a las 12:00');
    await carlos.say('cancelar');
    await carlos.say('corte infantil');
    expect(await stateOf(cita, carlos.phone)).toBe('choosingService');
    expect(carlos.lastText).toContain('En Gràcia no hacemos Corte infantil.');
    expect(carlos.options.map((option) => option.title)).not.toContain('Corte infantil');
    // A row of a location the chain has closed since.
    await carlos.send('SELECT_LOCATION:sants');
    expect(carlos.lastText).toContain('No tenemos ninguna barbería con ese nombre. Estamos en Eixample y Gràcia.');
  });

  it("says where each appointment is in «mis citas», in Spanish and English, and the location's address when booked and reminded", async () => {
    const clock = fakeClock();
    const cita = start({ shop: chain, clock });
    const carlos = customer(cita);
    await carlos.say('hola');
    await carlos.tap('Eixample');
    await carlos.say('un corte el lunes a las 11 con Lucía');
    await carlos.say('sí');
    // Eixample's address, not the chain's (Gràcia's).
    expect(carlos.lastText).toContain("Te esperamos en Carrer d'Enric Granados 40, 08008 Barcelona.");
    expect(carlos.lastText).toContain('Teléfono: +34 930 000 001.');
    await carlos.say('otra cita');
    await carlos.say('en Gràcia');
    await carlos.say('un corte el jueves a las 5');
    await carlos.say('sí');
    expect(carlos.lastText).toContain('Te esperamos en Carrer de Verdi 12, 08012 Barcelona.');

    // Asked from Gràcia: Lucía of Eixample is named all the same.
    await carlos.say('mis citas');
    expect(carlos.lastText).toContain(
      [
        '• Corte de pelo con Marcos, jueves 26 de noviembre a las 17:00, en Gràcia',
        '• Corte de pelo con Lucía, lunes 30 de noviembre a las 11:00, en Eixample',
      ].join('\n'),
    );
    await carlos.tap('Anular cita');
    const rows = carlos.last.flatMap((message) => (message.kind === 'list' ? message.sections[0].rows : []));
    expect(rows.map((row) => row.description)).toEqual([
      'Corte de pelo con Marcos · Gràcia',
      'Corte de pelo con Lucía · Eixample',
    ]);
    await carlos.tap('lun 30 nov');
    expect(carlos.lastText).toContain(
      '¿Anulo tu cita: Corte de pelo con Lucía, lunes 30 de noviembre a las 11:00, en Eixample?',
    );
    await carlos.tap('No, mantenerla');

    await carlos.say('can you show me my appointments please');
    expect(carlos.lastText).toContain('• Haircut with Marcos, Thursday 26 November at 17:00, at Gràcia');
    expect(carlos.lastText).toContain('• Haircut with Lucía, Monday 30 November at 11:00, at Eixample');

    // The day before, the reminder gives Eixample's address.
    clock.set('2026-11-29T10:00:00Z');
    expect(await cita.sendDueReminders()).toMatchObject({ sent: 1 });
    await carlos.say('thanks');
    expect(carlos.last[0]?.body).toContain("at Carrer d'Enric Granados 40, 08008 Barcelona");
  });
});
