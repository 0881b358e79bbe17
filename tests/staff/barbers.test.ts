import { describe, expect, it } from 'vitest';
import type { ShopConfig, StaffMember } from '../../config/schema.ts';
import { stateOf, teamShop } from '../support/cita.ts';
import { allShown, CARLOS, optionIds, staffHarness, staffSuite, to } from './support.ts';

/**
 * The shop's side of a shop with three barbers (config/barbershop-team.json), each with their own
 * phone, and an owner who does not cut: each barber's agenda, notices and blocked time are their
 * own chair's; the owner's are the shop's. The clock reads Tuesday 24 November 2026, 10:00 in Madrid.
 */

const OWNER: StaffMember = { phone: '34611000001', name: 'Paco', role: 'owner' };
const JAVI: StaffMember = { phone: '34611000011', name: 'Javi', role: 'barber', barberId: 'javi' };
const LUCIA: StaffMember = { phone: '34611000012', name: 'Lucía', role: 'barber', barberId: 'lucia' };
const MARCOS: StaffMember = { phone: '34611000013', name: 'Marcos', role: 'barber', barberId: 'marcos' };
const STAFF = [OWNER, JAVI, LUCIA, MARCOS];
const ANA = '34600000002';
const BEA = '34600000003';

const team: ShopConfig = { ...teamShop, staff: STAFF };
const NAMES = { [ANA]: 'Ana', [BEA]: 'Bea' };

const { start, graph } = staffSuite();

type Harness = ReturnType<typeof staffHarness>;

/** Every staff phone writes once, so WhatsApp's 24-hour window lets cita write to each of them. */
async function teamHarness(): Promise<Harness> {
  const h = staffHarness(graph(), start, team, { names: NAMES });
  for (const member of STAFF) await h.say(member.phone, 'hola');
  return h;
}

async function book(h: Harness, phone: string, text: string) {
  await h.say(phone, text);
  expect(await stateOf(h.cita, phone)).toBe('confirming');
  const done = await h.say(phone, 'sí');
  expect(allShown(to(phone, done))).toContain('¡Cita reservada!');
  return done;
}

/** Carlos with Javi at 10, Ana with Lucía at 11 and Bea with Marcos at 12, on Thursday. */
async function bookThursday(h: Harness) {
  await book(h, CARLOS, 'un corte con Javi el jueves a las 10');
  await book(h, ANA, 'un corte con Lucía el jueves a las 11');
  await book(h, BEA, 'un corte con Marcos el jueves a las 12');
}

function rowsOf(messages: Awaited<ReturnType<Harness['say']>>, phone: string) {
  return optionIds(to(phone, messages)).filter((id) => id.startsWith('PICK_APPOINTMENT:'));
}

describe('the agenda of a shop with three barbers', () => {
  it("shows a barber only their own appointments, and the owner everyone's grouped by barber", async () => {
    const h = await teamHarness();
    await bookThursday(h);

    const javis = await h.say(JAVI.phone, 'agenda jueves');
    const javiSees = allShown(to(JAVI.phone, javis));
    expect(javiSees).toContain('10:00 · “Carlos”');
    expect(javiSees).not.toContain('11:00');
    expect(javiSees).not.toContain('12:00');
    expect(rowsOf(javis, JAVI.phone)).toHaveLength(1);

    const lucias = await h.say(LUCIA.phone, 'agenda jueves');
    expect(allShown(to(LUCIA.phone, lucias))).toContain('11:00 · “Ana”');
    expect(rowsOf(lucias, LUCIA.phone)).toHaveLength(1);

    const owners = await h.say(OWNER.phone, 'agenda jueves');
    const ownerSees = allShown(to(OWNER.phone, owners));
    expect(ownerSees).toContain('*Javi*\n• 10:00 · “Carlos” · Corte de pelo');
    expect(ownerSees).toContain('*Lucía*\n• 11:00 · “Ana” · Corte de pelo');
    expect(ownerSees).toContain('*Marcos*\n• 12:00 · “Bea” · Corte de pelo');
    expect(rowsOf(owners, OWNER.phone)).toHaveLength(3);
    // Each row names the barber, as the list shows no headings.
    expect(ownerSees).toContain('10:00 “Carlos” Corte de pelo · Javi · +34600000001');
    expect(ownerSees).toContain('12:00 “Bea” Corte de pelo · Marcos · +34600000003');
    // A barber's rows need no name: they are all theirs.
    expect(javiSees).toContain('10:00 “Carlos” Corte de pelo · +34600000001');
  });

  it("names each barber in the owner's agenda as the config does, even one with no staff phone", async () => {
    const h = staffHarness(graph(), start, { ...team, staff: [OWNER] }, { names: NAMES });
    await h.say(OWNER.phone, 'hola');
    await book(h, ANA, 'un corte con Lucía el jueves a las 10');
    await book(h, CARLOS, 'un corte con Javi el jueves a las 11');
    const owners = allShown(to(OWNER.phone, await h.say(OWNER.phone, 'agenda jueves')));
    // Grouped in the config's order, whoever comes first in the day.
    expect(owners).toContain('*Javi*\n• 11:00 · “Carlos” · Corte de pelo\n\n*Lucía*\n• 10:00 · “Ana”');
  });
});

