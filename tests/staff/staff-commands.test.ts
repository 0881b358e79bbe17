import { describe, expect, it } from 'vitest';
import { stateOf } from '../support/cita.ts';
import type { CloudApiMessage } from '../support/fake-graph-api.ts';
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
 * Each staff command through the webhook and the fake Graph API: the agenda for each role,
 * blocking time with and without appointments inside, cancelling on behalf of the shop inside and
 * outside the customer's 24-hour window, and handing customers back.
 */

const { start, graph } = staffSuite();

type Harness = ReturnType<typeof staffHarness>;

async function book(h: Harness, phone: string, text: string, yes = 'sí') {
  await h.say(phone, text);
  expect(allShown(to(phone, await h.say(phone, yes)))).toMatch(/¡Cita reservada!|Booked!/);
}

const WEDNESDAY = { start: '2026-11-24T23:00:00.000Z', end: '2026-11-25T23:00:00.000Z' };

describe('the agenda', () => {
  it('shows the owner and a barber the day asked for ("agenda", "agenda mañana", "agenda jueves"), each appointment a row to act on', async () => {
    const h = staffHarness(graph(), start);
    await book(h, CARLOS, 'un corte mañana a las 10');
    await book(h, ANA, 'corte y barba mañana a las 12');

    const today = allShown(await h.say(OWNER.phone, 'agenda'));
    expect(today).toContain('El martes 24 de noviembre no hay citas');

    for (const member of [OWNER, BARBER]) {
      const tomorrow = await h.say(member.phone, 'agenda mañana');
      const text = allShown(to(member.phone, tomorrow));
      // In order of the day.
      expect(text.indexOf('10:00 · “Carlos”')).toBeLessThan(text.indexOf('12:00 · “Carlos”'));
      expect(optionIds(to(member.phone, tomorrow)).filter((id) => id.startsWith('PICK_APPOINTMENT:'))).toHaveLength(2);
    }
    const thursday = allShown(await h.say(BARBER.phone, 'agenda jueves'));
    expect(thursday).toContain('El jueves 26 de noviembre no hay citas');
  });
});

describe('a day of more appointments than a WhatsApp list holds', () => {
  /** Twelve customers on Wednesday, every 30 minutes from 10:00, written straight into the calendar. */
  async function fullWednesday(h: Harness) {
    for (let i = 0; i < 12; i++) {
      const start = new Date(Date.parse('2026-11-25T09:00:00.000Z') + i * 30 * 60_000);
      await h.cita.calendar.create({
        id: `agendafull${String(i).padStart(4, '0')}`,
        serviceId: 'corte',
        serviceName: 'Corte de pelo',
        phone: `346000001${String(i).padStart(2, '0')}`,
        customerName: `Cliente ${i + 1}`,
        start: start.toISOString(),
        end: new Date(start.getTime() + 30 * 60_000).toISOString(),
      });
    }
  }
  const rows = (messages: CloudApiMessage[]) =>
    messages.flatMap((m) =>
      m.type === 'interactive' && m.interactive.type === 'list'
        ? m.interactive.action.sections.flatMap((section) => section.rows)
        : [],
    );

  it('shows nine appointments a page and a row for the next, then the rest and a row back to the start', async () => {
    const h = staffHarness(graph(), start);
    await fullWednesday(h);
    const first = to(OWNER.phone, await h.say(OWNER.phone, 'agenda mañana'));
    expect(rows(first)).toHaveLength(10);
    expect(
      rows(first)
        .slice(0, 9)
        .map((row) => row.title),
    ).toEqual(
      ['10:00', '10:30', '11:00', '11:30', '12:00', '12:30', '13:00', '13:30', '14:00'].map(
        (time, i) => `${time} “Cliente ${i + 1}”`,
      ),
    );
    expect(rows(first)[9]).toMatchObject({
      id: 'MORE_APPOINTMENTS',
      title: 'Más citas',
      description: 'Ver de la 10 a la 12',
    });
    const body = allShown(first);
    expect(body).toContain('Citas 1–9 de 12:');
    expect(body).toContain('• 14:00 · “Cliente 9”');
    expect(body).not.toContain('14:30');

    const second = to(OWNER.phone, await h.tapRow(OWNER.phone, 'MORE_APPOINTMENTS', 'Más citas'));
    expect(rows(second).map((row) => row.title)).toEqual([
      '14:30 “Cliente 10”',
      '15:00 “Cliente 11”',
      '15:30 “Cliente 12”',
      'Volver al principio',
    ]);
    expect(allShown(second)).toContain('Citas 10–12 de 12:');

    // A row of the second page acts on its appointment; back from it is the same page.
    await h.tapRow(OWNER.phone, rows(second)[1]!.id);
    expect(allShown(await h.say(OWNER.phone, 'volver'))).toContain('Citas 10–12 de 12:');
    // Typed, past the last page: the first again.
    const again = to(OWNER.phone, await h.say(OWNER.phone, 'más'));
    expect(rows(again)[0]!.title).toBe('10:00 “Cliente 1”');
  });

  it('keeps the page after cancelling one of its appointments, or the last page if the day shrank to it', async () => {
    const h = staffHarness(graph(), start);
    await fullWednesday(h);
    await h.say(OWNER.phone, 'agenda mañana');
    const second = to(OWNER.phone, await h.say(OWNER.phone, 'más citas'));
    await h.tapRow(OWNER.phone, rows(second)[0]!.id);
    await h.tapButton(OWNER.phone, 'CANCEL_APPOINTMENT');
    const after = to(OWNER.phone, await h.tapButton(OWNER.phone, 'CONFIRM'));
    expect(allShown(after)).toContain('Citas 10–11 de 11:');
    expect(rows(after).map((row) => row.title)).toEqual([
      '15:00 “Cliente 11”',
      '15:30 “Cliente 12”',
      'Volver al principio',
    ]);
  });

  it('a day that fits one list has no paging row', async () => {
    const h = staffHarness(graph(), start);
    await book(h, CARLOS, 'un corte mañana a las 10');
    const shown = to(OWNER.phone, await h.say(OWNER.phone, 'agenda mañana'));
    expect(optionIds(shown)).not.toContain('MORE_APPOINTMENTS');
    expect(allShown(shown)).not.toContain('Citas 1');
    expect(allShown(to(OWNER.phone, await h.say(OWNER.phone, 'más')))).toContain('No te he entendido');
  });
});

