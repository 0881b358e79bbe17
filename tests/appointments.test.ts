import { describe, expect, it } from 'vitest';
import { citaPerTest, customer, fakeClock, stateOf, type testCita } from './support/cita.ts';

const start = citaPerTest();

type Cita = ReturnType<typeof testCita>;
const EVER = new Date(0);

/** Books "corte mañana a las <time>" for the customer and leaves them on the confirmation. */
async function book(person: ReturnType<typeof customer>, when = 'mañana a las 5') {
  await person.say(`corte ${when}`);
  await person.say('sí');
  expect(person.lastText).toMatch(/Cita reservada|Booked/);
}

async function appointmentsOf(cita: Cita, phone: string) {
  return cita.calendar.upcomingFor(phone, EVER);
}

describe('my appointments', () => {
  it('greets a customer who has an appointment with it, and offers to book, cancel or move', async () => {
    const cita = start();
    const carlos = customer(cita);
    await book(carlos);
    await carlos.say('hola');
    expect(await stateOf(cita, carlos.phone)).toBe('showingBookings');
    expect(carlos.lastText).toContain('Estas son tus próximas citas');
    expect(carlos.lastText).toContain('Corte de pelo, miércoles 25 de noviembre a las 17:00');
    expect(carlos.options.map((o) => o.title)).toEqual(['Reservar otra', 'Anular cita', 'Cambiar cita']);
    await carlos.tap('Reservar otra');
    expect(await stateOf(cita, carlos.phone)).toBe('choosingService');
  });

  it('says so when a customer with no appointments asks for them, and offers the services', async () => {
    const cita = start();
    const jane = customer(cita, '447700900001', 'Jane');
    await jane.say('my appointments please');
    expect(jane.lastText).toContain("You don't have any upcoming appointments.");
    expect(await stateOf(cita, jane.phone)).toBe('choosingService');
  });
});

describe('cancelling', () => {
  it('cancels the only appointment after a confirmation, in Spanish', async () => {
    const cita = start();
    const carlos = customer(cita);
    await book(carlos);
    const [appointment] = await appointmentsOf(cita, carlos.phone);

    await carlos.say('quiero cancelar mi cita');
    expect(await stateOf(cita, carlos.phone)).toBe('confirmingCancellation');
    expect(carlos.lastText).toContain('¿Anulo tu cita: Corte de pelo, miércoles 25 de noviembre a las 17:00?');
    await carlos.tap('Sí, anularla');

    expect(carlos.lastText).toContain('✅ Cita anulada: Corte de pelo, miércoles 25 de noviembre a las 17:00.');
    expect(await appointmentsOf(cita, carlos.phone)).toEqual([]);
    expect(await cita.history.list(carlos.phone)).toMatchObject([
      { bookingId: appointment.id, status: 'booked' },
      { bookingId: appointment.id, status: 'cancelled' },
    ]);
  });

  it('asks which appointment to cancel when there are several, in English', async () => {
    const cita = start();
    const jane = customer(cita, '447700900001', 'Jane');
    await jane.say('a haircut tomorrow at 10am');
    await jane.say('yes');
    await jane.say('a beard trim on Friday at 5pm');
    await jane.say('yes');
    expect(await appointmentsOf(cita, jane.phone)).toHaveLength(2);

    await jane.say('cancel my appointment');
    expect(await stateOf(cita, jane.phone)).toBe('choosingBooking');
    expect(jane.lastText).toContain('Which appointment would you like to cancel?');
    await jane.tap('Fri 27 Nov 17:00');
    expect(jane.lastText).toContain('Shall I cancel your appointment: Beard trim, Friday 27 November at 17:00?');
    await jane.say('yes');
    expect(jane.lastText).toContain('Cancelled: Beard trim, Friday 27 November at 17:00');
    const left = await appointmentsOf(cita, jane.phone);
    expect(left.map((a) => a.serviceId)).toEqual(['corte']);
  });

  it('keeps the appointment when the customer says no', async () => {
    const cita = start();
    const carlos = customer(cita);
    await book(carlos);
    await carlos.say('anular mi cita');
    await carlos.say('no');
    expect(await stateOf(cita, carlos.phone)).toBe('showingBookings');
    expect(await appointmentsOf(cita, carlos.phone)).toHaveLength(1);
  });

  it('refuses to cancel inside the cancellation notice and gives the shop phone', async () => {
    const clock = fakeClock();
    const cita = start({ clock });
    const carlos = customer(cita);
    await book(carlos);
    clock.set('2026-11-25T15:30:00Z'); // 16:30 in Madrid, half an hour before the 17:00 cut
    await carlos.say('cancelar mi cita');
    expect(carlos.lastText).toContain('menos de 2 h');
    expect(carlos.lastText).toContain('+34 910 000 000');
    expect(await appointmentsOf(cita, carlos.phone)).toHaveLength(1);
  });

  it('refuses at the last step when the notice ran out while the customer was deciding', async () => {
    const clock = fakeClock();
    const cita = start({ clock });
    const carlos = customer(cita);
    await book(carlos);
    clock.set('2026-11-25T13:59:00Z'); // 2 h 1 min before
    await carlos.say('cancelar mi cita');
    expect(await stateOf(cita, carlos.phone)).toBe('confirmingCancellation');
    clock.set('2026-11-25T14:05:00Z');
    await carlos.say('sí');
    expect(carlos.lastText).toContain('ya no se puede anular');
    expect(await appointmentsOf(cita, carlos.phone)).toHaveLength(1);
  });

  it('reads "cancelar" right after booking as cancelling that appointment', async () => {
    const cita = start();
    const carlos = customer(cita);
    await book(carlos);
    await carlos.say('cancelar');
    expect(await stateOf(cita, carlos.phone)).toBe('confirmingCancellation');
  });
});

