import { describe, expect, it } from 'vitest';
import { RedisCalendar } from '../../adapters/redis/calendar.ts';
import { appointment, calendarContract } from '../google-calendar/calendar-contract.ts';
import { redisRun } from './implementations.ts';

const run = await redisRun();

// The embedded calendar runs the same contract in tests/google-calendar/calendar.test.ts.
if (run)
  calendarContract('RedisCalendar', async () => ({
    calendar: new RedisCalendar(run.connection(), { prefix: run.prefix() }),
  }));

describe.skipIf(!run)('calendar on Redis', () => {
  it('shows a booking made by one process to every other process', async () => {
    const prefix = run!.prefix();
    const [one, two] = [0, 1].map(() => new RedisCalendar(run!.redis.connect(), { prefix }));
    await one!.create(appointment({ n: 1 }));
    expect(await two!.busy({ start: '2026-11-25T09:15:00.000Z', end: '2026-11-25T09:45:00.000Z' })).toHaveLength(1);
    expect(await two!.get('booking0001')).toEqual(appointment({ n: 1 }));
  });

  it('moves an appointment to another time in one write, and says so when there is none to move', async () => {
    const calendar = new RedisCalendar(run!.connection(), { prefix: run!.prefix() });
    await calendar.create(appointment({ n: 1 }));
    const moved = appointment({ n: 1, start: '2026-11-25T16:00:00.000Z', end: '2026-11-25T16:30:00.000Z' });
    expect(await calendar.reschedule(moved)).toEqual(moved);
    expect(await calendar.busy({ start: '2026-11-25T00:00:00.000Z', end: '2026-11-26T00:00:00.000Z' })).toEqual([
      { start: moved.start, end: moved.end },
    ]);
    expect(await calendar.upcomingFor(moved.phone, new Date(0))).toEqual([moved]);
    await expect(calendar.reschedule(appointment({ n: 2 }))).rejects.toThrow('no appointment');
  });
});
