import { describe, expect, it } from 'vitest';
import { citaPerTest, customer, stateOf, teamShop } from './support/cita.ts';

/** Several people in one request: every appointment held together and booked with one yes. */
const start = citaPerTest();
const EVER = new Date(0);

describe('group bookings', () => {
  it('books "dos cortes" with anyone as two barbers at the same time, with one yes', async () => {
    const cita = start({ shop: teamShop });
    const carlos = customer(cita);
    await carlos.say('dos cortes el jueves a las 5');
    expect(carlos.lastText).toContain('2 × Corte de pelo, jueves 26 de noviembre a las 17:00, perfecto. ¿Con quién?');
    await carlos.say('me da igual');
    expect(await stateOf(cita, carlos.phone)).toBe('confirming');
    expect(carlos.lastText).toContain('• Corte de pelo con Javi a las 17:00 (30 min,');
    expect(carlos.lastText).toContain('• Corte de pelo con Lucía a las 17:00 (30 min,');
    await carlos.say('sí');
    expect(carlos.lastText).toContain('✅ ¡Citas reservadas!');
    expect(await cita.calendar.upcomingFor(carlos.phone, EVER)).toMatchObject([
      { barberId: 'javi', start: '2026-11-26T16:00:00.000Z' },
      { barberId: 'lucia', start: '2026-11-26T16:00:00.000Z' },
    ]);
  });

  it('books "un corte para mí y para mi hijo" in a one-chair shop one after the other, the buffer between', async () => {
    const cita = start();
    const carlos = customer(cita);
    await carlos.say('un corte para mí y para mi hijo mañana a las 5');
    expect(await stateOf(cita, carlos.phone)).toBe('confirming');
    expect(carlos.lastText).toContain('• Corte de pelo a las 17:00');
    expect(carlos.lastText).toContain('• Corte infantil a las 17:40');
    await carlos.say('sí');
    expect(await cita.calendar.upcomingFor(carlos.phone, EVER)).toMatchObject([
      { serviceId: 'corte', start: '2026-11-25T16:00:00.000Z', end: '2026-11-25T16:30:00.000Z' },
      { serviceId: 'infantil', start: '2026-11-25T16:40:00.000Z', end: '2026-11-25T17:00:00.000Z' },
    ]);
    expect((await cita.history.list(carlos.phone)).map((e) => e.serviceId)).toEqual(['corte', 'infantil']);
  });

  it('seats a group with the barber asked for one after the other', async () => {
    const cita = start({ shop: teamShop });
    const carlos = customer(cita);
    await carlos.say('two haircuts with Marcos on thursday at 5pm');
    expect(carlos.lastText).toContain('• Haircut with Marcos at 17:00');
    expect(carlos.lastText).toContain('• Haircut with Marcos at 17:40');
  });

  it('asks before booking anything when only one of the group fits, and books the customer alone on their word', async () => {
    const cita = start({ shop: teamShop });
    // Javi and Lucía are taken at 17:00 on Thursday; Marcos is free for one cut then, not for two in a row.
    for (const [i, [barber, time]] of [
      ['Javi', '17:00'],
      ['Lucía', '17:00'],
      ['Marcos', '17:45'],
    ].entries()) {
      const other = customer(cita, `3460000009${i}`);
      await other.say(`corte con ${barber} el jueves a las ${time}`);
      await other.say('sí');
    }
    const carlos = customer(cita);
    await carlos.say('dos cortes el jueves a las 5');
    await carlos.say('me da igual');
    expect(await stateOf(cita, carlos.phone)).toBe('choosingSlot');
    expect(carlos.lastText).toContain(
      'A las 17:00 no hay hueco para todos. Si quieres, escribe «solo Corte de pelo» y reservo solo esa cita.',
    );
    expect(carlos.options.map((o) => o.title)).not.toContain('17:00');
    expect(await cita.calendar.upcomingFor(carlos.phone, EVER)).toEqual([]);
    await carlos.say('solo corte de pelo');
    expect(await stateOf(cita, carlos.phone)).toBe('confirming');
    expect(carlos.lastText).toContain('Corte de pelo con Marcos el jueves 26 de noviembre a las 17:00');
  });

  it('lets go of every hold of the group when the customer calls it off', async () => {
    const cita = start({ shop: teamShop });
    const carlos = customer(cita);
    await carlos.say('dos cortes el jueves a las 5');
    await carlos.say('me da igual');
    await carlos.say('cancelar');
    const ana = customer(cita, '34600000002');
    await ana.say('corte con Lucía el jueves a las 5');
    expect(await stateOf(cita, ana.phone)).toBe('confirming');
  });
});
