import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { es } from '../../src/messages/es.ts';
import { customer, stateOf, testCita } from '../support/cita.ts';
import { type FakeGoogleCalendar, startFakeGoogleCalendar } from '../support/fake-google-calendar.ts';
import { googleCalendarFor } from './google.ts';

/** The whole engine booking into the fake Google Calendar through the real adapter. Taps are reply ids. */

let google: FakeGoogleCalendar;
let cita: ReturnType<typeof testCita>;
beforeEach(async () => {
  google = await startFakeGoogleCalendar();
  cita = testCita({ adapters: { calendar: googleCalendarFor(google) } });
});
afterEach(async () => {
  await cita.stop();
  await google.close();
});

const timesOffered = (replies: { id: string }[]) =>
  replies.filter((o) => o.id.startsWith('PICK_TIME:')).map((o) => o.id);

describe('booking into Google Calendar', () => {
  it('lands exactly one event in the shop calendar for a confirmed booking', async () => {
    const carlos = customer(cita);
    await carlos.send('SELECT_SERVICE:corte');
    await carlos.send('PICK_DATE:2026-11-25');
    expect(timesOffered(carlos.options)).toContain('PICK_TIME:10:00');
    await carlos.send('PICK_TIME:10:00');
    expect(await stateOf(cita, carlos.phone)).toBe('confirming');
    await carlos.send('CONFIRM');

    expect(await stateOf(cita, carlos.phone)).toBe('booked');
    expect(google.liveEvents()).toEqual([
      expect.objectContaining({
        summary: 'Corte de pelo – “Carlos”',
        start: expect.objectContaining({ dateTime: '2026-11-25T10:00:00+01:00' }),
        extendedProperties: { private: expect.objectContaining({ phone: carlos.phone, serviceId: 'corte' }) },
      }),
    ]);
    expect(google.requests.filter((r) => r.route === 'insert')).toHaveLength(1);
  });

  it("does not offer a time the barber blocked in Google Calendar behind cita's back", async () => {
    google.barber.add({ start: '2026-11-25T09:00:00Z', end: '2026-11-25T10:00:00Z', summary: 'Médico' });
    const carlos = customer(cita);
    await carlos.send('SELECT_SERVICE:corte');
    await carlos.send('PICK_DATE:2026-11-25');
    const offered = timesOffered(carlos.options);
    expect(offered).not.toContain('PICK_TIME:10:00');
    expect(offered).not.toContain('PICK_TIME:10:30');
    expect(offered.length).toBeGreaterThan(0);
  });

  it('offers no times when Google cannot tell which are free', async () => {
    google.fail('freeBusy', { freeBusyError: 'backendError' }, 100);
    const carlos = customer(cita);
    await carlos.send('SELECT_SERVICE:corte');
    await carlos.send('PICK_DATE:2026-11-25');
    expect(google.requests.some((r) => r.route === 'freeBusy')).toBe(true);
    expect(timesOffered(carlos.options)).toEqual([]);
    expect(carlos.lastText).toContain(es.notes.availabilityUnknown);
  });

  it('does not book, and writes nothing, when Google keeps failing at the confirmation', async () => {
    const carlos = customer(cita);
    await carlos.send('SELECT_SERVICE:corte');
    await carlos.send('PICK_DATE:2026-11-25');
    await carlos.send('PICK_TIME:10:00');
    google.fail('insert', { status: 503 }, 1_000);
    await carlos.send('CONFIRM');

    expect(await stateOf(cita, carlos.phone)).not.toBe('booked');
    expect(carlos.lastText).toContain(es.notes.calendarUnavailable);
    expect(google.liveEvents()).toEqual([]);
    expect(await cita.history.list(carlos.phone)).toEqual([]);
  });

  it('writes one event when 100 customers try to book the same slot at the same moment', async () => {
    const customers = Array.from({ length: 100 }, (_, i) =>
      customer(cita, `346000${String(i).padStart(5, '0')}`, `C${i}`),
    );
    await Promise.all(
      customers.map(async (c) => {
        await c.send('SELECT_SERVICE:corte');
        await c.send('PICK_DATE:2026-11-25');
        await c.send('PICK_TIME:10:00');
        await c.send('CONFIRM');
      }),
    );
    const booked = await Promise.all(customers.map((c) => stateOf(cita, c.phone)));
    expect(booked.filter((state) => state === 'booked')).toHaveLength(1);
    expect(google.liveEvents()).toHaveLength(1);
    // 400 turns through the real Google client and the fake's HTTP: a few seconds alone, far more on a busy machine.
  }, 60_000);
});
