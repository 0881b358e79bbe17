import { afterEach, describe, expect, it } from 'vitest';
import type { ShopConfig } from '../../config/schema.ts';
import { es } from '../../src/messages/es.ts';
import type { OutboundMessage } from '../../src/messages/whatsapp.ts';
import { customer, fakeClock, stateOf, teamShop, testCita } from '../support/cita.ts';
import { startFakeGoogleCalendar } from '../support/fake-google-calendar.ts';
import { type CloudApiMessage, type FakeGraphApi, startFakeGraphApi } from '../support/fake-graph-api.ts';
import { googleCalendarFor } from './google.ts';

/**
 * The owner changes appointments by hand in Google Calendar (the fake, through the real client);
 * cita reads the change and tells the customer through WhatsApp (the fake Graph API). Javi and
 * Marcos book into the shop's calendar, Lucía into her own.
 */
const LUCIA = 'lucia@group.calendar.google.com';
const ACCESS_TOKEN = 'EAAG-calendar-test-token';
const PHONE_NUMBER_ID = '106540352242999';

const running: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of running.splice(0).reverse()) await stop();
});

const shopWithLucia: ShopConfig = {
  ...teamShop,
  barbers: teamShop.barbers.map((b) => (b.id === 'lucia' ? { ...b, calendarId: LUCIA } : b)),
};

async function googleShop({ pageSize }: { pageSize?: number } = {}) {
  const clock = fakeClock();
  const google = await startFakeGoogleCalendar({
    calendars: [LUCIA],
    now: () => clock().getTime(),
    ...(pageSize && { pageSize }),
  });
  const graph = await startFakeGraphApi({ accessToken: ACCESS_TOKEN, phoneNumberId: PHONE_NUMBER_ID });
  const calendar = googleCalendarFor(google, { barbers: shopWithLucia.barbers, clock });
  const cita = testCita({ shop: shopWithLucia, clock, adapters: { calendar, messenger: graph.messenger() } });
  running.push(google.close, graph.close, () => cita.stop());
  return { clock, google, graph, cita };
}

/** A customer books Thursday at 17:00 with the barber named, in the chat; cita then reads the calendar once. */
async function booked(
  cita: ReturnType<typeof testCita>,
  phone = '34600000001',
  words = 'corte con Javi el jueves a las 5',
) {
  const carlos = customer(cita, phone);
  await carlos.say(words);
  await carlos.say(words.startsWith('corte') ? 'sí' : 'yes');
  const [appointment] = await cita.calendar.upcomingFor(phone, cita.clock());
  if (!appointment) throw new Error(`no appointment booked: ${carlos.lastText}`);
  return { carlos, appointment };
}

/** The messages telling `phone` something (the calendar file that follows a move is counted apart). */
const to = (graph: FakeGraphApi, phone: string) =>
  graph.messages.filter((m) => m.to === phone && m.type !== 'document');
const filesTo = (graph: FakeGraphApi, phone: string) =>
  graph.messages.filter((m) => m.to === phone && m.type === 'document');

function buttonsOf(message: CloudApiMessage | undefined) {
  const interactive = (
    message as {
      interactive?: { body: { text: string }; action: { buttons: { reply: { id: string; title: string } }[] } };
    }
  )?.interactive;
  return {
    body: interactive?.body.text ?? '',
    buttons: interactive?.action.buttons.map((b) => [b.reply.title, b.reply.id]) ?? [],
  };
}

const listed = (replies: OutboundMessage[]) => replies.map((r) => r.body).join('\n');

