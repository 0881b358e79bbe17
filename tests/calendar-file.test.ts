import { join } from 'node:path';
import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { atLocation } from '../config/schema.ts';
import { calendarDocument, calendarFile } from '../src/messages/calendar-file.ts';
import { readShopFile } from '../src/shops/shop-file.ts';
import { shop, teamShop } from './support/cita.ts';

/**
 * The file a customer adds to their own calendar, read back by an independent parser (Mozilla's
 * ical.js, Thunderbird's) rather than by the library that wrote it.
 */

const BOOKING = {
  id: 'a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6',
  serviceId: 'corte',
  start: '2026-11-26T17:00:00.000Z',
  end: '2026-11-26T17:30:00.000Z',
  sequence: 0,
};
const STAMP = new Date('2026-11-24T09:00:00Z');

function parse(text: string) {
  const calendar = new ICAL.Component(ICAL.parse(text));
  const events = calendar.getAllSubcomponents('vevent');
  return { calendar, events, event: events[0]! };
}

describe('the calendar file', () => {
  it('is a VCALENDAR to publish with one VEVENT: UID, SEQUENCE, DTSTAMP, UTC times, service and shop, address', () => {
    const { calendar, event } = parse(calendarFile([BOOKING], shop, 'es', STAMP));
    expect(calendar.name).toBe('vcalendar');
    expect(calendar.getFirstPropertyValue('version')).toBe('2.0');
    expect(calendar.getFirstPropertyValue('method')).toBe('PUBLISH');
    expect(String(calendar.getFirstPropertyValue('prodid'))).toContain('cita');
    expect(event.getFirstPropertyValue('uid')).toBe(`${BOOKING.id}@cita.invalid`);
    expect(event.getFirstPropertyValue('sequence')).toBe(0);
    expect(event.getFirstPropertyValue('status')).toBe('CONFIRMED');
    const time = (name: string) => event.getFirstPropertyValue(name) as ICAL.Time;
    expect(time('dtstamp').toJSDate().toISOString()).toBe(STAMP.toISOString());
    expect(time('dtstart').toJSDate().toISOString()).toBe(BOOKING.start);
    expect(time('dtend').toJSDate().toISOString()).toBe(BOOKING.end);
    // UTC: no floating time a calendar would read in its own zone, and so no VTIMEZONE needed.
    expect(time('dtstart').zone?.tzid).toBe('UTC');
    expect(event.getFirstPropertyValue('summary')).toBe('Corte de pelo – Barbería El Bigote');
    expect(event.getFirstPropertyValue('location')).toBe(shop.address);
    expect(event.getFirstPropertyValue('description')).toContain(shop.phone);
  });

  it('names the barber, speaks the language asked, and counts the moves in SEQUENCE', () => {
    const { event } = parse(calendarFile([{ ...BOOKING, barberId: 'javi', sequence: 3 }], teamShop, 'en', STAMP));
    expect(event.getFirstPropertyValue('summary')).toBe(`Haircut with Javi – ${teamShop.name}`);
    expect(event.getFirstPropertyValue('sequence')).toBe(3);
    expect(event.getFirstPropertyValue('description')).toContain('my appointments');
  });

  it('puts a group in one file, one event each, each with its own UID', () => {
    const other = { ...BOOKING, id: 'q1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6', serviceId: 'barba' };
    const { events } = parse(calendarFile([BOOKING, other], shop, 'es', STAMP));
    expect(events.map((e) => e.getFirstPropertyValue('uid'))).toEqual([
      `${BOOKING.id}@cita.invalid`,
      `${other.id}@cita.invalid`,
    ]);
  });

  it('ends every line with CRLF, folds at 75 octets without splitting a character, and escapes text', () => {
    const awkward = {
      ...shop,
      name: 'Peluquería Señor Ñandú; cortes, barbas y más — desde 1987 en el barrio de Chamberí',
      address: 'Calle de Fuencarral, 45; 2º izquierda\\portal B, 28004 Madrid (entrada por la calle de atrás)',
    };
    const text = calendarFile([BOOKING], awkward, 'es', STAMP);
    expect(text.endsWith('END:VCALENDAR\r\n')).toBe(true);
    const lines = text.slice(0, -2).split('\r\n');
    expect(lines.every((line) => !line.includes('\n') && !line.includes('\r'))).toBe(true);
    for (const line of lines) expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(75);
    expect(lines.some((line) => line.startsWith(' '))).toBe(true);
    expect(text).toContain('\\;');
    expect(text).toContain('\\,');
    // Unfolded and unescaped, the text is what it was.
    const { event } = parse(text);
    expect(event.getFirstPropertyValue('location')).toBe(awkward.address);
    expect(event.getFirstPropertyValue('summary')).toBe(`Corte de pelo – ${awkward.name}`);
  });

  it('goes out as a document named .ics after the day, with its caption', () => {
    const document = calendarDocument([BOOKING], shop, 'es', STAMP);
    expect(document).toMatchObject({
      kind: 'document',
      filename: 'cita-2026-11-26.ics',
      mimeType: 'text/calendar',
      caption: 'Añadir a mi calendario',
    });
    expect(document.kind === 'document' && parse(document.content).event.getFirstPropertyValue('sequence')).toBe(0);
  });

  it("gives a chain's appointment its location's address and phone, whichever of the chain's views makes it", () => {
    // The example chain's own address is Gràcia's; Javi works at Eixample.
    const chain = readShopFile(join(import.meta.dirname, '../examples/shops/la-navaja.json')).config;
    for (const shown of [chain, atLocation(chain, 'gracia'), atLocation(chain, 'eixample')]) {
      const { event } = parse(calendarFile([{ ...BOOKING, barberId: 'javi' }], shown, 'es', STAMP));
      expect(event.getFirstPropertyValue('location')).toBe("Carrer d'Enric Granados 40, 08008 Barcelona");
      expect(event.getFirstPropertyValue('description')).toContain('+34 930 000 001');
      expect(event.getFirstPropertyValue('summary')).toBe('Corte de pelo con Javi – La Navaja');
    }
  });
});