describe('moving', () => {
  it('moves the appointment to another day and time, keeping one appointment with the same id', async () => {
    const cita = start();
    const carlos = customer(cita);
    await book(carlos);
    const [before] = await appointmentsOf(cita, carlos.phone);

    await carlos.say('cambiar mi cita');
    expect(await stateOf(cita, carlos.phone)).toBe('choosingDate');
    expect(carlos.lastText).toContain('Vamos a cambiar tu cita (Corte de pelo, miércoles 25 de noviembre a las 17:00)');
    await carlos.say('el jueves a las 6');
    expect(await stateOf(cita, carlos.phone)).toBe('confirming');
    await carlos.say('sí');

    expect(carlos.lastText).toContain('¡Cita cambiada! Ahora es Corte de pelo el jueves 26 de noviembre a las 18:00');
    const after = await appointmentsOf(cita, carlos.phone);
    expect(after).toMatchObject([{ id: before.id, start: '2026-11-26T17:00:00.000Z' }]);
    expect((await cita.history.list(carlos.phone)).map((entry) => entry.status)).toEqual(['booked', 'moved']);
  });

  it('can move an appointment to a time overlapping its own old time', async () => {
    const cita = start();
    const carlos = customer(cita);
    await book(carlos);
    await carlos.say('reprogramar');
    await carlos.say('mañana a las 17:15');
    await carlos.say('sí');
    expect(await appointmentsOf(cita, carlos.phone)).toMatchObject([{ start: '2026-11-25T16:15:00.000Z' }]);
  });

  it('keeps the old appointment when the new slot is taken before the confirmation, in English', async () => {
    const cita = start();
    const jane = customer(cita, '447700900001', 'Jane');
    await jane.say('a haircut tomorrow at 5pm');
    await jane.say('yes');
    const [before] = await appointmentsOf(cita, jane.phone);

    await jane.say('reschedule');
    await jane.say('Thursday at 11am');
    expect(await stateOf(cita, jane.phone)).toBe('confirming');
    await cita.calendar.create({
      id: 'barber00002',
      serviceId: 'corte',
      serviceName: 'Corte de pelo',
      phone: '34911111111',
      start: '2026-11-26T10:00:00.000Z',
      end: '2026-11-26T10:30:00.000Z',
    });
    await jane.say('yes');
    expect(jane.lastText).toContain('someone has just booked that time');
    expect(await appointmentsOf(cita, jane.phone)).toEqual([before]);

    // Giving up on the move leaves the appointment as it was.
    await jane.say('cancel');
    expect(await appointmentsOf(cita, jane.phone)).toEqual([before]);
  });
});

describe('reminder buttons', () => {
  it('records that the customer will come', async () => {
    const cita = start();
    const carlos = customer(cita);
    await book(carlos);
    const [appointment] = await appointmentsOf(cita, carlos.phone);
    await carlos.send(`CONFIRM_ATTENDANCE:${appointment.id}`);
    expect(carlos.lastText).toContain('¡Gracias por confirmar!');
    expect((await cita.history.list(carlos.phone)).at(-1)).toMatchObject({
      bookingId: appointment.id,
      status: 'attendanceConfirmed',
    });
  });

  it('cancels the appointment the reminder names', async () => {
    const cita = start();
    const carlos = customer(cita);
    await book(carlos);
    await book(carlos, 'el viernes a las 11');
    const [first] = await appointmentsOf(cita, carlos.phone);
    await carlos.send(`CANCEL_BOOKING:${first.id}`);
    expect(await stateOf(cita, carlos.phone)).toBe('confirmingCancellation');
    expect(carlos.lastText).toContain('miércoles 25 de noviembre a las 17:00');
  });
});