describe('blocking time', () => {
  it('"bloquear de 17 a 18" with nothing inside asks once; "sí" blocks it, and customers are no longer offered it', async () => {
    const h = staffHarness(graph(), start);
    const asked = await h.say(BARBER.phone, 'bloquear mañana de 17 a 18');
    expect(allShown(asked)).toContain('¿Bloqueo el miércoles 25 de noviembre de 17:00 a 18:00?');
    expect(optionIds(asked)).toEqual(['CONFIRM', 'BACK']);
    expect(await h.cita.calendar.busy(WEDNESDAY)).toEqual([]);
    const blocked = allShown(await h.say(BARBER.phone, 'sí'));
    expect(blocked).toContain('Bloqueado el miércoles 25 de noviembre de 17:00 a 18:00');
    expect(await h.cita.calendar.busy(WEDNESDAY)).toEqual([
      { start: '2026-11-25T16:00:00.000Z', end: '2026-11-25T17:00:00.000Z' },
    ]);
    const offered = allShown(to(CARLOS, await h.say(CARLOS, 'un corte mañana a las 17')));
    expect(offered).toContain('A las 17:00 no hay hueco');
    // Blocked time counts as busy time does, the buffer after it included (10 minutes in this shop).
    expect(allShown(to(CARLOS, await h.say(CARLOS, 'a las 18')))).toContain('A las 18:00 no hay hueco');
    expect(allShown(to(CARLOS, await h.say(CARLOS, 'a las 18:15')))).toContain('a las 18:15');
  });

  it('"mañana no vengo" over an appointment asks first; keeping it blocks the rest of the day and leaves the appointment', async () => {
    const h = staffHarness(graph(), start);
    await book(h, CARLOS, 'un corte mañana a las 10');
    const asked = await h.say(BARBER.phone, 'mañana no vengo');
    expect(allShown(asked)).toContain('Dentro hay estas citas:\n• 10:00 · “Carlos” · Corte de pelo');
    expect(await stateOf(h.cita, BARBER.phone)).toBe('decidingBlock');

    const kept = await h.tapButton(BARBER.phone, 'KEEP_APPOINTMENTS', 'Mantenerlas');
    expect(allShown(kept)).toContain('Bloqueado el miércoles 25 de noviembre de 10:00 a 20:00');
    expect(to(CARLOS, kept)).toEqual([]);
    expect(await h.cita.calendar.upcomingFor(CARLOS, h.clock())).toHaveLength(1);
    const busy = await h.cita.calendar.busy(WEDNESDAY);
    expect(busy).toContainEqual({ start: '2026-11-25T09:00:00.000Z', end: '2026-11-25T19:00:00.000Z' });
  });

  it('cancelling the appointments inside writes to each customer with a button to book again', async () => {
    const h = staffHarness(graph(), start);
    await book(h, CARLOS, 'un corte mañana a las 10');
    await h.say(OWNER.phone, 'cierro mañana a las 9');
    const done = await h.say(OWNER.phone, 'anular');
    const told = to(CARLOS, done);
    expect(allShown(told)).toContain(
      'hemos tenido que anular tu cita (Corte de pelo, miércoles 25 de noviembre 10:00)',
    );
    expect(optionIds(told)).toEqual(['BOOK_ANOTHER']);
    expect(allShown(to(OWNER.phone, done))).toContain('1 cita anulada.');
    expect(await h.cita.calendar.upcomingFor(CARLOS, h.clock())).toEqual([]);

    // The customer's button starts a booking again.
    expect(allShown(to(CARLOS, await h.tapButton(CARLOS, 'BOOK_ANOTHER', 'Reservar otra')))).toContain(
      '¿Qué servicio quieres reservar?',
    );
  });

  it('"cierro el sábado a las 12" blocks the shop from noon to closing, once tapped; a closed day has nothing to block', async () => {
    const h = staffHarness(graph(), start);
    expect(allShown(await h.say(OWNER.phone, 'cierro el sábado a las 12'))).toContain(
      '¿Bloqueo el sábado 28 de noviembre de 12:00 a 14:00?',
    );
    expect(allShown(await h.tapButton(OWNER.phone, 'CONFIRM', 'Sí, bloquear'))).toContain(
      'Bloqueado el sábado 28 de noviembre de 12:00 a 14:00',
    );
    expect(allShown(await h.say(OWNER.phone, 'el domingo no vengo'))).toContain('no hay nada que bloquear');
  });
});

