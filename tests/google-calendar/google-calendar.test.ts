import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GoogleApiError } from '../../adapters/google-calendar/calendar.ts';
import { CalendarUnavailable } from '../../src/engine/ports.ts';
import {
  type FakeGoogleCalendar,
  startFakeGoogleCalendar,
  testServiceAccount,
} from '../support/fake-google-calendar.ts';
import { appointment } from './calendar-contract.ts';
import { googleCalendarFor } from './google.ts';

const day = { start: '2026-11-25T00:00:00.000Z', end: '2026-11-26T00:00:00.000Z' };
const carlos = appointment({ n: 1 });

let google: FakeGoogleCalendar;
beforeEach(async () => {
  google = await startFakeGoogleCalendar();
});
afterEach(async () => {
  await google.close();
});

describe('busy time from free/busy', () => {
  it('asks free/busy once per search, for the shop calendar, in the shop timezone', async () => {
    await googleCalendarFor(google).busy(day);
    const calls = google.requests.filter((r) => r.route === 'freeBusy');
    expect(calls).toHaveLength(1);
    expect(calls[0]?.body).toMatchObject({
      timeMin: day.start,
      timeMax: day.end,
      timeZone: 'Europe/Madrid',
      items: [{ id: google.calendarId }],
    });
  });

  it('throws CalendarUnavailable, never "free", when free/busy reports an error for the calendar', async () => {
    google.barber.add({ start: '2026-11-25T09:00:00Z', end: '2026-11-25T10:00:00Z' });
    google.fail('freeBusy', { freeBusyError: 'backendError' });
    await expect(googleCalendarFor(google).busy(day)).rejects.toThrow(CalendarUnavailable);
  });

  it('throws CalendarUnavailable for a calendar free/busy cannot see (not shared with the service account)', async () => {
    const calendar = googleCalendarFor(google, { calendarId: 'not-shared@group.calendar.google.com' });
    const failure = calendar.busy(day);
    await expect(failure).rejects.toThrow(CalendarUnavailable);
    await expect(failure).rejects.toThrow(/notFound; check that calendar .* is shared with cita-test@/);
  });

  it('throws CalendarUnavailable when Google keeps answering 500 past the retry budget', async () => {
    google.fail('freeBusy', { status: 500 }, 1_000);
    await expect(googleCalendarFor(google).busy(day)).rejects.toThrow(CalendarUnavailable);
    expect(google.requests.filter((r) => r.route === 'freeBusy').length).toBeGreaterThan(1);
  });

  it.each([
    ['500', { status: 500 }],
    ['503', { status: 503 }],
    ['429', { status: 429, reason: 'rateLimitExceeded' }],
    ['403 rateLimitExceeded', { status: 403, reason: 'rateLimitExceeded' }],
  ])('retries a passing %s and answers once Google recovers', async (_, failure) => {
    google.barber.add({ start: '2026-11-25T09:00:00Z', end: '2026-11-25T10:00:00Z' });
    google.fail('freeBusy', failure, 2);
    expect(await googleCalendarFor(google).busy(day)).toEqual([
      { start: '2026-11-25T09:00:00.000Z', end: '2026-11-25T10:00:00.000Z' },
    ]);
    expect(google.requests.filter((r) => r.route === 'freeBusy')).toHaveLength(3);
  });

  it('does not retry a 403 that is not a rate limit, and says to share the calendar', async () => {
    google.fail('freeBusy', { status: 403, reason: 'forbidden' }, 5);
    const failure = googleCalendarFor(google).busy(day);
    await expect(failure).rejects.toThrow(GoogleApiError);
    await expect(failure).rejects.toThrow(/shared with cita-test@.*Make changes to events/);
    expect(google.requests.filter((r) => r.route === 'freeBusy')).toHaveLength(1);
  });

  it('throws CalendarUnavailable when free/busy answers too late every time', async () => {
    google.fail('freeBusy', { lostAnswerMs: 2_000 }, 10);
    const calendar = googleCalendarFor(google, { requestTimeoutMs: 100 });
    await expect(calendar.busy(day)).rejects.toThrow(CalendarUnavailable);
  });

  it('respects an event the barber added, moved or deleted in Google Calendar by hand', async () => {
    const calendar = googleCalendarFor(google);
    const lunch = google.barber.add({
      start: '2026-11-25T12:00:00Z',
      end: '2026-11-25T13:00:00Z',
      summary: 'Dentista',
    });
    expect(await calendar.busy(day)).toEqual([{ start: '2026-11-25T12:00:00.000Z', end: '2026-11-25T13:00:00.000Z' }]);

    google.barber.move(lunch, '2026-11-25T15:00:00Z', '2026-11-25T16:00:00Z');
    expect(await calendar.busy(day)).toEqual([{ start: '2026-11-25T15:00:00.000Z', end: '2026-11-25T16:00:00.000Z' }]);

    google.barber.delete(lunch);
    expect(await calendar.busy(day)).toEqual([]);
  });

  it('refuses to answer with credentials signed by a key the service account does not have', async () => {
    const stranger = testServiceAccount().serviceAccount;
    const calendar = googleCalendarFor(google, { serviceAccount: stranger });
    await expect(calendar.busy(day)).rejects.toThrow(/401|Invalid Credentials/);
  });
});