describe('notices in a shop with three barbers', () => {
  it('tells the barber concerned and the owner of a booking, a move and a cancellation, and no other barber', async () => {
    const h = await teamHarness();
    const concerned = (messages: Awaited<ReturnType<Harness['say']>>) =>
      STAFF.filter((member) => to(member.phone, messages).length > 0).map((member) => member.name);

    const booked = await book(h, CARLOS, 'un corte con Lucía el jueves a las 10');
    expect(concerned(booked)).toEqual(['Paco', 'Lucía']);
    expect(allShown(to(LUCIA.phone, booked))).toContain(
      'Nueva cita: Corte de pelo con Lucía, jueves 26 de noviembre 10:00',
    );

    await h.say(CARLOS, 'quiero cambiar mi cita');
    await h.say(CARLOS, 'el viernes a las 11');
    const moved = await h.say(CARLOS, 'sí');
    expect(allShown(to(CARLOS, moved))).toContain('¡Cita cambiada!');
    expect(concerned(moved)).toEqual(['Paco', 'Lucía']);
    expect(allShown(to(OWNER.phone, moved))).toContain(
      'Cita cambiada: ahora Corte de pelo con Lucía, viernes 27 de noviembre',
    );

    await h.say(CARLOS, 'quiero anular mi cita');
    const cancelled = await h.say(CARLOS, 'sí');
    expect(await h.cita.calendar.upcomingFor(CARLOS, h.clock())).toEqual([]);
    expect(concerned(cancelled)).toEqual(['Paco', 'Lucía']);
    expect(allShown(to(LUCIA.phone, cancelled))).toContain('Cita anulada');
  });

  it('a barber who cancels for the shop is not told of it; the owner is, and the other barbers are not', async () => {
    const h = await teamHarness();
    await book(h, CARLOS, 'un corte con Javi el jueves a las 10');
    const agenda = await h.say(JAVI.phone, 'agenda jueves');
    await h.tapRow(JAVI.phone, rowsOf(agenda, JAVI.phone)[0]!);
    await h.say(JAVI.phone, 'anular');
    const done = await h.say(JAVI.phone, 'sí');
    expect(allShown(to(JAVI.phone, done))).toContain('Cita de “Carlos” anulada');
    expect(allShown(to(OWNER.phone, done))).toContain(
      'Cita anulada: Corte de pelo con Javi, jueves 26 de noviembre 10:00',
    );
    expect(to(LUCIA.phone, done)).toEqual([]);
    expect(to(MARCOS.phone, done)).toEqual([]);
  });
});

