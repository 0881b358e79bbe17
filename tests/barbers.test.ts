import { describe, expect, it } from 'vitest';
import { SqliteConversationStore } from '../adapters/sqlite/conversations.ts';
import { createCita } from '../src/cita.ts';
import { es } from '../src/messages/es.ts';
import { citaPerTest, customer, fakeClock, stateOf, teamShop, tempDataDir } from './support/cita.ts';
import { memoryDatabase } from './support/sqlite.ts';

/**
 * A shop of three barbers (config/barbershop-team.json): Javi does everything and works the
 * shop's hours; Lucía does haircuts and kids' cuts, and has Tuesday 1 December off; Marcos does
 * everything, Tuesday and Wednesday afternoons only, Thursday and Friday all day. The clock reads
 * Tuesday 24 November 2026, 10:00 in Madrid.
 */
const start = citaPerTest();
const EVER = new Date(0);

function teamCita() {
  return start({ shop: teamShop });
}

type Cita = ReturnType<typeof teamCita>;

async function appointmentsOf(cita: Cita, phone: string) {
  return cita.calendar.upcomingFor(phone, EVER);
}

describe('a shop with three barbers', () => {
  it('books three customers at the same hour with three different barbers, and offers a fourth other times', async () => {
    const cita = teamCita();
    const people = ['Javi', 'Lucía', 'Marcos'].map((barber, i) => ({
      barber,
      person: customer(cita, `3460000000${i + 1}`, `Cliente ${i + 1}`),
    }));
    for (const { barber, person } of people) {
      await person.say(`quiero un corte con ${barber} el jueves a las 5`);
      expect(await stateOf(cita, person.phone)).toBe('confirming');
      expect(person.lastText).toContain(`Corte de pelo con ${barber} el jueves 26 de noviembre a las 17:00`);
      await person.say('sí');
      expect(person.lastText).toContain(`¡Cita reservada! Corte de pelo con ${barber} el jueves 26 de noviembre`);
    }
    const booked = await Promise.all(people.map(({ person }) => appointmentsOf(cita, person.phone)));
    expect(booked.map(([a]) => [a.barberId, a.start])).toEqual([
      ['javi', '2026-11-26T16:00:00.000Z'],
      ['lucia', '2026-11-26T16:00:00.000Z'],
      ['marcos', '2026-11-26T16:00:00.000Z'],
    ]);

    const fourth = customer(cita, '34600000004', 'Cliente 4');
    await fourth.say('un corte el jueves a las 5');
    expect(await stateOf(cita, fourth.phone)).toBe('choosingBarber');
    await fourth.say('me da igual');
    expect(await stateOf(cita, fourth.phone)).toBe('choosingSlot');
    expect(fourth.lastText).toContain('A las 17:00 no hay hueco.');
    const times = fourth.options.map((o) => o.title);
    // The free times nearest 17:00 come first (all three chairs are taken 17:00–17:30, plus the buffer).
    expect(times[0]).toBe('16:00');
    expect(times).not.toContain('17:00');
  });

  it('books "quiero un corte con Javi el jueves a las 6" with Javi, and says so', async () => {
    const cita = teamCita();
    const carlos = customer(cita);
    await carlos.say('quiero un corte con Javi el jueves a las 6');
    expect(await stateOf(cita, carlos.phone)).toBe('confirming');
    expect(carlos.lastText).toContain('Corte de pelo con Javi el jueves 26 de noviembre a las 18:00');
    await carlos.say('sí');
    expect(carlos.lastText).toContain(
      '✅ ¡Cita reservada! Corte de pelo con Javi el jueves 26 de noviembre a las 18:00 (',
    );
    expect(await appointmentsOf(cita, carlos.phone)).toMatchObject([
      { barberId: 'javi', start: '2026-11-26T17:00:00.000Z', serviceId: 'corte' },
    ]);
    expect(await cita.history.list(carlos.phone)).toMatchObject([{ status: 'booked', barberId: 'javi' }]);
  });

  it('asks who when several barbers do the service, listing "anyone" first and only those who do it', async () => {
    const cita = teamCita();
    const carlos = customer(cita);
    await carlos.say('corte');
    expect(await stateOf(cita, carlos.phone)).toBe('choosingBarber');
    expect(carlos.options.map((o) => o.title)).toEqual(['Cualquiera', 'Javi', 'Lucía', 'Marcos']);
    await carlos.say('barba');
    expect(carlos.options.map((o) => o.title)).toEqual(['Cualquiera', 'Javi', 'Marcos']);
    await carlos.tap('Marcos');
    expect(await stateOf(cita, carlos.phone)).toBe('choosingDate');
    expect(carlos.lastText).toContain('Arreglo de barba con Marcos, perfecto.');
  });

  it('says a barber does not do a service and asks among those who do', async () => {
    const cita = teamCita();
    const carlos = customer(cita);
    await carlos.say('arreglo de barba con Lucía');
    expect(await stateOf(cita, carlos.phone)).toBe('choosingBarber');
    expect(carlos.lastText).toContain('Lucía no hace Arreglo de barba.');
    expect(carlos.options.map((o) => o.title)).toEqual(['Cualquiera', 'Javi', 'Marcos']);
  });

  it("gives anyone's booking to the free barber with the fewest appointments that day, ties by config order", async () => {
    const cita = teamCita();
    const first = customer(cita, '34600000001');
    await first.say('corte con Javi el jueves a las 10');
    await first.say('sí');
    const second = customer(cita, '34600000002');
    await second.say('corte el jueves a las 12');
    await second.say('me da igual');
    // Javi already has one appointment that Thursday; Lucía, next in the config, has none.
    expect(second.lastText).toContain('Corte de pelo con Lucía el jueves 26 de noviembre a las 12:00');
    await second.say('sí');
    expect(await appointmentsOf(cita, second.phone)).toMatchObject([{ barberId: 'lucia' }]);
  });

  it("keeps to each barber's own hours: Marcos works Tuesday afternoons only", async () => {
    const cita = teamCita();
    const carlos = customer(cita);
    await carlos.say('corte con Marcos hoy a las 12');
    expect(await stateOf(cita, carlos.phone)).toBe('choosingSlot');
    expect(carlos.lastText).toContain('Marcos no tiene hueco a las 12:00. A las 12:00 está libre Javi y Lucía');
    expect(carlos.options[0].title).toBe('16:00');
    // "con Lucía" asks Lucía for the time Marcos did not have.
    await carlos.say('con Lucía');
    expect(await stateOf(cita, carlos.phone)).toBe('confirming');
    expect(carlos.lastText).toContain('Corte de pelo con Lucía el martes 24 de noviembre a las 12:00');
  });

  it("keeps to a barber's day off: Lucía is off on Tuesday 1 December", async () => {
    const cita = teamCita();
    const carlos = customer(cita);
    await carlos.say('corte con Lucía el 1 de diciembre');
    expect(await stateOf(cita, carlos.phone)).toBe('choosingDate');
    expect(carlos.lastText).toContain('El martes 1 de diciembre Lucía no trabaja.');
  });

  it('tells a customer the barber they asked for is busy then, and who is free at that time', async () => {
    const cita = teamCita();
    const first = customer(cita, '34600000001');
    await first.say('corte con Javi el jueves a las 6');
    await first.say('sí');
    const second = customer(cita, '34600000002');
    await second.say('corte con Javi el jueves a las 6');
    expect(await stateOf(cita, second.phone)).toBe('choosingSlot');
    expect(second.lastText).toContain(
      'Javi no tiene hueco a las 18:00. A las 18:00 está libre Lucía y Marcos: escribe «con Lucía» y te lo guardo.',
    );
    expect(second.options.map((o) => o.title)).not.toContain('18:00');
    await second.say('mejor con Marcos');
    expect(second.lastText).toContain('Corte de pelo con Marcos el jueves 26 de noviembre a las 18:00');
  });

  it('lets the customer change barber at the confirmation, keeping the time', async () => {
    const cita = teamCita();
    const carlos = customer(cita);
    await carlos.say('corte con Javi el jueves a las 5');
    await carlos.say('mejor con Lucía');
    expect(await stateOf(cita, carlos.phone)).toBe('confirming');
    expect(carlos.lastText).toContain('Corte de pelo con Lucía el jueves 26 de noviembre a las 17:00');
    await carlos.say('sí');
    expect(await appointmentsOf(cita, carlos.phone)).toMatchObject([{ barberId: 'lucia' }]);
    // Javi's chair was let go: another customer gets him at that time.
    const other = customer(cita, '34600000002');
    await other.say('corte con Javi el jueves a las 5');
    expect(other.lastText).toContain('Corte de pelo con Javi el jueves 26 de noviembre a las 17:00');
  });

  it('moves an appointment keeping its barber, and names the barber in "mis citas"', async () => {
    const cita = teamCita();
    const carlos = customer(cita);
    await carlos.say('corte con Lucía el jueves a las 5');
    await carlos.say('sí');
    await carlos.say('mis citas');
    expect(carlos.lastText).toContain('Corte de pelo con Lucía, jueves 26 de noviembre a las 17:00');
    await carlos.say('cambiar mi cita');
    expect(await stateOf(cita, carlos.phone)).toBe('choosingDate');
    await carlos.say('el viernes a las 6');
    expect(carlos.lastText).toContain('Corte de pelo con Lucía el viernes 27 de noviembre a las 18:00');
    await carlos.say('sí');
    expect(carlos.lastText).toContain('¡Cita cambiada! Ahora es Corte de pelo con Lucía el viernes 27 de noviembre');
    expect(await appointmentsOf(cita, carlos.phone)).toMatchObject([
      { barberId: 'lucia', start: '2026-11-27T17:00:00.000Z' },
    ]);
  });

  it("frees the barber's time when an appointment is cancelled", async () => {
    const cita = teamCita();
    const carlos = customer(cita, '34600000001');
    await carlos.say('corte con Marcos el jueves a las 5');
    await carlos.say('sí');
    const other = customer(cita, '34600000002');
    await other.say('corte con Marcos el jueves a las 5');
    expect(await stateOf(cita, other.phone)).toBe('choosingSlot');
    await other.say('cancelar');

    await carlos.say('anular mi cita');
    await carlos.say('sí');
    expect(carlos.lastText).toContain('Cita anulada: Corte de pelo con Marcos');
    await other.say('corte con Marcos el jueves a las 5');
    expect(await stateOf(cita, other.phone)).toBe('confirming');
  });

  it('names the barber in the reminder', async () => {
    const clock = fakeClock();
    const cita = start({ shop: teamShop, clock });
    const carlos = customer(cita);
    await carlos.say('corte con Lucía mañana a las 5');
    await carlos.say('sí');
    clock.set('2026-11-24T16:00:00Z');
    expect(await cita.sendDueReminders()).toMatchObject({ sent: 1 });
    await carlos.say('¿dónde estáis?');
    expect(carlos.last[0]?.body).toContain(
      '⏰ Recordatorio: tienes cita de Corte de pelo con Lucía el miércoles 25 de noviembre a las 17:00',
    );
  });

  it('does not offer a one-chair shop a barber: SELECT_BARBER is not understood there', async () => {
    const cita = start();
    const carlos = customer(cita);
    await carlos.say('corte');
    await carlos.send('SELECT_BARBER:javi');
    expect(await stateOf(cita, carlos.phone)).toBe('choosingDate');
  });
});