describe('writing a booking', () => {
  it('inserts an event with the booking id, a readable title, the customer, private properties and a popup reminder', async () => {
    await googleCalendarFor(google).create(carlos);

    const [insert] = google.requests.filter((r) => r.route === 'insert');
    expect(insert?.query.sendUpdates).toEqual(['none']);
    const [event] = google.liveEvents();
    expect(event).toMatchObject({
      id: carlos.id,
      summary: 'Corte de pelo – “Carlos”',
      start: { dateTime: '2026-11-25T10:00:00+01:00', timeZone: 'Europe/Madrid' },
      end: { dateTime: '2026-11-25T10:30:00+01:00', timeZone: 'Europe/Madrid' },
      extendedProperties: {
        private: {
          bookingId: carlos.id,
          phone: '34600000001',
          serviceId: 'corte',
          serviceName: 'Corte de pelo',
          customerName: 'Carlos',
        },
      },
      reminders: { useDefault: false, overrides: [{ method: 'popup', minutes: 60 }] },
    });
    expect(event?.description).toBe(
      [
        'Servicio: Corte de pelo',
        'Cliente: “Carlos”',
        'Teléfono: +34 •••••• 001',
        `Reserva: ${carlos.id}`,
        'Reservado por WhatsApp con cita.',
      ].join('\n'),
    );
    expect(event).not.toHaveProperty('attendees');
  });

  it("describes the event in the shop's default language, English for an English shop", async () => {
    await googleCalendarFor(google, { language: 'en' }).create({ ...carlos, serviceName: 'Haircut' });
    expect(google.liveEvents()[0]?.description).toBe(
      [
        'Service: Haircut',
        'Customer: “Carlos”',
        'Phone: +34 •••••• 001',
        `Booking: ${carlos.id}`,
        'Booked on WhatsApp through cita.',
      ].join('\n'),
    );
  });

  it('quotes a profile name that reads like an order, without its line breaks and bidi controls', async () => {
    const customerName = '⚠️ CANCELADA\n– no venir, llamar al 611222333\u202E';
    await googleCalendarFor(google).create({ ...carlos, customerName });
    const [event] = google.liveEvents();
    expect(event?.summary).toBe('Corte de pelo – “⚠️ CANCELADA – no venir, llamar al 6112…”');
    expect(event?.description).toContain('Cliente: “⚠️ CANCELADA – no venir, llamar al 6112…”\n');
  });

  it('titles a booking without a customer name by the masked phone number, and says no name was given', async () => {
    const { customerName: _, ...nameless } = carlos;
    await googleCalendarFor(google).create(nameless);
    const [event] = google.liveEvents();
    expect(event?.summary).toBe('Corte de pelo – +34 •••••• 001');
    expect(event?.description).toContain('Cliente: (sin nombre)');
    expect(JSON.stringify({ ...event, extendedProperties: undefined })).not.toContain('600000001');
  });

  it('leaves exactly one event when the insert reached Google but its answer was lost, and the retry succeeds', async () => {
    google.fail('insert', { lostAnswerMs: 1_500 });
    const calendar = googleCalendarFor(google, {
      requestTimeoutMs: 200,
      retry: { budgetMs: 3_000, firstDelayMs: 5, maxDelayMs: 20 },
    });

    expect(await calendar.create(carlos)).toEqual(carlos);
    expect(google.requests.filter((r) => r.route === 'insert')).toHaveLength(2);
    expect(google.liveEvents()).toHaveLength(1);
  });

  it('retries an insert answered with 500 and writes one event', async () => {
    google.fail('insert', { status: 500 }, 2);
    expect(await googleCalendarFor(google).create(carlos)).toEqual(carlos);
    expect(google.liveEvents()).toHaveLength(1);
  });

  it('writes exactly one event when 100 confirmations of the same booking arrive at once', async () => {
    const calendar = googleCalendarFor(google, { retry: { budgetMs: 5_000, firstDelayMs: 5, maxDelayMs: 50 } });
    const answers = await Promise.all(Array.from({ length: 100 }, () => calendar.create(carlos)));
    expect(new Set(answers.map((a) => JSON.stringify(a)))).toEqual(new Set([JSON.stringify(carlos)]));
    expect(google.liveEvents()).toHaveLength(1);
  });

  it('refuses an id already taken by an event that is not this booking', async () => {
    google.barber.add({ id: carlos.id, start: '2026-11-25T09:00:00Z', end: '2026-11-25T09:30:00Z' });
    await expect(googleCalendarFor(google).create(carlos)).rejects.toThrow(/different event/);
  });

  it('does not bring back a booking that was deleted after it was written', async () => {
    const calendar = googleCalendarFor(google);
    await calendar.create(carlos);
    google.barber.delete(carlos.id);
    await expect(calendar.create(carlos)).rejects.toThrow(CalendarUnavailable);
    expect(google.liveEvents()).toEqual([]);
  });

  it('does not count a move of a booking the barber deleted as done', async () => {
    const calendar = googleCalendarFor(google);
    await calendar.create(carlos);
    google.barber.delete(carlos.id);
    const moved = { ...carlos, start: '2026-11-25T15:00:00.000Z', end: '2026-11-25T15:30:00.000Z' };
    await expect(calendar.reschedule(moved)).rejects.toThrow(CalendarUnavailable);
    expect(google.liveEvents()).toEqual([]);
  });

  it('throws CalendarUnavailable and writes nothing when every insert fails', async () => {
    google.fail('insert', { status: 503 }, 1_000);
    await expect(googleCalendarFor(google).create(carlos)).rejects.toThrow(CalendarUnavailable);
    expect(google.liveEvents()).toEqual([]);
  });
});

