import { describe, expect, it } from 'vitest';
import { RedisReminderSchedule } from '../../adapters/redis/reminders.ts';
import { SqliteReminderSchedule } from '../../adapters/sqlite/reminders.ts';
import type { Reminder, ReminderSchedule } from '../../src/engine/ports.ts';
import { memoryDatabase } from '../support/sqlite.ts';
import { implementations, type RedisRun, redisRuns } from './implementations.ts';

const runs = await redisRuns();

const reminder = (bookingId: string, minutesBefore: number, dueAt: string): Reminder => ({
  bookingId,
  phone: '34600000001',
  start: '2026-11-25T16:00:00.000Z',
  dueAt,
  minutesBefore,
});

describe.each(
  implementations<ReminderSchedule>(
    () => new SqliteReminderSchedule(memoryDatabase()),
    ({ connection, prefix, shards }) => new RedisReminderSchedule(connection(), { prefix: prefix(), shards }),
    runs,
  ),
)('reminder schedule contract ($name)', ({ make }) => {
  it('hands out only reminders that are due, soonest first, and each once', async () => {
    const schedule = make();
    await schedule.plan([
      reminder('abc01', 120, '2026-11-25T14:00:00.000Z'),
      reminder('abc01', 1440, '2026-11-24T16:00:00.000Z'),
      reminder('abc02', 1440, '2026-11-24T18:00:00.000Z'),
    ]);
    expect(await schedule.claimDue(new Date('2026-11-24T15:59:00Z'), 10)).toEqual([]);
    const claimed = await schedule.claimDue(new Date('2026-11-24T19:00:00Z'), 10);
    expect(claimed).toEqual([
      reminder('abc01', 1440, '2026-11-24T16:00:00.000Z'),
      reminder('abc02', 1440, '2026-11-24T18:00:00.000Z'),
    ]);
    expect(await schedule.claimDue(new Date('2026-11-24T19:00:00Z'), 10)).toEqual([]);
    for (const sent of claimed) await schedule.done(sent);
    expect(await schedule.claimDue(new Date('2026-11-25T15:00:00Z'), 10)).toEqual([
      reminder('abc01', 120, '2026-11-25T14:00:00.000Z'),
    ]);
  });

  it('hands a claimed reminder out again once its lease ends, when its taker never said it was done', async () => {
    const schedule = make();
    await schedule.plan([reminder('abc01', 120, '2026-11-24T10:00:00.000Z')]);
    expect(await schedule.claimDue(new Date('2026-11-24T10:00:00Z'), 10)).toHaveLength(1);
    // The taker crashed: nothing within the lease, the reminder again after it.
    expect(await schedule.claimDue(new Date('2026-11-24T10:04:00Z'), 10)).toEqual([]);
    const again = await schedule.claimDue(new Date('2026-11-24T10:05:00Z'), 10);
    expect(again).toEqual([reminder('abc01', 120, '2026-11-24T10:00:00.000Z')]);
    await schedule.done(again[0]!);
    expect(await schedule.claimDue(new Date('2026-11-25T00:00:00Z'), 10)).toEqual([]);
  });

  it("does not lose a moved appointment's new reminder when the old one, already claimed, is finished", async () => {
    const schedule = make();
    const old = reminder('abc01', 120, '2026-11-24T10:00:00.000Z');
    await schedule.plan([old]);
    expect(await schedule.claimDue(new Date('2026-11-24T10:00:00Z'), 10)).toEqual([old]);
    // The customer moves the appointment (same id) while the old reminder is being sent.
    const moved = { ...old, start: '2026-11-26T16:00:00.000Z', dueAt: '2026-11-26T14:00:00.000Z' };
    await schedule.cancelFor('abc01');
    await schedule.plan([moved]);
    await schedule.done(old);
    expect(await schedule.claimDue(new Date('2026-11-26T14:00:00Z'), 10)).toEqual([moved]);
  });

  it("keeps a confirmation's question and deadline apart from the reminder of the same lead time, and drops all with the appointment", async () => {
    const schedule = make();
    const plain = reminder('abc01', 1440, '2026-11-24T16:00:00.000Z');
    const ask: Reminder = { ...plain, kind: 'confirmAttendance' };
    const release: Reminder = { ...reminder('abc01', 180, '2026-11-25T13:00:00.000Z'), kind: 'releaseUnconfirmed' };
    await schedule.plan([plain, ask, release]);
    expect(await schedule.claimDue(new Date('2026-11-24T16:00:00Z'), 10)).toEqual(expect.arrayContaining([plain, ask]));
    await schedule.cancelFor('abc01');
    expect(await schedule.claimDue(new Date('2026-11-26T00:00:00Z'), 10)).toEqual([]);
  });

  it('respects the limit and leaves the rest for the next look', async () => {
    const schedule = make();
    await schedule.plan([1, 2, 3].map((n) => reminder(`abc0${n}`, 120, `2026-11-24T1${n}:00:00.000Z`)));
    expect(await schedule.claimDue(new Date('2026-11-25T00:00:00Z'), 2)).toHaveLength(2);
    expect(await schedule.claimDue(new Date('2026-11-25T00:00:00Z'), 2)).toHaveLength(1);
  });

  it('replaces a reminder planned again for the same appointment and lead time', async () => {
    const schedule = make();
    await schedule.plan([reminder('abc01', 120, '2026-11-24T10:00:00.000Z')]);
    await schedule.plan([reminder('abc01', 120, '2026-11-24T12:00:00.000Z')]);
    expect(await schedule.claimDue(new Date('2026-11-24T11:00:00Z'), 10)).toEqual([]);
    expect(await schedule.claimDue(new Date('2026-11-24T12:00:00Z'), 10)).toHaveLength(1);
  });

  it("forgets a cancelled appointment's reminders and keeps the others", async () => {
    const schedule = make();
    await schedule.plan([
      reminder('abc01', 120, '2026-11-24T10:00:00.000Z'),
      reminder('abc01', 1440, '2026-11-24T09:00:00.000Z'),
      reminder('abc02', 120, '2026-11-24T10:00:00.000Z'),
    ]);
    await schedule.cancelFor('abc01');
    expect(await schedule.claimDue(new Date('2026-11-25T00:00:00Z'), 10)).toEqual([
      reminder('abc02', 120, '2026-11-24T10:00:00.000Z'),
    ]);
  });
});

describe.each(runs)('reminder schedule on $name', (run: RedisRun) => {
  it('gives each reminder to exactly one of many processes claiming at once', async () => {
    const prefix = run.prefix();
    const processes = Array.from(
      { length: 4 },
      () => new RedisReminderSchedule(run.redis.connect(), { prefix, shards: run.shards }),
    );
    const planned = Array.from({ length: 60 }, (_, n) =>
      reminder(`abc${String(n).padStart(3, '0')}`, 120, '2026-11-24T10:00:00.000Z'),
    );
    await processes[0]!.plan(planned);
    const claims = await Promise.all(
      Array.from({ length: 20 }, (_, n) => processes[n % 4]!.claimDue(new Date('2026-11-24T10:00:00Z'), 7)),
    );
    const claimed = claims.flat().map((r) => r.bookingId);
    expect(claims.every((claim) => claim.length <= 7)).toBe(true);
    expect(claimed).toHaveLength(60);
    expect(new Set(claimed).size).toBe(60);
  });
});