describe('cancelling on behalf of the shop', () => {
  async function cancelFromAgenda(h: Harness, day: string) {
    const agenda = await h.say(OWNER.phone, `agenda ${day}`);
    const row = optionIds(to(OWNER.phone, agenda)).find((id) => id.startsWith('PICK_APPOINTMENT:'))!;
    expect(allShown(await h.tapRow(OWNER.phone, row))).toContain('¿Qué hago con esta cita?');
    expect(allShown(await h.tapButton(OWNER.phone, 'CANCEL_APPOINTMENT', 'Anular y avisar'))).toContain(
      'Le escribiré al cliente',
    );
    return h.tapButton(OWNER.phone, 'CONFIRM', 'Sí, anular');
  }

  it('tells a customer who wrote today in their language, as buttons', async () => {
    const h = staffHarness(graph(), start);
    await h.say(BARBER.phone, 'hola');
    await h.say(CARLOS, 'in english please');
    await book(h, CARLOS, 'a haircut tomorrow at 10am', 'yes');
    const done = await cancelFromAgenda(h, 'mañana');
    const told = to(CARLOS, done);
    expect(told[0]).toMatchObject({ type: 'interactive' });
    expect(allShown(told)).toContain('we have had to cancel your appointment (Haircut, Wednesday 25 November 10:00)');
    expect(allShown(to(OWNER.phone, done))).toContain('Cita de “Carlos” anulada. Le he escrito.');
    // The barber hears of it; the owner, who did it, gets no notice of their own cancellation.
    expect(allShown(to(BARBER.phone, done))).toContain('Cita anulada: Corte de pelo, miércoles 25 de noviembre 10:00');
    expect(allShown(to(OWNER.phone, done))).not.toContain('❌');
    expect(await h.cita.calendar.upcomingFor(CARLOS, h.clock())).toEqual([]);
  });

  it('sends the approved template to a customer who has not written for a day', async () => {
    const h = staffHarness(graph(), start);
    await book(h, CARLOS, 'un corte el viernes a las 10');
    h.clock.advance(25 * 60);
    const done = await cancelFromAgenda(h, 'viernes');
    const [told] = to(CARLOS, done);
    expect(told).toMatchObject({
      type: 'template',
      template: {
        name: 'cita_cancelled_by_shop',
        components: [
          {
            type: 'body',
            parameters: [
              { type: 'text', text: 'Corte de pelo' },
              { type: 'text', text: 'viernes 27 de noviembre' },
              { type: 'text', text: '10:00' },
            ],
          },
          {
            type: 'button',
            sub_type: 'quick_reply',
            index: '0',
            parameters: [{ type: 'payload', payload: 'BOOK_ANOTHER' }],
          },
        ],
      },
    });
    expect(allShown(to(OWNER.phone, done))).toContain('Le he enviado el aviso de WhatsApp');
  });
});