describe('reading bookings back', () => {
  it('reads a booking the barber moved at its new time', async () => {
    const calendar = googleCalendarFor(google);
    await calendar.create(carlos);
    google.barber.move(carlos.id, '2026-11-25T11:00:00Z', '2026-11-25T11:30:00Z');
    expect(await calendar.get(carlos.id)).toEqual({
      ...carlos,
      start: '2026-11-25T11:00:00.000Z',
      end: '2026-11-25T11:30:00.000Z',
    });
  });

  it("does not count the barber's own events among a customer's bookings", async () => {
    const calendar = googleCalendarFor(google);
    google.barber.add({ start: '2026-11-25T12:00:00Z', end: '2026-11-25T13:00:00Z' });
    await calendar.create(carlos);
    expect(await calendar.upcomingFor(carlos.phone, new Date(day.start))).toEqual([carlos]);
  });

  it("lists a phone's bookings across several pages of results", async () => {
    await google.close();
    google = await startFakeGoogleCalendar({ pageSize: 2 });
    const calendar = googleCalendarFor(google);
    const bookings = [1, 2, 3, 4, 5].map((n) =>
      appointment({ n, start: `2026-11-2${n}T09:00:00.000Z`, end: `2026-11-2${n}T09:30:00.000Z` }),
    );
    for (const booking of bookings.toReversed()) await calendar.create(booking);
    expect(await calendar.upcomingFor(carlos.phone, new Date('2026-11-01T00:00:00Z'))).toEqual(bookings);
    expect(google.requests.filter((r) => r.route === 'list')).toHaveLength(3);
  });

  it('asks Google for the phone by private property, expanded and ordered by start', async () => {
    await googleCalendarFor(google).upcomingFor(carlos.phone, new Date(day.start));
    const [list] = google.requests.filter((r) => r.route === 'list');
    expect(list?.query).toMatchObject({
      privateExtendedProperty: ['phone=34600000001'],
      singleEvents: ['true'],
      orderBy: ['startTime'],
      timeMin: [day.start],
    });
  });

  it('throws CalendarUnavailable rather than answering "no bookings" when listing fails', async () => {
    google.fail('list', { status: 500 }, 1_000);
    await expect(googleCalendarFor(google).upcomingFor(carlos.phone, new Date(day.start))).rejects.toThrow(
      CalendarUnavailable,
    );
  });
});

it('refuses an API root URL without the trailing slash the client needs', () => {
  expect(() => googleCalendarFor(google, { rootUrl: google.rootUrl.slice(0, -1) })).toThrow(/must end with "\/"/);
});
