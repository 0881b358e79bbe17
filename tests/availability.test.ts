import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { addDays, type ShopConfig, shopToday } from '../config/schema.ts';
import { bookableDays } from '../src/availability/days.ts';
import { isIsoInstant, isoDateAndTime, isoInstant, localIso, utcOffsetMinutes } from '../src/availability/instants.ts';
import { type DaySearch, dayAvailability, isWithinBookingWindow, searchWindow } from '../src/availability/slots.ts';
import { localDate, localTime } from '../src/messages/format.ts';
import { shop } from './support/cita.ts';

// Tuesday 24 November 2026, 10:00 in Madrid (UTC+1).
const NOW = new Date('2026-11-24T09:00:00Z');

function search(overrides: Partial<DaySearch> = {}): DaySearch {
  return {
    rules: shop,
    date: '2026-11-25',
    durationMinutes: 30,
    busy: [],
    holds: [],
    phone: '34600000001',
    now: NOW,
    ...overrides,
  };
}

const times = (s: DaySearch) => dayAvailability(s).slots.map((slot) => slot.time);

describe('free slots of a day', () => {
  it('offers 19:30 but not 19:45 for a 30-minute cut when the shop closes at 20:00', () => {
    const offered = times(search());
    expect(offered).toContain('19:30');
    expect(offered).not.toContain('19:45');
    expect(offered.at(-1)).toBe('19:30');
  });

  it('keeps the whole service out of the lunch break: 13:30 is the last morning start for 30 minutes', () => {
    const offered = times(search());
    expect(offered).toContain('13:30');
    expect(offered).not.toContain('13:45');
    expect(offered).not.toContain('14:00');
    expect(offered).toContain('16:00');
    // A 50-minute cut and beard must end by 14:00.
    const long = times(search({ durationMinutes: 50 }));
    expect(long).toContain('13:00');
    expect(long).not.toContain('13:15');
  });

  it('steps every 15 minutes from opening', () => {
    expect(times(search()).slice(0, 4)).toEqual(['10:00', '10:15', '10:30', '10:45']);
  });

  it('starts the next slot 10 minutes after a 10:00–10:30 booking, because of the buffer', () => {
    const busy = [{ start: '2026-11-25T09:00:00.000Z', end: '2026-11-25T09:30:00.000Z' }];
    const offered = times(search({ busy }));
    expect(offered[0]).toBe('10:40');
    // The earliest start is offered, and the round times of the grid stay.
    expect(offered.slice(0, 4)).toEqual(['10:40', '10:45', '11:00', '11:15']);
  });

  it('leaves the buffer before a booking too: a 30-minute cut must end 10 minutes before 12:00', () => {
    const busy = [{ start: '2026-11-25T11:00:00.000Z', end: '2026-11-25T11:30:00.000Z' }];
    const offered = times(search({ busy }));
    expect(offered).toContain('11:15');
    expect(offered).not.toContain('11:30');
    expect(offered).not.toContain('12:00');
  });

  it("hides another customer's hold but shows the customer their own", () => {
    const hold = { start: '2026-11-25T09:00:00.000Z', end: '2026-11-25T09:30:00.000Z', phone: '34600000002' };
    expect(times(search({ holds: [hold] }))).not.toContain('10:00');
    expect(times(search({ holds: [{ ...hold, phone: '34600000001' }] }))).toContain('10:00');
  });

  it('says a closed day is closed and offers nothing', () => {
    expect(dayAvailability(search({ date: '2026-11-30' }))).toEqual({ slots: [], reason: 'closed' });
    const holiday = { ...shop, dateOverrides: [{ date: '2026-12-01', hours: [] }] };
    expect(dayAvailability(search({ rules: holiday, date: '2026-12-01' }))).toEqual({ slots: [], reason: 'closed' });
  });

  it('uses the special hours of a date override', () => {
    const offered = times(search({ date: '2026-12-24' }));
    expect(offered[0]).toBe('09:00');
    expect(offered.at(-1)).toBe('12:30');
  });

  it('says a past day has passed and a day beyond the window is too far', () => {
    expect(dayAvailability(search({ date: '2026-11-23' })).reason).toBe('past');
    // 30 days ahead of 24 November is 24 December.
    expect(dayAvailability(search({ date: '2026-12-24' })).reason).toBeUndefined();
    expect(dayAvailability(search({ date: '2026-12-26' })).reason).toBe('beyondWindow');
  });

  it('says a day with every slot taken is full', () => {
    const busy = [{ start: '2026-11-25T00:00:00.000Z', end: '2026-11-26T00:00:00.000Z' }];
    expect(dayAvailability(search({ busy }))).toEqual({ slots: [], reason: 'full' });
  });

  it('counts the minimum notice from the injected clock', () => {
    // 10:07 in Madrid with one hour of notice: 11:07 is the earliest, so 11:15 is the first slot.
    const offered = times(search({ date: '2026-11-24', now: new Date('2026-11-24T09:07:00Z') }));
    expect(offered[0]).toBe('11:15');
  });

  it('gives start and end as UTC instants of the shop-local time', () => {
    expect(dayAvailability(search()).slots[0]).toEqual({
      date: '2026-11-25',
      time: '10:00',
      start: '2026-11-25T09:00:00.000Z',
      end: '2026-11-25T09:30:00.000Z',
    });
  });
});

