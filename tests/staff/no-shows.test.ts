import { describe, expect, it } from 'vitest';
import { NoShows } from '../../config/schema.ts';
import { stateOf } from '../support/cita.ts';
import type { CloudApiMessage } from '../support/fake-graph-api.ts';
import {
  ANA,
  allShown,
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
 * No-shows end to end, through the webhook and the fake Graph API on the embedded SQLite stores:
 * the staff mark one from the agenda, and a customer over the shop's limit is handled by its
 * policy: asked to confirm the day before (released unanswered), or their requests go to the staff.
 */

const { start, graph } = staffSuite();

const policy = (kind: 'confirm' | 'staff') =>
  shopWith({ noShows: NoShows.parse({ limit: 1, windowDays: 60, confirmByHours: 3, policy: kind }) });

type Harness = ReturnType<typeof staffHarness>;

/** The owner opens today's agenda and the customer's appointment in it. */
async function openAppointment(h: Harness, phone: string) {
  const agenda = await h.say(OWNER.phone, 'agenda');
  // The row of this customer: its description ends with their number.
  const row = allShown(to(OWNER.phone, agenda))
    .split('\n')
    .find((line) => line.startsWith('PICK_APPOINTMENT:') && line.includes(`+${phone}`))
    ?.split(' ')[0];
  expect(row, allShown(agenda)).toBeDefined();
  return h.tapRow(OWNER.phone, row!);
}

/** Carlos books today at 12:00 and does not come: the owner marks it once it has started. */
async function carlosMissesToday(h: Harness) {
  await h.say(CARLOS, 'quiero un corte hoy a las 12');
  expect(allShown(to(CARLOS, await h.say(CARLOS, 'sí')))).toContain('¡Cita reservada!');

  // Before the start there is nothing to mark: no button, and the words are refused kindly.
  const early = await openAppointment(h, CARLOS);
  expect(optionIds(to(OWNER.phone, early))).not.toContain('MARK_NO_SHOW');
  expect(allShown(to(OWNER.phone, await h.say(OWNER.phone, 'no vino')))).toContain('aún no ha empezado');

  h.clock.set('2026-11-24T11:15:00Z'); // 12:15 in Madrid
  const picked = await openAppointment(h, CARLOS);
  expect(optionIds(to(OWNER.phone, picked))).toContain('MARK_NO_SHOW');
  const asked = await h.tapButton(OWNER.phone, 'MARK_NO_SHOW', 'No vino');
  expect(allShown(to(OWNER.phone, asked))).toContain('¿Anoto que no vino a su cita');
  const marked = await h.tapButton(OWNER.phone, 'CONFIRM', 'Sí, no vino');
  expect(allShown(to(OWNER.phone, marked))).toContain(
    '✅ Anotado: “Carlos” no vino. Lleva 1 falta en los últimos 60 días.',
  );
  // Marked twice, counted once.
  await openAppointment(h, CARLOS);
  await h.tapButton(OWNER.phone, 'MARK_NO_SHOW', 'No vino');
  await h.tapButton(OWNER.phone, 'CONFIRM', 'Sí, no vino');
  const history = await h.cita.history.list(CARLOS);
  expect(history.filter((entry) => entry.status === 'noShow')).toHaveLength(1);
}

function templates(messages: CloudApiMessage[], name: string) {
  return messages.filter((m) => m.type === 'template' && m.template.name === name);
}

describe('no-shows', () => {
  it('asks a customer over the limit to confirm the day before, as a template outside the window, and releases the unconfirmed appointment at the deadline', async () => {
    const h = staffHarness(graph(), start, policy('confirm'));
    await carlosMissesToday(h);

    // Friday 27 at 11:00: asked on Thursday at 11:00, released on Friday at 08:00 unless confirmed.
    await h.say(CARLOS, 'quiero un corte el viernes a las 11');
    expect(allShown(to(CARLOS, await h.say(CARLOS, 'sí')))).toContain('¡Cita reservada!');
    const [booked] = await h.cita.calendar.upcomingFor(CARLOS, h.clock());
    expect(booked).toBeDefined();

    h.clock.set('2026-11-26T10:00:30Z');
    const before = graph().messages.length;
    await h.cita.sendDueReminders();
    const asked = to(CARLOS, graph().messages.slice(before));
    // Carlos last wrote on Tuesday: only the approved template reaches him, with the deadline.
    expect(asked).toHaveLength(1);
    expect(templates(asked, 'cita_confirm_attendance')).toHaveLength(1);
    const components = JSON.stringify((asked[0] as { template: unknown }).template);
    expect(components).toContain('viernes 27 de noviembre 08:00');
    expect(components).toContain(`CONFIRM_ATTENDANCE:${booked!.id}`);
    // The ask takes the place of the 24-hour reminder.
    expect(templates(asked, 'cita_reminder')).toEqual([]);
    expect((await h.cita.history.list(CARLOS)).map((e) => e.status)).toContain('attendanceAsked');

    // No answer by 08:00 on Friday: told, and the appointment is cancelled as the shop's.
    h.clock.set('2026-11-27T07:00:30Z');
    const deadline = graph().messages.length;
    await h.cita.sendDueReminders();
    const released = to(CARLOS, graph().messages.slice(deadline));
    expect(templates(released, 'cita_released_unconfirmed')).toHaveLength(1);
    expect(await h.cita.calendar.get(booked!.id)).toBeUndefined();
    expect((await h.cita.history.list(CARLOS)).at(-1)).toMatchObject({ bookingId: booked!.id, status: 'cancelled' });
    // Its 2-hour reminder went with it.
    h.clock.set('2026-11-27T08:00:30Z');
    const later = graph().messages.length;
    await h.cita.sendDueReminders();
    expect(to(CARLOS, graph().messages.slice(later))).toEqual([]);
  });

  it('asks about an appointment booked before the customer reached the limit, and keeps it once they confirm with the button', async () => {
    const h = staffHarness(graph(), start, policy('confirm'));
    await h.say(CARLOS, 'quiero un corte el viernes a las 11');
    await h.say(CARLOS, 'sí');
    const [booked] = await h.cita.calendar.upcomingFor(CARLOS, h.clock());
    await carlosMissesToday(h);

    h.clock.set('2026-11-26T10:00:30Z');
    const before = graph().messages.length;
    await h.cita.sendDueReminders();
    const asked = to(CARLOS, graph().messages.slice(before));
    expect(templates(asked, 'cita_confirm_attendance')).toHaveLength(1);
    expect(templates(asked, 'cita_reminder')).toEqual([]);
    const thanks = await h.tapTemplateButton(CARLOS, `CONFIRM_ATTENDANCE:${booked!.id}`, 'Allí estaré');
    expect(allShown(to(CARLOS, thanks))).toContain('¡Gracias por confirmar!');

    h.clock.set('2026-11-27T07:00:30Z');
    const deadline = graph().messages.length;
    await h.cita.sendDueReminders();
    expect(to(CARLOS, graph().messages.slice(deadline))).toEqual([]);
    expect(await h.cita.calendar.get(booked!.id)).toMatchObject({ start: booked!.start });
  });

  it('sends a customer over the limit to the staff when they ask to book, telling them politely in their language, and the staff hand them back', async () => {
    const h = staffHarness(graph(), start, policy('staff'));
    await carlosMissesToday(h);

    await h.say(CARLOS, 'quiero un corte el viernes a las 11');
    const request = await h.say(CARLOS, 'sí');
    expect(allShown(to(CARLOS, request))).toContain('Esta cita te la confirma en persona alguien del equipo');
    expect(allShown(to(CARLOS, request))).not.toContain('¡Cita reservada!');
    expect(await h.cita.calendar.upcomingFor(CARLOS, h.clock())).toEqual([]);
    expect(await stateOf(h.cita, CARLOS)).toBe('withStaff');
    const notice = allShown(to(OWNER.phone, request));
    expect(notice).toContain('“Carlos” (+34600000001) quiere reservar: Corte de pelo, viernes 27 de noviembre 11:00');
    expect(notice).toContain('No vino a 1 cita en los últimos 60 días');
    expect(notice).toContain('https://wa.me/34600000001');
    expect(optionIds(to(OWNER.phone, request))).toContain(`HAND_BACK:${CARLOS}`);

    // Meanwhile the bot books nothing for him.
    expect(to(CARLOS, await h.say(CARLOS, 'sí'))).toEqual([]);
    await h.tapButton(OWNER.phone, `HAND_BACK:${CARLOS}`, 'Devolver al bot');
    await waitForState(h.cita, CARLOS, 'greeting');

    // Another customer over the limit, writing in English, hears it in English; a customer with none books.
    await h.cita.history.record(ANA, {
      bookingId: 'anamissed1',
      serviceId: 'corte',
      start: '2026-11-20T10:00:00.000Z',
      end: '2026-11-20T10:30:00.000Z',
      status: 'noShow',
      at: '2026-11-20T11:00:00.000Z',
    });
    await h.say(ANA, 'hi, a haircut on friday at 12 please');
    expect(allShown(to(ANA, await h.say(ANA, 'yes')))).toContain(
      'Someone from the team will confirm this appointment with you in person',
    );
    await h.say('34600000003', 'quiero un corte el viernes a las 12');
    expect(allShown(to('34600000003', await h.say('34600000003', 'sí')))).toContain('¡Cita reservada!');
  });
});