describe('asking a customer to move their appointment', () => {
  it('writes to the customer with buttons to move or cancel it; the move is theirs, and the staff hear of it', async () => {
    const h = staffHarness(graph(), start);
    await h.say(OWNER.phone, 'hola');
    await book(h, CARLOS, 'un corte mañana a las 10');
    const agenda = await h.say(OWNER.phone, 'agenda mañana');
    const row = optionIds(to(OWNER.phone, agenda)).find((id) => id.startsWith('PICK_APPOINTMENT:'))!;
    await h.tapRow(OWNER.phone, row);
    const asked = await h.say(OWNER.phone, 'pedir cambio');
    expect(allShown(to(OWNER.phone, asked))).toContain('Le pido a “Carlos” que cambie su cita. Le he escrito.');
    const told = to(CARLOS, asked);
    expect(allShown(told)).toContain('necesitamos cambiar tu cita (Corte de pelo, miércoles 25 de noviembre 10:00)');
    const id = row.slice('PICK_APPOINTMENT:'.length);
    expect(optionIds(told)).toEqual([`MOVE_BOOKING:${id}`, `CANCEL_BOOKING:${id}`]);
    // Nothing moved yet: only the customer's own yes moves it.
    expect((await h.cita.calendar.get(id))?.start).toBe('2026-11-25T09:00:00.000Z');

    await h.tapButton(CARLOS, `MOVE_BOOKING:${id}`, 'Cambiar cita');
    await h.say(CARLOS, 'el jueves a las 12');
    const moved = await h.say(CARLOS, 'sí');
    expect(allShown(to(CARLOS, moved))).toContain('¡Cita cambiada!');
    expect(allShown(to(OWNER.phone, moved))).toContain(
      'Cita cambiada: ahora Corte de pelo, jueves 26 de noviembre 12:00',
    );
  });
});

describe("asking to move, in the customer's language and outside their window", () => {
  async function askToMoveFromAgenda(h: Harness, day: string) {
    const agenda = await h.say(OWNER.phone, `agenda ${day}`);
    const row = optionIds(to(OWNER.phone, agenda)).find((id) => id.startsWith('PICK_APPOINTMENT:'))!;
    await h.tapRow(OWNER.phone, row);
    return { asked: await h.tapButton(OWNER.phone, 'ASK_TO_MOVE', 'Pedir cambio'), id: row.split(':')[1]! };
  }

  it('asks an English customer in English, and their "Cancel it" cancels only on their own yes', async () => {
    const h = staffHarness(graph(), start);
    await h.say(OWNER.phone, 'hola');
    await h.say(CARLOS, 'in english please');
    await book(h, CARLOS, 'a haircut tomorrow at 10am', 'yes');
    const { asked, id } = await askToMoveFromAgenda(h, 'mañana');
    expect(allShown(to(CARLOS, asked))).toContain(
      'we need to move your appointment (Haircut, Wednesday 25 November 10:00)',
    );
    expect(optionIds(to(CARLOS, asked))).toEqual([`MOVE_BOOKING:${id}`, `CANCEL_BOOKING:${id}`]);

    await h.tapButton(CARLOS, `CANCEL_BOOKING:${id}`, 'Cancel it');
    expect(await h.cita.calendar.get(id)).toBeDefined();
    const cancelled = await h.say(CARLOS, 'yes');
    expect(await h.cita.calendar.get(id)).toBeUndefined();
    expect(allShown(to(OWNER.phone, cancelled))).toContain(
      'Cita anulada: Corte de pelo, miércoles 25 de noviembre 10:00',
    );
  });

  it('sends the approved template to a customer who has not written for a day; its button moves the appointment on their yes', async () => {
    const h = staffHarness(graph(), start);
    await book(h, CARLOS, 'un corte el viernes a las 10');
    h.clock.advance(25 * 60);
    await h.say(OWNER.phone, 'hola');
    const { asked, id } = await askToMoveFromAgenda(h, 'viernes');
    const [told] = to(CARLOS, asked);
    expect(told).toMatchObject({
      type: 'template',
      template: {
        name: 'cita_move_request',
        components: [
          {
            type: 'body',
            parameters: [
              { type: 'text', text: 'Corte de pelo' },
              { type: 'text', text: 'viernes 27 de noviembre' },
              { type: 'text', text: '10:00' },
            ],
          },
          ...[`MOVE_BOOKING:${id}`, `CANCEL_BOOKING:${id}`].map((payload, index) => ({
            type: 'button',
            sub_type: 'quick_reply',
            index: String(index),
            parameters: [{ type: 'payload', payload }],
          })),
        ],
      },
    });
    expect(allShown(to(OWNER.phone, asked))).toContain('Le he enviado el aviso de WhatsApp');

    // WhatsApp sends a template's quick reply back as a "button" message carrying its payload.
    const tapped = await h.tapTemplateButton(CARLOS, `MOVE_BOOKING:${id}`, 'Cambiar cita');
    expect(allShown(to(CARLOS, tapped))).toContain('¿Qué día');
    await h.say(CARLOS, 'el sábado a las 11');
    expect((await h.cita.calendar.get(id))?.start).toBe('2026-11-27T09:00:00.000Z');
    expect(allShown(to(CARLOS, await h.say(CARLOS, 'sí')))).toContain('¡Cita cambiada!');
    expect((await h.cita.calendar.get(id))?.start).toBe('2026-11-28T10:00:00.000Z');
  });
});