describe('a barber asking a customer to move', () => {
  it('the customer moves it with the same barber on their own yes; that barber and the owner hear of it', async () => {
    const h = await teamHarness();
    await book(h, CARLOS, 'un corte con Lucía el jueves a las 10');
    const agenda = await h.say(LUCIA.phone, 'agenda jueves');
    await h.tapRow(LUCIA.phone, rowsOf(agenda, LUCIA.phone)[0]!);
    const asked = await h.say(LUCIA.phone, 'pedir cambio');
    expect(allShown(to(CARLOS, asked))).toContain(
      'necesitamos cambiar tu cita (Corte de pelo, jueves 26 de noviembre 10:00)',
    );
    const [id] = optionIds(to(CARLOS, asked)).map((option) => option.split(':')[1]);

    await h.tapButton(CARLOS, `MOVE_BOOKING:${id}`, 'Cambiar cita');
    await h.say(CARLOS, 'el viernes a las 11');
    const moved = await h.say(CARLOS, 'sí');
    expect(allShown(to(CARLOS, moved))).toContain('¡Cita cambiada!');
    expect(await h.cita.calendar.get(id!)).toMatchObject({ barberId: 'lucia', start: '2026-11-27T10:00:00.000Z' });
    expect(STAFF.filter((member) => to(member.phone, moved).length > 0).map((member) => member.name)).toEqual([
      'Paco',
      'Lucía',
    ]);
  });
});

describe('blocked time in a shop with three barbers', () => {
  it("a barber's block is their own chair: customers still book the other barbers then", async () => {
    const h = await teamHarness();
    expect(allShown(await h.say(JAVI.phone, 'bloquear el jueves de 17 a 18'))).toContain(
      '¿Bloqueo el jueves 26 de noviembre de 17:00 a 18:00?',
    );
    expect(allShown(await h.say(JAVI.phone, 'sí'))).toContain('Bloqueado el jueves 26 de noviembre de 17:00 a 18:00');

    const withJavi = allShown(to(ANA, await h.say(ANA, 'un corte con Javi el jueves a las 17')));
    expect(withJavi).toContain('Javi no tiene hueco a las 17:00. A las 17:00 está libre Lucía y Marcos');

    await book(h, BEA, 'un corte con Lucía el jueves a las 17');
    // "Anyone" at 17:00 is still free: Marcos is.
    await h.say('34600000004', 'un corte el jueves a las 17');
    await h.say('34600000004', 'me da igual');
    expect(await stateOf(h.cita, '34600000004')).toBe('confirming');
  });

  it("a barber's block lists only their own appointments inside it", async () => {
    const h = await teamHarness();
    await book(h, CARLOS, 'un corte con Javi el jueves a las 10');
    await book(h, ANA, 'un corte con Lucía el jueves a las 10');
    const asked = allShown(to(LUCIA.phone, await h.say(LUCIA.phone, 'el jueves no vengo')));
    expect(asked).toContain('10:00 · “Ana”');
    expect(asked).not.toContain('Carlos');
    const cancelled = await h.say(LUCIA.phone, 'anular');
    expect(allShown(to(LUCIA.phone, cancelled))).toContain('1 cita anulada.');
    expect(to(CARLOS, cancelled)).toEqual([]);
    expect(await h.cita.calendar.upcomingFor(CARLOS, h.clock())).toHaveLength(1);
    expect(await h.cita.calendar.upcomingFor(ANA, h.clock())).toEqual([]);
  });

  it("a barber's day off starts and ends with their own hours", async () => {
    const h = await teamHarness();
    // Marcos works Wednesday afternoons only.
    expect(allShown(await h.say(MARCOS.phone, 'mañana no vengo'))).toContain(
      '¿Bloqueo el miércoles 25 de noviembre de 16:00 a 20:00?',
    );
    expect(allShown(await h.say(MARCOS.phone, 'sí'))).toContain(
      'Bloqueado el miércoles 25 de noviembre de 16:00 a 20:00',
    );
  });

  it("the owner's block closes the shop: nobody can be booked then", async () => {
    const h = await teamHarness();
    expect(allShown(await h.say(OWNER.phone, 'bloquear el jueves de 17 a 18'))).toContain(
      '¿Bloqueo el jueves 26 de noviembre de 17:00 a 18:00 para toda la barbería?',
    );
    expect(allShown(await h.say(OWNER.phone, 'sí'))).toContain('Bloqueado el jueves 26 de noviembre de 17:00 a 18:00');
    for (const [phone, barber] of [
      [CARLOS, 'Javi'],
      [ANA, 'Lucía'],
      [BEA, 'Marcos'],
    ] as const) {
      const answer = allShown(to(phone, await h.say(phone, `un corte con ${barber} el jueves a las 17`)));
      expect(answer).toContain(`${barber} no tiene hueco a las 17:00.`);
      expect(answer).not.toContain('A las 17:00 está libre');
    }
  });
});