describe("the shop's changes in Google Calendar reach the customer", () => {
  it('tells the customer of a move with three buttons, plans the reminders again and shows the new time in "mis citas"', async () => {
    const { google, graph, cita } = await googleShop();
    const { carlos, appointment } = await booked(cita);
    await cita.calendarSync.syncAll();
    expect(to(graph, carlos.phone)).toEqual([]);

    google.barber.move(appointment.id, '2026-11-26T18:00:00.000Z', '2026-11-26T18:30:00.000Z');
    const round = await cita.calendarSync.syncAll();

    expect(round.moved).toBe(1);
    const { body, buttons } = buttonsOf(to(graph, carlos.phone)[0]);
    expect(to(graph, carlos.phone)).toHaveLength(1);
    expect(body).toContain('ha cambiado tu cita de Corte de pelo con Javi al jueves 26 de noviembre a las 19:00');
    expect(buttons).toEqual([
      ['Me va bien', `CONFIRM_ATTENDANCE:${appointment.id}`],
      ['Cambiar', `MOVE_BOOKING:${appointment.id}`],
      ['Anular', `CANCEL_BOOKING:${appointment.id}`],
    ]);
    expect(listed(await carlos.say('mis citas'))).toContain('19:00');
    expect((await cita.history.list(carlos.phone)).at(-1)).toMatchObject({
      status: 'movedByShop',
      start: '2026-11-26T18:00:00.000Z',
    });
    // The two-hour reminder is for the new time, and none is left for the old one.
    const due = await cita.reminders.claimDue(new Date('2026-11-26T16:00:00.000Z'), 10);
    expect(due.length).toBeGreaterThan(0);
    expect(due.every((r) => r.start === '2026-11-26T18:00:00.000Z')).toBe(true);

    // Inside the customer's window the new time's calendar file follows the notice.
    expect(filesTo(graph, carlos.phone)).toHaveLength(1);
    expect(graph.uploads.at(-1)?.bytes.toString()).toContain('DTSTART:20261126T180000Z');

    // Read again: nothing new, nobody told twice.
    expect((await cita.calendarSync.syncAll()).moved).toBe(0);
    expect(to(graph, carlos.phone)).toHaveLength(1);
    expect(filesTo(graph, carlos.phone)).toHaveLength(1);
  });

  it('tells an English-speaking customer in English', async () => {
    const { google, graph, cita } = await googleShop();
    const { carlos, appointment } = await booked(cita, '34600000002', 'haircut with Javi on Thursday at 5pm');
    await cita.calendarSync.syncAll();
    google.barber.move(appointment.id, '2026-11-27T10:00:00.000Z', '2026-11-27T10:30:00.000Z');
    await cita.calendarSync.syncAll();
    const { body, buttons } = buttonsOf(to(graph, carlos.phone)[0]);
    expect(body).toContain('has moved your Haircut with Javi appointment to Friday 27 November at 11:00');
    expect(buttons.map(([title]) => title)).toEqual(['Works for me', 'Change', 'Cancel']);
  });

  it('sends the approved template, with the three buttons, to a customer who has not written for a day', async () => {
    const { google, graph, cita, clock } = await googleShop();
    const { carlos, appointment } = await booked(cita);
    await cita.calendarSync.syncAll();
    clock.advance(25 * 60);
    google.barber.move(appointment.id, '2026-11-27T10:00:00.000Z', '2026-11-27T10:30:00.000Z');
    await cita.calendarSync.syncAll();
    const [told] = to(graph, carlos.phone);
    expect(told).toMatchObject({
      type: 'template',
      template: { name: 'cita_moved_by_shop', language: { code: 'es' } },
    });
    expect(JSON.stringify(told)).toContain(`CONFIRM_ATTENDANCE:${appointment.id}`);
    expect(JSON.stringify(told)).toContain(`MOVE_BOOKING:${appointment.id}`);
    expect(JSON.stringify(told)).toContain(`CANCEL_BOOKING:${appointment.id}`);
  });

  it("tells the customer their appointment moved to another barber's calendar", async () => {
    const { google, graph, cita } = await googleShop();
    const { carlos, appointment } = await booked(cita);
    await cita.calendarSync.syncAll();
    google.barber.moveTo(appointment.id, LUCIA);
    const round = await cita.calendarSync.syncAll();
    expect(round).toMatchObject({ moved: 1, cancelled: 0 });
    expect(to(graph, carlos.phone)).toHaveLength(1);
    expect(buttonsOf(to(graph, carlos.phone)[0]).body).toContain('con Lucía');
    expect(await cita.calendar.get(appointment.id)).toMatchObject({ barberId: 'lucia' });
  });

  it('tells the customer of a deletion with "Reservar otra", drops the reminders and marks it cancelled by the shop', async () => {
    const { google, graph, cita } = await googleShop();
    const { carlos, appointment } = await booked(cita);
    await cita.calendarSync.syncAll();
    google.barber.delete(appointment.id);
    expect(await cita.calendarSync.syncAll()).toMatchObject({ cancelled: 1 });
    const { body, buttons } = buttonsOf(to(graph, carlos.phone)[0]);
    expect(body).toContain('hemos tenido que anular tu cita');
    expect(buttons).toEqual([['Reservar otra', 'BOOK_ANOTHER']]);
    expect((await cita.history.list(carlos.phone)).at(-1)).toMatchObject({ status: 'cancelledByShop' });
    expect(await cita.reminders.claimDue(new Date('2026-11-26T16:00:00.000Z'), 10)).toEqual([]);
    expect(listed(await carlos.say('mis citas'))).not.toContain('17:00');
  });

  it('tells nobody when the owner only renames the event', async () => {
    const { google, graph, cita } = await googleShop();
    const { carlos, appointment } = await booked(cita);
    await cita.calendarSync.syncAll();
    google.barber.rename(appointment.id, 'Carlos (el de siempre)');
    expect(await cita.calendarSync.syncAll()).toMatchObject({ unchanged: 1, moved: 0, cancelled: 0 });
    expect(to(graph, carlos.phone)).toEqual([]);
  });

  it("tells nobody of cita's own writes coming back: a booking, a move and a cancellation in the chat", async () => {
    const { graph, cita } = await googleShop();
    await cita.calendarSync.syncAll();
    const quiet = { moved: 0, cancelled: 0, unchanged: 1 };
    const { carlos, appointment } = await booked(cita);
    expect(await cita.calendarSync.syncAll()).toMatchObject(quiet);
    await carlos.say('cambiar mi cita');
    await carlos.say('el viernes a las 10');
    expect(carlos.lastText).toContain('viernes 27 de noviembre a las 10:00');
    await carlos.say('sí');
    expect(await cita.calendar.get(appointment.id)).toMatchObject({ start: '2026-11-27T09:00:00.000Z' });
    expect(await cita.calendarSync.syncAll()).toMatchObject(quiet);
    await carlos.say('cancelar mi cita');
    await carlos.say('sí');
    expect(await cita.calendar.get(appointment.id)).toBeUndefined();
    expect(await cita.calendarSync.syncAll()).toMatchObject(quiet);
    expect(to(graph, carlos.phone)).toEqual([]);
  });

  it('tells each of 50 customers once of a burst of 50 moves, read over several pages', async () => {
    const { google, graph, cita } = await googleShop({ pageSize: 20 });
    await cita.calendarSync.syncAll();
    const phones = Array.from({ length: 50 }, (_, i) => `3460010${String(i).padStart(4, '0')}`);
    for (const [i, phone] of phones.entries()) {
      const start = new Date(Date.parse('2026-11-27T08:00:00.000Z') + i * 30 * 60_000).toISOString();
      const end = new Date(Date.parse(start) + 30 * 60_000).toISOString();
      await cita.calendar.create({
        id: `burst${String(i).padStart(4, '0')}`,
        serviceId: 'corte',
        serviceName: 'Corte de pelo',
        phone,
        start,
        end,
        barberId: 'marcos',
      });
    }
    expect(await cita.calendarSync.syncAll()).toMatchObject({ unchanged: 50, moved: 0 });
    for (const [i] of phones.entries()) {
      const start = new Date(Date.parse('2026-12-01T08:00:00.000Z') + i * 30 * 60_000).toISOString();
      google.barber.move(
        `burst${String(i).padStart(4, '0')}`,
        start,
        new Date(Date.parse(start) + 30 * 60_000).toISOString(),
      );
    }
    const pages = google.requests.length;
    expect(await cita.calendarSync.syncAll()).toMatchObject({ moved: 50 });
    expect(google.requests.slice(pages).filter((r) => r.query.pageToken).length).toBeGreaterThanOrEqual(2);
    expect(new Set(graph.messages.map((m) => m.to))).toEqual(new Set(phones));
    expect(graph.messages).toHaveLength(50);
    expect(await cita.calendarSync.syncAll()).toMatchObject({ moved: 0 });
    expect(graph.messages).toHaveLength(50);
  });

  it('after an expired sync token (410 Gone), reads the calendar again and tells only the customer whose appointment changed', async () => {
    const { google, graph, cita } = await googleShop();
    await cita.calendarSync.syncAll();
    const carlos = await booked(cita);
    const ana = await booked(cita, '34600000002', 'corte con Marcos el viernes a las 10');
    await cita.calendarSync.syncAll();
    google.barber.move(carlos.appointment.id, '2026-11-26T18:00:00.000Z', '2026-11-26T18:30:00.000Z');
    google.expireSyncTokens();
    const before = google.requests.length;
    expect(await cita.calendarSync.syncAll()).toMatchObject({ moved: 1, unchanged: 1 });
    // The shop calendar's token was refused; it was read whole again from a day back.
    const reads = google.requests.slice(before).filter((r) => r.calendarId === google.calendarId);
    expect(reads.map((r) => (r.query.syncToken ? 'sync' : r.query.timeMin ? 'full' : 'other'))).toEqual([
      'sync',
      'full',
    ]);
    expect(to(graph, carlos.carlos.phone)).toHaveLength(1);
    expect(to(graph, ana.carlos.phone)).toEqual([]);
  });

  it('tells a customer holding a slot the owner has just filled by hand, at the confirmation, as when another customer takes it', async () => {
    const { google, cita } = await googleShop();
    const carlos = customer(cita);
    await carlos.say('corte con Marcos el jueves a las 5');
    expect(carlos.lastText).toContain('jueves 26 de noviembre a las 17:00');
    google.barber.add({ start: '2026-11-26T16:00:00Z', end: '2026-11-26T17:00:00Z', summary: 'Cliente de siempre' });
    await carlos.say('sí');
    expect(carlos.lastText).toContain(es.notes.slotTaken);
    expect(await cita.calendar.upcomingFor(carlos.phone, cita.clock())).toEqual([]);
  });

  it('tells the customer of a move of an appointment booked before cita remembered its writes, from its history', async () => {
    const { google, graph, cita, clock } = await googleShop();
    await cita.calendarSync.syncAll();
    // Written straight to the calendar, as an older cita did, with only its history entry to go by.
    const older = {
      id: 'older00001',
      serviceId: 'corte',
      serviceName: 'Corte de pelo',
      phone: '34600000009',
      start: '2026-11-27T09:00:00.000Z',
      end: '2026-11-27T09:30:00.000Z',
      barberId: 'marcos',
    };
    await googleCalendarFor(google, { barbers: shopWithLucia.barbers, clock }).create(older);
    await cita.history.record(older.phone, {
      ...older,
      bookingId: older.id,
      status: 'booked',
      at: clock().toISOString(),
    });
    expect(await cita.calendarSync.syncAll()).toMatchObject({ unchanged: 1 });
    google.barber.move(older.id, '2026-11-27T11:00:00.000Z', '2026-11-27T11:30:00.000Z');
    expect(await cita.calendarSync.syncAll()).toMatchObject({ moved: 1 });
    expect(to(graph, older.phone)).toHaveLength(1);
  });

  it("starts the chat's own flows from the buttons: Cambiar and Anular still ask for the customer's yes, Me va bien is noted", async () => {
    const { google, cita } = await googleShop();
    const { carlos, appointment } = await booked(cita);
    await cita.calendarSync.syncAll();
    google.barber.move(appointment.id, '2026-11-26T18:00:00.000Z', '2026-11-26T18:30:00.000Z');
    await cita.calendarSync.syncAll();

    await carlos.send(`CANCEL_BOOKING:${appointment.id}`);
    expect(await stateOf(cita, carlos.phone)).not.toBe('booked');
    expect(carlos.lastText).toContain('19:00');
    expect(await cita.calendar.get(appointment.id)).toBeDefined();
    await carlos.say('no');
    await carlos.send(`MOVE_BOOKING:${appointment.id}`);
    expect(await stateOf(cita, carlos.phone)).toBe('choosingDate');
    expect(await cita.calendar.get(appointment.id)).toMatchObject({ start: '2026-11-26T18:00:00.000Z' });
    await carlos.send(`CONFIRM_ATTENDANCE:${appointment.id}`);
    expect((await cita.history.list(carlos.phone)).at(-1)).toMatchObject({ status: 'attendanceConfirmed' });
  });
});
