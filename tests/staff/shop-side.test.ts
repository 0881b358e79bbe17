import { describe, expect, it } from 'vitest';
import { sample } from '../ops/support.ts';
import { stateOf } from '../support/cita.ts';
import {
  ANA,
  allShown,
  BARBER,
  CARLOS,
  OWNER,
  optionIds,
  shopWith,
  staffHarness,
  staffSuite,
  to,
  waitForState,
} from './support.ts';

/**
 * The shop's side, end to end through the webhook and the fake Graph API: who gets which machine,
 * notices of bookings to staff phones, the agenda, and a customer handed to a person and back.
 */

const { start, graph } = staffSuite();

async function book(h: ReturnType<typeof staffHarness>, phone: string, text = 'quiero un corte mañana a las 10') {
  await h.say(phone, text);
  const confirmed = await h.say(phone, 'sí');
  expect(allShown(to(phone, confirmed))).toContain('¡Cita reservada!');
  return confirmed;
}

describe('the shop on WhatsApp', () => {
  it('announces a booking to the staff phone, lists it in "agenda mañana", hands a customer who asks for a person to the staff, and runs no booking flow for them until handed back', async () => {
    const h = staffHarness(graph(), start);
    // The owner wrote today, so WhatsApp lets cita write to them freely.
    const menu = await h.say(OWNER.phone, 'hola');
    expect(allShown(to(OWNER.phone, menu))).toContain('Hola, Paco');

    const booking = await book(h, CARLOS);
    const notice = allShown(to(OWNER.phone, booking));
    expect(notice).toContain('Nueva cita: Corte de pelo, miércoles 25 de noviembre 10:00 — “Carlos” (+34600000001)');

    const agenda = await h.say(OWNER.phone, 'agenda mañana');
    const listed = allShown(to(OWNER.phone, agenda));
    expect(listed).toContain('Agenda del miércoles 25 de noviembre');
    expect(listed).toContain('10:00 · “Carlos” · Corte de pelo');
    expect(optionIds(to(OWNER.phone, agenda)).some((id) => id.startsWith('PICK_APPOINTMENT:'))).toBe(true);

    const handoff = await h.say(CARLOS, 'quiero hablar con una persona');
    expect(allShown(to(CARLOS, handoff))).toContain('le paso tu mensaje a una persona del equipo');
    const call = allShown(to(OWNER.phone, handoff));
    expect(call).toContain('“Carlos” (+34600000001) quiere hablar con una persona');
    expect(call).toContain('https://wa.me/34600000001');
    expect(call).toContain('› quiero hablar con una persona');
    expect(optionIds(to(OWNER.phone, handoff))).toContain(`HAND_BACK:${CARLOS}`);
    // The barber has never written to cita: outside the window, and no notice template is set.
    expect(to(BARBER.phone, handoff)).toEqual([]);
    expect(await stateOf(h.cita, CARLOS)).toBe('withStaff');

    // While a person has him, the bot answers nothing and books nothing.
    for (const text of ['un corte mañana a las 5', 'sí', 'hola?']) {
      expect(to(CARLOS, await h.say(CARLOS, text))).toEqual([]);
    }
    expect(await stateOf(h.cita, CARLOS)).toBe('withStaff');
    expect(await h.cita.calendar.upcomingFor(CARLOS, h.clock())).toHaveLength(1);

    const back = await h.tapButton(OWNER.phone, `HAND_BACK:${CARLOS}`, 'Devolver al bot');
    expect(allShown(to(OWNER.phone, back))).toContain('el cliente vuelve a hablar con el bot');
    await waitForState(h.cita, CARLOS, 'greeting');
    const again = await h.say(CARLOS, 'quiero un corte el jueves a las 11');
    expect(allShown(to(CARLOS, again))).toContain('¿La confirmo?');
  });

  it('gives a customer who types staff words the booking machine, and a staff phone the staff machine', async () => {
    const h = staffHarness(graph(), start);
    const customer = await h.say(ANA, 'agenda mañana');
    expect(allShown(customer)).not.toContain('Agenda del');
    expect((await h.cita.conversations.load(ANA)).conversation?.machine).toBe('booking');
    const blocked = await h.say(ANA, 'mañana no vengo, bloquear de 15 a 16');
    expect(allShown(blocked)).not.toContain('Bloqueado');
    expect(await h.cita.calendar.busy({ start: '2026-11-25T00:00:00Z', end: '2026-11-26T00:00:00Z' })).toEqual([]);

    const staff = await h.say(BARBER.phone, 'agenda mañana');
    expect(allShown(staff)).toContain('El miércoles 25 de noviembre no hay citas');
    const saved = await h.cita.conversations.load(BARBER.phone);
    expect(saved.conversation?.machine).toBe('staff');
  });

  it('sends booking, move and cancellation notices to staff inside the window, counts those outside it, and stops them when switched off', async () => {
    const h = staffHarness(graph(), start);
    await h.say(OWNER.phone, 'hola');

    const booked = await book(h, CARLOS);
    expect(allShown(to(OWNER.phone, booked))).toContain('Nueva cita');
    const moved = await h.say(CARLOS, 'cambiar mi cita');
    expect(moved.length).toBeGreaterThan(0);
    await h.say(CARLOS, 'el jueves a las 12');
    const movedNotice = await h.say(CARLOS, 'sí');
    expect(allShown(to(OWNER.phone, movedNotice))).toContain(
      'Cita cambiada: ahora Corte de pelo, jueves 26 de noviembre 12:00',
    );

    const off = await h.say(OWNER.phone, 'avisos off');
    expect(allShown(to(OWNER.phone, off))).toContain('Avisos desactivados');
    await h.say(CARLOS, 'cancelar mi cita');
    const cancelled = await h.say(CARLOS, 'sí');
    expect(allShown(to(CARLOS, cancelled))).toContain('Cita anulada');
    expect(to(OWNER.phone, cancelled)).toEqual([]);

    await h.say(OWNER.phone, 'avisos on');
    const again = await book(h, ANA, 'un corte el viernes a las 10');
    expect(allShown(to(OWNER.phone, again))).toContain('Nueva cita: Corte de pelo, viernes 27 de noviembre 10:00');

    const metrics = await h.cita.metrics.registry.metrics();
    expect(sample(metrics, 'cita_staff_notices_total', { kind: 'booked', outcome: 'sent' })).toBe(2);
    expect(sample(metrics, 'cita_staff_notices_total', { kind: 'cancelled', outcome: 'muted' })).toBe(1);
    // The barber never wrote to cita: each notice for them was counted, not sent.
    expect(sample(metrics, 'cita_staff_notices_total', { kind: 'booked', outcome: 'not_sent' })).toBe(2);
  });

  it('sends the notice template outside the window when the config names one, and after WhatsApp refuses a text with 131047', async () => {
    const h = staffHarness(
      graph(),
      start,
      shopWith({ notices: { ...shopWith().notices, template: { name: 'cita_staff_notice', language: 'es' } } }),
    );
    await h.say(OWNER.phone, 'hola');
    // WhatsApp knows better than cita's record: the owner's text notice is refused as outside the window.
    await h.say(CARLOS, 'quiero un corte mañana a las 10');
    graph().failNext({ status: 400, code: 131047, message: 'Re-engagement message' });
    const booked = await h.say(CARLOS, 'sí');
    const [owner] = to(OWNER.phone, booked);
    expect(owner).toMatchObject({ type: 'template', template: { name: 'cita_staff_notice' } });
    expect(JSON.stringify(owner)).toContain('Nueva cita: Corte de pelo');
    const [barber] = to(BARBER.phone, booked);
    expect(barber).toMatchObject({ type: 'template', template: { name: 'cita_staff_notice' } });
  });
});