describe('daylight saving time in Europe/Madrid', () => {
  /** A shop open through the night, so the hour that DST skips or repeats falls inside opening hours. */
  const nightShop: ShopConfig = {
    ...shop,
    openingHours: Object.fromEntries(
      Object.keys(shop.openingHours).map((day) => [day, [{ from: '00:00', to: '06:00' }]]),
    ) as ShopConfig['openingHours'],
    dateOverrides: [],
  };
  const night = (date: string) =>
    dayAvailability(search({ rules: nightShop, date, durationMinutes: 15, now: new Date('2025-03-01T00:00:00Z') }));

  it('on 2025-03-30 (clocks go forward) offers 02:00–02:45 nowhere and maps 03:00 to 01:00 UTC', () => {
    const { slots } = night('2025-03-30');
    const labels = slots.map((slot) => slot.time);
    expect(labels).not.toContain('02:00');
    expect(labels).toContain('01:45');
    expect(slots.find((slot) => slot.time === '01:45')?.start).toBe('2025-03-30T00:45:00.000Z');
    expect(slots.find((slot) => slot.time === '03:00')?.start).toBe('2025-03-30T01:00:00.000Z');
    // Five real hours open: 20 slots, none missing, none doubled.
    expect(slots).toHaveLength(20);
    expect(new Set(labels).size).toBe(labels.length);
  });

  it('on 2025-10-26 (clocks go back) offers each wall-clock time once', () => {
    const now = new Date('2025-10-01T00:00:00Z');
    const { slots } = dayAvailability(search({ rules: nightShop, date: '2025-10-26', durationMinutes: 15, now }));
    const labels = slots.map((slot) => slot.time);
    expect(new Set(labels).size).toBe(labels.length);
    expect(labels).toHaveLength(24);
    expect(slots.find((slot) => slot.time === '00:00')?.start).toBe('2025-10-25T22:00:00.000Z');
    expect(slots.find((slot) => slot.time === '05:45')?.start).toBe('2025-10-26T04:45:00.000Z');
    // 02:30 is offered once, at its first occurrence (still summer time, UTC+2).
    expect(slots.find((slot) => slot.time === '02:30')?.start).toBe('2025-10-26T00:30:00.000Z');
  });

  it('keeps ordinary opening hours right on both DST days', () => {
    const spring = dayAvailability(search({ date: '2025-03-29', now: new Date('2025-03-20T00:00:00Z') })).slots;
    expect(spring[0]).toMatchObject({ time: '09:00', start: '2025-03-29T08:00:00.000Z' });
    const summer = dayAvailability(search({ date: '2025-04-01', now: new Date('2025-03-20T00:00:00Z') })).slots;
    expect(summer[0]).toMatchObject({ time: '10:00', start: '2025-04-01T08:00:00.000Z' });
    const autumn = dayAvailability(search({ date: '2025-10-28', now: new Date('2025-10-20T00:00:00Z') })).slots;
    expect(autumn[0]).toMatchObject({ time: '10:00', start: '2025-10-28T09:00:00.000Z' });
  });

  it('covers a DST day with a 23-hour search window', () => {
    expect(searchWindow('Europe/Madrid', ['2025-03-30'])).toEqual({
      start: '2025-03-29T23:00:00.000Z',
      end: '2025-03-30T22:00:00.000Z',
    });
  });
});