describe('handing a customer to a person and back', () => {
  it('after three messages in a row the bot cannot read, a person takes over', async () => {
    const h = staffHarness(graph(), start);
    await h.say(OWNER.phone, 'hola');
    await h.say(CARLOS, 'hola');
    expect(allShown(await h.say(CARLOS, 'blablabla qwerty'))).toContain('no te he entendido');
    expect(allShown(await h.say(CARLOS, 'zzz qqq'))).toContain('no te he entendido');
    const third = await h.say(CARLOS, 'blablabla qwerty');
    expect(allShown(to(CARLOS, third))).toContain('una persona del equipo');
    expect(allShown(to(OWNER.phone, third))).toContain('quiere hablar con una persona');
    expect(await stateOf(h.cita, CARLOS)).toBe('withStaff');
  });

  it('a read message in between starts the count again', async () => {
    const h = staffHarness(graph(), start);
    await h.say(CARLOS, 'hola');
    await h.say(CARLOS, 'blablabla qwerty');
    await h.say(CARLOS, 'zzz qqq');
    await h.say(CARLOS, 'precios');
    expect(allShown(await h.say(CARLOS, 'blablabla qwerty'))).toContain('no te he entendido');
    expect(await stateOf(h.cita, CARLOS)).not.toBe('withStaff');
  });

  it('lets go of a held slot when a person takes over, and returns the customer after the quiet period', async () => {
    const h = staffHarness(graph(), start);
    await h.say(CARLOS, 'un corte mañana a las 10');
    expect(await stateOf(h.cita, CARLOS)).toBe('confirming');
    await h.say(CARLOS, 'quiero hablar con el dueño, es urgente');
    expect(await h.cita.holds.overlapping(WEDNESDAY)).toEqual([]);

    h.clock.advance(60);
    expect(to(CARLOS, await h.say(CARLOS, '¿hola?'))).toEqual([]);
    // Two hours without a message from him since the last one: the bot is back, and reads this one.
    h.clock.advance(121);
    const back = allShown(to(CARLOS, await h.say(CARLOS, 'un corte mañana a las 11')));
    expect(back).toContain('Vuelvo a ser el asistente de citas');
    expect(back).toContain('¿La confirmo?');
  });

  it('"listo 34600000001" hands the customer back; a customer not with a person is left as they are', async () => {
    const h = staffHarness(graph(), start);
    await h.say(CARLOS, 'a human please');
    expect(await stateOf(h.cita, CARLOS)).toBe('withStaff');
    expect(allShown(await h.say(BARBER.phone, 'listo +34 600 000 001'))).toContain('vuelve a hablar con el bot');
    await waitForState(h.cita, CARLOS, 'greeting');

    expect(allShown(await h.say(BARBER.phone, `listo ${ANA}`))).toContain('no estaba esperando a una persona');
    expect((await h.cita.conversations.load(ANA)).conversation).toBeUndefined();
  });

  it('a shop with no staff phones gives its number instead, and the bot keeps answering however often it misreads', async () => {
    const h = staffHarness(graph(), start, shopWith({ staff: [] }));
    await h.say(CARLOS, 'hola');
    expect(allShown(to(CARLOS, await h.say(CARLOS, 'quiero hablar con una persona')))).toContain(
      'llámanos al +34 910 000 000',
    );
    for (const text of ['blablabla qwerty', 'zzz qqq', 'blablabla qwerty', 'zzz qqq']) {
      expect(allShown(to(CARLOS, await h.say(CARLOS, text)))).toContain('no te he entendido');
    }
    expect(await stateOf(h.cita, CARLOS)).not.toBe('withStaff');
  });
});
