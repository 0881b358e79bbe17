import { describe, expect, it } from 'vitest';
import { SqliteConversationStore } from '../adapters/sqlite/conversations.ts';
import { BOOKING_MACHINE_VERSION } from '../machines/booking.machine.ts';
import { createCita } from '../src/cita.ts';
import { citaPerTest, customer, fakeClock, shop, stateOf, tempDataDir } from './support/cita.ts';
import { memoryDatabase } from './support/sqlite.ts';

const start = citaPerTest();

describe('booking through the engine', () => {
  it('books a haircut in Spanish by tapping buttons, and writes one appointment to the calendar', async () => {
    const cita = start();
    const carlos = customer(cita);

    await carlos.say('hola');
    expect(carlos.lastText).toContain('¿Qué servicio quieres reservar?');
    await carlos.tap('Corte de pelo');
    expect(carlos.lastText).toContain('¿Qué día te viene bien');
    await carlos.tap('Mañana');
    expect(carlos.lastText).toContain('Horas libres para Corte de pelo el miércoles 25 de noviembre');
    await carlos.tap('10:00');
    expect(carlos.lastText).toContain('Corte de pelo el miércoles 25 de noviembre a las 10:00');
    expect(await stateOf(cita, carlos.phone)).toBe('confirming');
    await carlos.tap('Confirmar');

    expect(carlos.lastText).toContain('¡Cita reservada!');
    expect(await stateOf(cita, carlos.phone)).toBe('booked');
    const appointments = await cita.calendar.upcomingFor(carlos.phone, new Date('2026-11-24T00:00:00Z'));
    expect(appointments).toMatchObject([
      {
        serviceId: 'corte',
        start: '2026-11-25T09:00:00.000Z',
        end: '2026-11-25T09:30:00.000Z',
        customerName: 'Carlos',
      },
    ]);
    expect(await cita.history.list(carlos.phone)).toMatchObject([{ serviceId: 'corte', status: 'booked' }]);
  });

  it('books in English when the customer writes in English, by typing', async () => {
    const cita = start();
    const jane = customer(cita, '447700900001', 'Jane');

    await jane.say('Hi, I would like to book a haircut');
    expect(jane.lastText).toContain('Which day suits you');
    // Writing in English from the first message is simply answered in English.
    expect(jane.lastText).not.toContain("let's continue in English");
    await jane.say('tomorrow');
    expect(jane.lastText).toContain('Free times for Haircut on Wednesday 25 November');
    await jane.say('at 5pm');
    expect(jane.lastText).toContain('Haircut on Wednesday 25 November at 17:00');
    await jane.say('yes');
    expect(jane.lastText).toContain('Booked!');
    expect(await cita.calendar.upcomingFor(jane.phone, new Date(0))).toHaveLength(1);
  });

  it('reaches the confirmation from "quiero un corte mañana a las 5" in one message', async () => {
    const cita = start();
    const carlos = customer(cita);
    await carlos.say('quiero un corte mañana a las 5');
    expect(await stateOf(cita, carlos.phone)).toBe('confirming');
    expect(carlos.lastText).toContain('Corte de pelo el miércoles 25 de noviembre a las 17:00');
  });

  it('moves the appointment to another time when corrected at the confirmation, releasing the first slot', async () => {
    const cita = start();
    const carlos = customer(cita);
    const ana = customer(cita, '34600000002', 'Ana');
    await carlos.say('quiero un corte mañana a las 5');
    await carlos.say('mejor a las 6');
    expect(carlos.lastText).toContain('a las 18:00');
    expect(await stateOf(cita, carlos.phone)).toBe('confirming');

    // 17:00 was let go, so another customer can have it.
    await ana.say('un corte mañana a las 5');
    expect(ana.lastText).toContain('a las 17:00');
    await carlos.say('sí');
    await ana.say('sí');
    const booked = await cita.calendar.busy({ start: '2026-11-25T00:00:00Z', end: '2026-11-26T00:00:00Z' });
    expect(booked.map((b) => b.start).sort()).toEqual(['2026-11-25T16:00:00.000Z', '2026-11-25T17:00:00.000Z']);
  });

  it('answers a question about prices mid-flow and keeps the customer on the same step', async () => {
    const cita = start();
    const carlos = customer(cita);
    await carlos.say('un corte para mañana');
    expect(await stateOf(cita, carlos.phone)).toBe('choosingSlot');
    await carlos.say('¿cuánto cuesta?');
    expect(carlos.lastText).toContain('Precios:');
    expect(carlos.lastText).toContain('Corte de pelo: 15');
    expect(carlos.lastText).toContain('Horas libres para Corte de pelo');
    expect(await stateOf(cita, carlos.phone)).toBe('choosingSlot');
    await carlos.say('¿dónde estáis?');
    expect(carlos.lastText).toContain(shop.address);
    await carlos.say('a las 4');
    expect(await stateOf(cita, carlos.phone)).toBe('confirming');
  });

  it('offers other times when the slot was taken between the offer and the confirmation', async () => {
    const cita = start();
    const carlos = customer(cita);
    await carlos.say('corte mañana a las 5');
    // The barber writes a walk-in into the calendar behind cita's back.
    await cita.calendar.create({
      id: 'barber00001',
      serviceId: 'corte',
      serviceName: 'Corte de pelo',
      phone: '34911111111',
      start: '2026-11-25T16:00:00.000Z',
      end: '2026-11-25T16:30:00.000Z',
    });
    await carlos.say('confirmo');
    expect(carlos.lastText).toContain('alguien acaba de reservar esa hora');
    expect(await stateOf(cita, carlos.phone)).toBe('choosingSlot');
    expect(carlos.options.map((o) => o.title)).not.toContain('17:00');
    expect(await cita.calendar.upcomingFor(carlos.phone, new Date(0))).toEqual([]);
  });

  it('tells a customer a slot another customer is holding is not free, and offers the rest', async () => {
    const cita = start();
    const carlos = customer(cita);
    const ana = customer(cita, '34600000002', 'Ana');
    await carlos.say('corte mañana');
    await ana.say('corte mañana a las 10');
    expect(await stateOf(cita, ana.phone)).toBe('confirming');
    await carlos.tap('10:00');
    expect(carlos.lastText).toContain('alguien acaba de reservar esa hora');
    expect(carlos.options.map((o) => o.title)).not.toContain('10:00');
  });

  it('keeps the last six turns of the conversation in words, for the LLM to read a message in context', async () => {
    const cita = start();
    const carlos = customer(cita);
    await carlos.say('hola');
    await carlos.tap('Corte de pelo');
    await carlos.say('mañana');
    const { conversation } = await cita.conversations.load(carlos.phone);
    expect(conversation?.turns).toHaveLength(6);
    expect(conversation?.turns.map((turn) => turn.from)).toEqual([
      'customer',
      'bot',
      'customer',
      'bot',
      'customer',
      'bot',
    ]);
    expect(conversation?.turns[2]).toEqual({ from: 'customer', text: '(tapped) Corte de pelo' });
    expect(conversation?.turns[4]).toEqual({ from: 'customer', text: 'mañana' });
  });

  it('resumes a conversation from its saved snapshot after a restart', async () => {
    const conversations = new SqliteConversationStore(memoryDatabase());
    const dataDir = tempDataDir();
    const clock = fakeClock();
    const first = createCita({ shop, clock, dataDir, adapters: { conversations } });
    const before = customer(first);
    await before.say('quiero un corte mañana a las 5');
    await first.stop();

    const second = start({ clock, dataDir, adapters: { conversations } });
    const after = customer(second);
    expect(await stateOf(second, after.phone)).toBe('confirming');
    await after.say('sí');
    expect(after.lastText).toContain('¡Cita reservada!');
    expect(await second.calendar.upcomingFor(after.phone, new Date(0))).toHaveLength(1);
  });

  it('continues from what another process saved in between, not from what it last saw itself', async () => {
    const conversations = new SqliteConversationStore(memoryDatabase());
    const clock = fakeClock();
    const one = start({ clock, adapters: { conversations } });
    const other = start({ clock, adapters: { conversations } });
    await customer(one).say('quiero un corte mañana a las 5');
    await customer(other).say('mejor a las 6');
    const carlos = customer(one);
    await carlos.say('sí');
    expect(carlos.lastText).toContain('¡Cita reservada!');
    const booked = await one.calendar.upcomingFor(carlos.phone, new Date(0));
    expect(booked.map((appointment) => appointment.start)).toEqual(['2026-11-25T17:00:00.000Z']);
  });

  it('asks for the day again when the day chosen has passed since the last message', async () => {
    const clock = fakeClock();
    const cita = start({ clock });
    const carlos = customer(cita);
    await carlos.say('quiero un corte mañana a las 5');
    expect(await stateOf(cita, carlos.phone)).toBe('confirming');
    clock.set('2026-11-26T09:00:00Z');
    await carlos.say('sí');
    // As when the conversation is restored from its snapshot: the day is dropped and asked for again.
    expect(carlos.lastText).toContain('algo de lo que habías elegido ya no está disponible');
    expect(await stateOf(cita, carlos.phone)).toBe('choosingDate');
    expect(await cita.calendar.upcomingFor(carlos.phone, new Date(0))).toEqual([]);
  });

  it('apologises and starts over when a saved conversation comes from an older machine', async () => {
    const conversations = new SqliteConversationStore(memoryDatabase());
    await conversations.save(
      '34600000001',
      { machineVersion: BOOKING_MACHINE_VERSION - 1, snapshot: { value: 'pickingBarber' }, replies: [], turns: [] },
      0,
    );
    const cita = start({ adapters: { conversations } });
    const carlos = customer(cita);
    await carlos.say('hola');
    expect(carlos.lastText).toContain('he tenido que reiniciar nuestra conversación');
    expect(await stateOf(cita, carlos.phone)).toBe('choosingService');
  });

  it('starts over with an apology when a saved snapshot names a state the machine no longer has', async () => {
    const conversations = new SqliteConversationStore(memoryDatabase());
    const cita = start({ adapters: { conversations } });
    const carlos = customer(cita);
    await carlos.say('hola');
    const { conversation, version } = await conversations.load(carlos.phone);
    const snapshot = { ...(conversation!.snapshot as object), value: 'pickingBarber' };
    await conversations.save(carlos.phone, { ...conversation!, snapshot }, version);
    await carlos.say('corte');
    expect(carlos.lastText).toContain('he tenido que reiniciar');
    expect(await stateOf(cita, carlos.phone)).toBe('choosingDate');
  });
});