describe('the booking window at confirmation', () => {
  it('refuses a slot that fell inside the minimum notice while the customer was deciding', () => {
    expect(isWithinBookingWindow(shop, '2026-11-24T11:00:00.000Z', new Date('2026-11-24T09:30:00Z'))).toBe(true);
    expect(isWithinBookingWindow(shop, '2026-11-24T11:00:00.000Z', new Date('2026-11-24T10:30:00Z'))).toBe(false);
  });

  it('refuses a slot beyond the days-ahead window', () => {
    expect(isWithinBookingWindow(shop, '2027-01-20T10:00:00.000Z', NOW)).toBe(false);
  });
});

describe('days offered to choose from', () => {
  it('lists open days only, starting today while a service still fits', () => {
    expect(bookableDays(shop, NOW, 5)).toEqual(['2026-11-24', '2026-11-25', '2026-11-26', '2026-11-27', '2026-11-28']);
  });

  it('drops today once the last service no longer fits after the notice', () => {
    // 19:30 in Madrid: 20:30 is past closing.
    expect(bookableDays(shop, new Date('2026-11-24T18:30:00Z'), 2)).toEqual(['2026-11-25', '2026-11-26']);
  });

  it('stops at the end of the booking window', () => {
    const days = bookableDays(shop, NOW, 100);
    expect(days.at(-1)).toBe('2026-12-24');
    expect(days).not.toContain('2026-12-25');
  });
});

describe('the shop’s day and calendar arithmetic', () => {
  it('turns the day at the shop’s midnight, asked in any order (the day is remembered, never stale)', () => {
    const madrid = { timezone: 'Europe/Madrid' };
    const asked = [
      ['2026-11-24T22:59:59.999Z', '2026-11-24'],
      ['2026-11-24T23:00:00.000Z', '2026-11-25'],
      ['2026-11-24T10:00:00.000Z', '2026-11-24'],
      ['2027-03-27T23:30:00.000Z', '2027-03-28'],
      ['2027-03-28T22:00:00.000Z', '2027-03-29'],
      ['2027-03-28T21:59:00.000Z', '2027-03-28'],
    ] as const;
    for (const [instant, day] of asked) expect(shopToday(madrid, new Date(instant))).toBe(day);
    expect(shopToday({ timezone: 'America/New_York' }, new Date('2026-11-25T03:00:00Z'))).toBe('2026-11-24');
  });

  it('adds days across months, years and leap days', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2027-03-01', -1)).toBe('2027-02-28');
    expect(addDays('2026-11-24', 30)).toBe('2026-12-24');
  });
});

