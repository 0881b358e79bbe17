import { afterEach, describe, expect, it } from 'vitest';
import type { ShopConfig } from '../../config/schema.ts';
import { customer, stateOf, teamShop, testCita } from '../support/cita.ts';
import { startFakeGoogleCalendar } from '../support/fake-google-calendar.ts';
import { googleCalendarFor } from './google.ts';

/**
 * The three-barber shop on Google Calendar, through the real adapter and the fake API with one
 * calendar per barber: Javi and Lucía have their own calendars, Marcos books into the shop's.
 */
const JAVI = 'javi@group.calendar.google.com';
const LUCIA = 'lucia@group.calendar.google.com';
const THURSDAY_FIVE = { start: '2026-11-26T16:00:00Z', end: '2026-11-26T16:30:00Z' };
const WINDOW = { start: '2026-11-26T00:00:00.000Z', end: '2026-11-27T00:00:00.000Z' };

const running: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.stop()));
});

function withCalendars(calendars: Record<string, string>): ShopConfig {
  return { ...teamShop, barbers: teamShop.barbers.map((b) => ({ ...b, calendarId: calendars[b.id] })) };
}

async function googleShop(calendars: Record<string, string>) {
  const shop = withCalendars(calendars);
  const google = await startFakeGoogleCalendar({ calendars: Object.values(calendars) });
  const calendar = googleCalendarFor(google, { barbers: shop.barbers });
  const cita = testCita({ shop, adapters: { calendar } });
  running.push(cita, { stop: () => google.close() });
  return { google, calendar, cita };
}

const privateOf = (event: Record<string, unknown>) =>
  (event.extendedProperties as { private: Record<string, string> }).private;

describe('barbers on Google Calendar', () => {
  it("asks free/busy of every barber's own calendar and the shop's in one call", async () => {
    const { google, calendar } = await googleShop({
      javi: JAVI,
      lucia: LUCIA,
      marcos: 'marcos@group.calendar.google.com',
    });
    await calendar.busy(WINDOW);
    // The fake logs a free/busy call once per calendar it names: one body means one call.
    const calls = google.requests.filter((r) => r.route === 'freeBusy' || r.route === 'list');
    expect(calls.every((c) => c.route === 'freeBusy' && c.body === calls[0].body)).toBe(true);
    expect((calls[0].body as { items: { id: string }[] }).items.map((i) => i.id)).toEqual([
      google.calendarId,
      JAVI,
      LUCIA,
      'marcos@group.calendar.google.com',
    ]);
  });

  it("blocks only Javi with an event in Javi's own calendar; anyone gets another barber", async () => {
    const { google, cita } = await googleShop({ javi: JAVI, lucia: LUCIA });
    google.barber.add({ ...THURSDAY_FIVE, summary: 'Dentista' }, JAVI);
    const carlos = customer(cita, '34600000001');
    await carlos.say('corte con Javi el jueves a las 5');
    expect(await stateOf(cita, carlos.phone)).toBe('choosingSlot');
    expect(carlos.lastText).toContain('Javi no tiene hueco a las 17:00.');
    await carlos.say('con cualquiera');
    expect(await stateOf(cita, carlos.phone)).toBe('confirming');
    expect(carlos.lastText).toContain('Corte de pelo con Lucía el jueves 26 de noviembre a las 17:00');
    await carlos.say('sí');
    expect(google.liveEvents(LUCIA)).toEqual([
      expect.objectContaining({
        summary: 'Corte de pelo – “Carlos” (Lucía)',
        extendedProperties: { private: expect.objectContaining({ barberId: 'lucia', phone: carlos.phone }) },
      }),
    ]);
    expect(google.liveEvents(google.calendarId)).toEqual([]);
  });

  it('writes the booking of a barber without a calendar to the shop calendar, marked with the barber, blocking only them', async () => {
    const { google, cita } = await googleShop({ javi: JAVI, lucia: LUCIA });
    const first = customer(cita, '34600000001');
    await first.say('corte con Marcos el jueves a las 5');
    await first.say('sí');
    const [event] = google.liveEvents(google.calendarId);
    expect(privateOf(event)).toMatchObject({ barberId: 'marcos' });
    expect(event.summary).toBe('Corte de pelo – “Carlos” (Marcos)');

    // Marcos is taken at 17:00; Javi, whose calendar is elsewhere, is not.
    const second = customer(cita, '34600000002');
    await second.say('corte con Marcos el jueves a las 5');
    expect(second.lastText).toContain('Marcos no tiene hueco a las 17:00. A las 17:00 está libre Javi y Lucía');
  });

  it("blocks every chair with the shop owner's own event in the shared shop calendar", async () => {
    const { google, cita } = await googleShop({ javi: JAVI, lucia: LUCIA });
    google.barber.add({ start: '2026-11-26T15:00:00Z', end: '2026-11-26T19:00:00Z', summary: 'Cerrado: obras' });
    const carlos = customer(cita);
    await carlos.say('corte el jueves a las 5');
    await carlos.say('me da igual');
    expect(await stateOf(cita, carlos.phone)).toBe('choosingSlot');
    expect(carlos.lastText).toContain('A las 17:00 no hay hueco.');
  });

  it("moves an appointment to another barber's calendar, keeping its id, and cancels it there", async () => {
    const { google, cita } = await googleShop({ javi: JAVI, lucia: LUCIA });
    const carlos = customer(cita);
    await carlos.say('corte con Javi el jueves a las 5');
    await carlos.say('sí');
    const [booked] = google.liveEvents(JAVI);
    await carlos.say('cambiar mi cita');
    await carlos.say('con Lucía el viernes a las 6');
    expect(carlos.lastText).toContain('Corte de pelo con Lucía el viernes 27 de noviembre a las 18:00');
    await carlos.say('sí');
    expect(google.liveEvents(JAVI)).toEqual([]);
    expect(google.liveEvents(LUCIA)).toEqual([
      expect.objectContaining({
        id: booked.id,
        start: expect.objectContaining({ dateTime: '2026-11-27T18:00:00+01:00' }),
      }),
    ]);
    expect(google.requests.filter((r) => r.route === 'move')).toHaveLength(1);

    await carlos.say('anular mi cita');
    await carlos.say('sí');
    expect(carlos.lastText).toContain('Cita anulada: Corte de pelo con Lucía');
    expect(google.liveEvents(LUCIA)).toEqual([]);
  });
});