describe('a conversation whose barber leaves the config', () => {
  async function savedWithLucia() {
    const conversations = new SqliteConversationStore(memoryDatabase());
    const dataDir = tempDataDir();
    const before = createCita({ shop: teamShop, clock: fakeClock(), dataDir, adapters: { conversations } });
    const carlos = customer(before);
    await carlos.say('corte con Lucía el jueves a las 5');
    expect(await stateOf(before, carlos.phone)).toBe('confirming');
    await before.stop();
    return { conversations, dataDir, phone: carlos.phone };
  }

  it('drops the barber and their hold, says so, and asks who again, keeping the time asked for', async () => {
    const { conversations, dataDir, phone } = await savedWithLucia();
    const shop = { ...teamShop, barbers: teamShop.barbers.filter((b) => b.id !== 'lucia') };
    const cita = start({ shop, dataDir, adapters: { conversations } });
    const carlos = customer(cita, phone);
    await carlos.say('hola');
    expect(carlos.lastText).toContain(es.remarks.choiceGone);
    expect(await stateOf(cita, phone)).toBe('choosingBarber');
    expect(carlos.options.map((o) => o.title)).toEqual(['Cualquiera', 'Javi', 'Marcos']);
    await carlos.tap('Javi');
    expect(carlos.lastText).toContain('Corte de pelo con Javi el jueves 26 de noviembre a las 17:00');
  });

  it('goes on as one chair when the shop no longer lists barbers', async () => {
    const { conversations, dataDir, phone } = await savedWithLucia();
    const cita = start({ shop: { ...teamShop, barbers: [] }, dataDir, adapters: { conversations } });
    const carlos = customer(cita, phone);
    await carlos.say('hola');
    expect(await stateOf(cita, phone)).toBe('choosingDate');
    await carlos.say('el jueves a las 5');
    expect(carlos.lastText).toContain('Corte de pelo el jueves 26 de noviembre a las 17:00');
  });
});
