import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ShopConfig, StaffMember } from '../../config/schema.ts';
import { citaPerTest, stateOf, teamShop } from '../support/cita.ts';
import { type FakeGraphApi, startFakeGraphApi } from '../support/fake-graph-api.ts';
import { ACCESS_TOKEN, allShown, CARLOS, PHONE_NUMBER_ID, staffHarness, to } from './support.ts';

/** Issue 25: in a three-barber shop, each staff phone hears of a booking once, with the barber named. */
const OWNER: StaffMember = { phone: '34611000001', name: 'Paco', role: 'owner' };
const JAVI: StaffMember = { phone: '34611000011', name: 'Javi', role: 'barber', barberId: 'javi' };
const LUCIA: StaffMember = { phone: '34611000012', name: 'Lucía', role: 'barber', barberId: 'lucia' };
const MARCOS: StaffMember = { phone: '34611000013', name: 'Marcos', role: 'barber', barberId: 'marcos' };
const STAFF = [OWNER, JAVI, LUCIA, MARCOS];
const team: ShopConfig = { ...teamShop, staff: STAFF };

const start = citaPerTest();
let graph: FakeGraphApi;
beforeEach(async () => {
  graph = await startFakeGraphApi({ accessToken: ACCESS_TOKEN, phoneNumberId: PHONE_NUMBER_ID });
});
afterEach(() => graph.close());

describe('notices of a new booking in a shop with three barbers', () => {
  it.each([
    ['with a barber named', 'un corte con Javi el jueves a las 10', []],
    ['with anyone', 'un corte el jueves a las 10', ['me da igual']],
  ])('reach each staff phone once, naming the barber (%s)', async (_case, text, then) => {
    const h = staffHarness(graph, start, team);
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
