import { describe, expect, it } from 'vitest';
import type { ShopConfig, StaffMember } from '../../config/schema.ts';
import { STAFF_COPY } from '../../src/messages/staff-copy.ts';
import { stateOf, teamShop } from '../support/cita.ts';
import { allShown, CARLOS, optionIds, staffHarness, staffSuite, to } from './support.ts';

/** Issue 25: in a three-barber shop, each staff phone hears of a booking once, with the barber named. */
const OWNER: StaffMember = { phone: '34611000001', name: 'Paco', role: 'owner' };
const JAVI: StaffMember = { phone: '34611000011', name: 'Javi', role: 'barber', barberId: 'javi' };
const LUCIA: StaffMember = { phone: '34611000012', name: 'Lucía', role: 'barber', barberId: 'lucia' };
const MARCOS: StaffMember = { phone: '34611000013', name: 'Marcos', role: 'barber', barberId: 'marcos' };
const STAFF = [OWNER, JAVI, LUCIA, MARCOS];
const team: ShopConfig = { ...teamShop, staff: STAFF };

const { start, graph } = staffSuite();

describe('notices of a new booking in a shop with three barbers', () => {
  it.each([
    ['with a barber named', 'un corte con Javi el jueves a las 10', []],
    ['with anyone', 'un corte el jueves a las 10', ['me da igual']],
  ])('reach each staff phone once, naming the barber (%s)', async (_case, text, then) => {
    const h = staffHarness(graph(), start, team);
    for (const member of STAFF) await h.say(member.phone, 'hola');
    await h.say(CARLOS, text);
    for (const line of then) await h.say(CARLOS, line);
    expect(await stateOf(h.cita, CARLOS)).toBe('confirming');
    const done = await h.say(CARLOS, 'sí');
    const notices = (phone: string) => to(phone, done).filter((m) => allShown([m]).includes('Nueva cita'));
    expect(notices(OWNER.phone)).toHaveLength(1);
    const barber = STAFF.find((member) => member.barberId && notices(member.phone).length > 0)!;
    expect(notices(barber.phone)).toHaveLength(1);
    expect(allShown(notices(OWNER.phone))).toContain(`con ${barber.name}`);
    expect(allShown(notices(barber.phone))).toContain(`con ${barber.name}`);
  });
});

describe('notices of a group booked with one yes', () => {
  it('reach the owner once, listing each appointment with its barber, and each barber once with their own', async () => {
    const h = staffHarness(graph(), start, team);
    for (const member of STAFF) await h.say(member.phone, 'hola');
    await h.say(CARLOS, 'dos cortes el jueves a las 5');
    await h.say(CARLOS, 'me da igual');
    expect(await stateOf(h.cita, CARLOS)).toBe('confirming');
    const done = await h.say(CARLOS, 'sí');
    const notices = (phone: string) => to(phone, done).filter((m) => allShown([m]).includes('Nueva cita'));
    expect(notices(OWNER.phone)).toHaveLength(1);
    const owners = allShown(notices(OWNER.phone));
    expect(owners).toContain('• Corte de pelo con Javi, jueves 26 de noviembre 17:00');
    expect(owners).toContain('• Corte de pelo con Lucía, jueves 26 de noviembre 17:00');
    expect(notices(JAVI.phone)).toHaveLength(1);
    expect(allShown(notices(JAVI.phone))).not.toContain('Lucía');
    expect(notices(MARCOS.phone)).toHaveLength(0);
  });
});

describe('an appointment tapped in the agenda', () => {
  it('names its barber', async () => {
    const h = staffHarness(graph(), start, team);
    for (const member of STAFF) await h.say(member.phone, 'hola');
    await h.say(CARLOS, 'un corte con Lucía el jueves a las 10');
    await h.say(CARLOS, 'sí');
    const agenda = await h.say(OWNER.phone, 'agenda jueves');
    const row = optionIds(to(OWNER.phone, agenda)).find((id) => id.startsWith('PICK_APPOINTMENT:'))!;
    const picked = allShown(to(OWNER.phone, await h.tapRow(OWNER.phone, row)));
    expect(picked).toContain('jue 26 nov 10:00 · “Carlos” · Corte de pelo · Lucía');
    expect(picked).toContain('¿Qué hago con esta cita?');
  });
});