describe('bad input gets a specific, polite answer', () => {
  it('re-prompts the current step when a message is not understood', async () => {
    const cita = start();
    const carlos = customer(cita);
    await carlos.say('corte');
    await carlos.say('blablabla qwerty');
    expect(carlos.lastText).toContain('Perdona, no te he entendido.');
    expect(carlos.lastText).toContain('¿Qué día te viene bien');
  });

  it('answers an empty message, an emoji-only message and a 5,000-character message', async () => {
    const cita = start();
    const carlos = customer(cita);
    await carlos.say('corte');
    await carlos.say('   ');
    expect(carlos.lastText).toContain('No me ha llegado ningún texto.');
    await carlos.say('🙂🙂🙂');
    expect(carlos.lastText).toContain('Perdona, no te he entendido.');
    await carlos.say('a'.repeat(5000));
    expect(carlos.lastText).toContain('Tu mensaje es muy largo');
    expect(await stateOf(cita, carlos.phone)).toBe('choosingDate');
  });

  it('names the services on offer when asked for one the shop does not have', async () => {
    const cita = start();
    const carlos = customer(cita);
    await carlos.send('SELECT_SERVICE:tinte');
    expect(carlos.lastText).toContain('Ese servicio no lo tenemos');
    expect(carlos.options.map((o) => o.title)).toContain('Corte de pelo');
  });

  it('explains a past day, a closed day and a day beyond the booking window, and offers days that work', async () => {
    const cita = start();
    const carlos = customer(cita);
    await carlos.say('corte');
    await carlos.send('PICK_DATE:2026-11-20');
    expect(carlos.lastText).toContain('ya ha pasado');
    await carlos.say('el lunes');
    expect(carlos.lastText).toContain('estamos cerrados');
    await carlos.send('PICK_DATE:2027-03-15');
    expect(carlos.lastText).toContain('máximo de 30 días');
    expect(await stateOf(cita, carlos.phone)).toBe('choosingDate');
    expect(carlos.options.length).toBeGreaterThan(0);
  });

  it('says a time outside opening hours is not free and shows the free ones', async () => {
    const cita = start();
    const carlos = customer(cita);
    await carlos.say('corte mañana a las 22:00');
    expect(carlos.lastText).toContain('A las 22:00 no hay hueco.');
    expect(await stateOf(cita, carlos.phone)).toBe('choosingSlot');
  });

  it('refuses at confirmation a slot that no longer meets the minimum notice', async () => {
    const clock = fakeClock('2026-11-24T09:00:00Z');
    const cita = start({ clock });
    const carlos = customer(cita);
    await carlos.say('corte hoy a las 12');
    expect(await stateOf(cita, carlos.phone)).toBe('confirming');
    clock.set('2026-11-24T10:30:00Z'); // 11:30 in Madrid: 12:00 is now inside the one-hour notice
    await carlos.say('sí');
    expect(carlos.lastText).toContain('demasiado cerca');
    expect(await cita.calendar.upcomingFor(carlos.phone, new Date(0))).toEqual([]);
  });

  it('never books a cancelled conversation, and says so', async () => {
    const cita = start();
    const carlos = customer(cita);
    await carlos.say('corte mañana a las 5');
    await carlos.tap('Cancelar');
    expect(carlos.lastText).toContain('No he reservado nada');
    expect(await stateOf(cita, carlos.phone)).toBe('greeting');
    expect(await cita.calendar.upcomingFor(carlos.phone, new Date(0))).toEqual([]);
  });
});
