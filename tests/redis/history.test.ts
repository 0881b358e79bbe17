import { describe, expect, it } from 'vitest';
import { HISTORY_TTL_MS, RedisBookingHistory } from '../../adapters/redis/history.ts';
import { redisKeys } from '../../adapters/redis/keys.ts';
import { SqliteBookingHistory } from '../../adapters/sqlite/history.ts';
import type { BookingHistory, HistoryEntry } from '../../src/engine/ports.ts';
import { noShowsWithin } from '../../src/no-shows/policy.ts';
import { memoryDatabase } from '../support/sqlite.ts';
import { implementations, redisRun } from './implementations.ts';

const run = await redisRun();

const entry = (bookingId: string, status: HistoryEntry['status'] = 'booked'): HistoryEntry => ({
  bookingId,
  serviceId: 'corte',
  start: '2026-11-25T09:00:00.000Z',
  end: '2026-11-25T09:30:00.000Z',
  status,
  at: '2026-11-24T09:00:00.000Z',
});

describe.each(
  implementations<BookingHistory>(
    () => new SqliteBookingHistory(memoryDatabase()),
    ({ connection, prefix }) => new RedisBookingHistory(connection(), { prefix: prefix() }),
    run,
  ),
)('booking history contract ($name)', ({ make }) => {
  it('is empty for a phone that never booked', async () => {
    expect(await make().list('34600000001')).toEqual([]);
  });

  it("lists a phone's bookings and cancellations in the order they happened, apart from other phones", async () => {
    const history = make();
    await history.record('34600000001', entry('aaaaa1'));
    await history.record('34600000002', entry('bbbbb1'));
    await history.record('34600000001', entry('aaaaa1', 'cancelled'));
    expect(await history.list('34600000001')).toEqual([entry('aaaaa1'), entry('aaaaa1', 'cancelled')]);
    expect(await history.list('34600000002')).toEqual([entry('bbbbb1')]);
  });

  it('keeps no-shows and confirmations asked for, which the no-show limit counts from the list', async () => {
    const history = make();
    await history.record('34600000001', entry('aaaaa1'));
    await history.record('34600000001', entry('aaaaa1', 'noShow'));
    await history.record('34600000001', entry('aaaaa2', 'attendanceAsked'));
    await history.record('34600000001', { ...entry('aaaaa3', 'noShow'), start: '2026-01-05T09:00:00.000Z' });
    const listed = await history.list('34600000001');
    expect(listed.map((e) => e.status)).toEqual(['booked', 'noShow', 'attendanceAsked', 'noShow']);
    // One inside 60 days of 26 Nov, one long before.
    expect(noShowsWithin(listed, new Date('2026-11-26T00:00:00Z'), 60)).toBe(1);
    expect(noShowsWithin(listed, new Date('2026-11-26T00:00:00Z'), 365)).toBe(2);
  });
});

describe.skipIf(!run)('booking history on Redis', () => {
  it("keeps a phone's history for a year after its latest booking", async () => {
    const prefix = run!.prefix();
    await new RedisBookingHistory(run!.connection(), { prefix }).record('34600000001', entry('aaaaa1'));
    const ttl = await run!.connection().pttl(redisKeys(prefix, 1, 'default').phone('34600000001', 'history'));
    expect(ttl).toBeGreaterThan(HISTORY_TTL_MS - 60_000);
    expect(ttl).toBeGreaterThan(364 * 24 * 60 * 60_000);
  });
});