describe('instants written for slots', () => {
  it('are exactly what toISOString writes, on whole minutes and off them, in any year', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer({ min: 0, max: 5_000_000 }).map((minute) => Date.UTC(2020, 0, 1) + minute * 60_000),
          fc.integer({ min: -8.64e15, max: 8.64e15 }),
          fc.integer({ min: -1e8, max: 1e8 }).map((minute) => minute * 60_000),
        ),
        (millis) => {
          expect(isoInstant(millis)).toBe(new Date(millis).toISOString());
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it("give a slot's date and time as isoInstant's text has them", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer({ min: 0, max: 5_000_000 }).map((minute) => Date.UTC(2020, 0, 1) + minute * 60_000),
          fc.integer({ min: -8.64e15, max: 8.64e15 }),
        ),
        (millis) => {
          const iso = isoInstant(millis);
          expect(isoDateAndTime(millis)).toEqual({ date: iso.slice(0, 10), time: iso.slice(11, 16) });
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('are recognised in place exactly when they are what isoInstant writes', () => {
    const instants = fc.oneof(
      fc.integer({ min: 0, max: 5_000_000 }).map((minute) => Date.UTC(2020, 0, 1) + minute * 60_000),
      // Inside Date's range with room for the other minutes below.
      fc.integer({ min: -8.6e15, max: 8.6e15 }),
    );
    const texts = (millis: number) =>
      fc.oneof(
        fc.constant(isoInstant(millis)),
        // Another minute, day or year; cut short, lengthened, or one character changed.
        fc.integer({ min: -600_000, max: 600_000 }).map((minutes) => isoInstant(millis + minutes * 60_000)),
        fc.constant(isoInstant(millis).slice(0, -1)),
        fc.constant(`${isoInstant(millis)}Z`),
        fc
          .tuple(fc.nat(30), fc.constantFrom('0', '9', 'Z', 'T', ':', '.', '-'))
          .map(([at, char]) => isoInstant(millis).slice(0, at) + char + isoInstant(millis).slice(at + 1)),
      );
    fc.assert(
      fc.property(
        instants.chain((millis) => fc.tuple(fc.constant(millis), texts(millis))),
        ([millis, text]) => {
          expect(isIsoInstant(text, millis)).toBe(text === isoInstant(millis));
        },
      ),
      { numRuns: 5_000 },
    );
  });
});

describe('shop-local times of instants', () => {
  // Whole-hour, half-hour and 45-minute offsets (St John's, Chatham); DST of an hour and of half an hour (Lord Howe),
  // Casablanca's for Ramadan, south and north; all with changes of offset from 2024 to 2028.
  const zones = [
    'Europe/Madrid',
    'America/New_York',
    'Australia/Lord_Howe',
    'America/St_Johns',
    'Pacific/Chatham',
    'Africa/Casablanca',
    'America/Santiago',
  ];
  /** The UTC hours in which a zone's offset changes, 2024 to 2027: days with a change, then their hours. */
  const changes = (zone: string) => {
    const offset = (millis: number) => DateTime.fromMillis(millis, { zone }).offset;
    const found: number[] = [];
    for (let day = Date.UTC(2024, 0, 1); day < Date.UTC(2028, 0, 1); day += 86_400_000) {
      if (offset(day) === offset(day + 86_400_000)) continue;
      for (let hour = day; hour < day + 86_400_000; hour += 3_600_000) {
        if (offset(hour - 1) !== offset(hour + 3_600_000 - 1)) found.push(hour);
      }
    }
    return found;
  };
  const zoneAndInstant = fc
    .constantFrom(...zones.map((zone) => ({ zone, changes: changes(zone) })))
    .chain(({ zone, changes }) =>
      fc.tuple(
        fc.constant(zone),
        fc.oneof(
          // Within a few hours of a change of offset, off the minute and minute by minute.
          fc
            .tuple(fc.constantFrom(...changes), fc.integer({ min: -3 * 3_600_000, max: 4 * 3_600_000 }))
            .map(([hour, by]) => hour + by),
          fc
            .tuple(fc.constantFrom(...changes), fc.integer({ min: -180, max: 240 }))
            .map(([hour, minutes]) => hour + minutes * 60_000),
          fc.integer({ min: Date.UTC(1970, 0, 1), max: Date.UTC(2100, 0, 1) }),
        ),
      ),
    );

  it("are Luxon's: the offset, and the local date and time of an instant written as text", () => {
    fc.assert(
      fc.property(zoneAndInstant, fc.boolean(), ([zone, millis], withOffset) => {
        // Asked twice: once filling the zone's hour, once from it.
        for (let i = 0; i < 2; i++) {
          expect(utcOffsetMinutes(zone, millis)).toBe(DateTime.fromMillis(millis, { zone }).offset);
        }
        const text = withOffset
          ? DateTime.fromMillis(millis, { zone: 'Asia/Kolkata' }).toISO()!
          : new Date(millis).toISOString();
        expect(localTime(text, zone)).toBe(DateTime.fromISO(text, { zone }).toFormat('HH:mm'));
        expect(localDate(text, zone)).toBe(DateTime.fromISO(text, { zone }).toISODate());
      }),
      { numRuns: 3_000 },
    );
  });

  it('leaves what is not an instant of the calendar to Luxon', () => {
    for (const text of ['2026-02-30T10:00:00Z', '2026-11-25T10:00:00', '2026-11-25', 'mañana', '2026-13-01T10:00Z']) {
      expect(localIso(text, 'Europe/Madrid')).toBeUndefined();
      expect(localTime(text, 'Europe/Madrid')).toBe(
        DateTime.fromISO(text, { zone: 'Europe/Madrid' }).toFormat('HH:mm'),
      );
    }
    expect(localTime('2028-02-29T23:30:00Z', 'Europe/Madrid')).toBe('00:30');
    expect(localDate('2028-02-29T23:30:00Z', 'Europe/Madrid')).toBe('2028-03-01');
  });
});