describe('blocking time the shop is closed in', () => {
  it("answers that the chair is closed then, inside a barber's lunch closure, and blocks nothing", async () => {
    const h = staffHarness(graph(), start, team);
    await h.say(MARCOS.phone, 'hola');
    // Marcos works 10:00–14:00 and 16:00–20:00 on Thursdays.
    const answer = allShown(to(MARCOS.phone, await h.say(MARCOS.phone, 'bloquear el jueves de 15 a 16')));
    expect(answer).not.toContain('Bloqueado');
    expect(answer).toContain('Ese día no abrimos a esas horas');
    expect(await h.cita.calendar.busy({ start: '2026-11-26T00:00:00Z', end: '2026-11-27T00:00:00Z' })).toEqual([]);
  });

  it('still blocks a time that overlaps the opening hours', async () => {
    const h = staffHarness(graph(), start, team);
    await h.say(MARCOS.phone, 'hola');
    const asked = allShown(to(MARCOS.phone, await h.say(MARCOS.phone, 'bloquear el jueves de 13 a 17')));
    expect(asked).toContain('¿Bloqueo el jueves 26 de noviembre de 13:00 a 17:00?');
    // Nothing is blocked without the barber's own yes.
    expect(await h.cita.calendar.busy({ start: '2026-11-26T00:00:00Z', end: '2026-11-27T00:00:00Z' })).toEqual([]);
    const answer = allShown(to(MARCOS.phone, await h.say(MARCOS.phone, 'sí')));
    expect(answer).toContain('Bloqueado el jueves 26 de noviembre de 13:00 a 17:00');
    expect(await h.cita.calendar.busy({ start: '2026-11-26T00:00:00Z', end: '2026-11-27T00:00:00Z' })).not.toEqual([]);
  });
});

describe('a profile name that reads like an order', () => {
  const NAME = '⚠️ CANCELADA – no venir\n, llamar al 611222333 \u202Eahora\u200B';

  it('reaches the staff cleaned, cut and in quotes, never as cita’s own words', async () => {
    const h = staffHarness(graph(), start, team, { names: { [CARLOS]: NAME } });
    for (const member of STAFF) await h.say(member.phone, 'hola');
    await h.say(CARLOS, 'un corte con Javi el jueves a las 10');
    const done = allShown(to(OWNER.phone, await h.say(CARLOS, 'sí')));
    expect(done).toContain('— “⚠️ CANCELADA – no venir , llamar al 611…” (+34600000001)');
    expect(done).not.toMatch(/[\u202E\u200B]/u);
    const [appointment] = await h.cita.calendar.upcomingFor(CARLOS, new Date(0));
    expect(Array.from(appointment!.customerName!)).toHaveLength(40);
  });
});

describe('counts said to the staff', () => {
  it('use the singular for one and the plural for more, in Spanish and English', () => {
    expect(STAFF_COPY.es.notes.timeBlocked('hoy', 1, 1)).toContain(
      '1 cita anulada. A 1 cliente no he podido avisarle: llámale',
    );
    expect(STAFF_COPY.es.notes.timeBlocked('hoy', 2, 2)).toContain('2 citas anuladas. A 2 clientes no');
    expect(STAFF_COPY.en.notes.timeBlocked('today', 1, 1)).toContain(
      '1 appointment cancelled. I could not tell 1 customer:',
    );
    expect(STAFF_COPY.en.notes.timeBlocked('today', 2, 2)).toContain(
      '2 appointments cancelled. I could not tell 2 customers:',
    );
  });
});
