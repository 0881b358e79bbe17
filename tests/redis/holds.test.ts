import { describe, expect, it } from 'vitest';
import { RedisSlotHolds } from '../../adapters/redis/holds.ts';
import { SqliteSlotHolds } from '../../adapters/sqlite/holds.ts';
import type { HeldSlot, SlotHolds } from '../../src/engine/ports.ts';
import { memoryDatabase } from '../support/sqlite.ts';
import { implementations, type RedisRun, redisRuns, sleep } from './implementations.ts';

const runs = await redisRuns();

const MINUTE = 60_000;
const TTL = 5 * MINUTE;
const DAY = { start: '2026-11-25T00:00:00.000Z', end: '2026-11-26T00:00:00.000Z' };

/** A hold of `minutes` from `time` (UTC) on 25 November 2026. */
function hold(phone: string, time: string, minutes: number, token = `${phone}:${time}:${minutes}`): HeldSlot {
  const start = new Date(`2026-11-25T${time}:00.000Z`);
  return { phone, token, start: start.toISOString(), end: new Date(start.getTime() + minutes * MINUTE).toISOString() };
}

const CARLOS = '34600000001';
const ANA = '34600000002';

describe.each(
  implementations<SlotHolds>(
    () => new SqliteSlotHolds(memoryDatabase()),
    ({ connection, prefix }) => new RedisSlotHolds(connection(), { prefix: prefix() }),
    runs,
  ),
)('slot holds contract ($name)', ({ make }) => {
  it('holds a free interval and lists it as held by its phone', async () => {
    const holds = make();
    expect(await holds.acquire(hold(CARLOS, '10:00', 30), TTL)).toBe(true);
    expect(await holds.overlapping(DAY)).toEqual([hold(CARLOS, '10:00', 30)]);
  });

  it("refuses a 30-minute hold at 10:30 inside another phone's 60-minute hold at 10:00", async () => {
    const holds = make();
    expect(await holds.acquire(hold(CARLOS, '10:00', 60), TTL)).toBe(true);
    expect(await holds.acquire(hold(ANA, '10:30', 30), TTL)).toBe(false);
    expect(await holds.acquire(hold(ANA, '09:45', 30), TTL)).toBe(false);
    expect(await holds.overlapping(DAY)).toEqual([hold(CARLOS, '10:00', 60)]);
  });

  it("holds each barber's chair on its own: one time, two barbers, two customers", async () => {
    const holds = make();
    const javi = { ...hold(CARLOS, '10:00', 30), barberId: 'javi' };
    const lucia = { ...hold(ANA, '10:00', 30), barberId: 'lucia' };
    expect(await holds.acquire(javi, TTL)).toBe(true);
    expect(await holds.acquire(lucia, TTL)).toBe(true);
    expect(await holds.acquire({ ...hold(ANA, '10:15', 30, 'ana:javi'), barberId: 'javi' }, TTL)).toBe(false);
    // A phone's hold of another chair is not replaced: a customer may hold two chairs at once.
    expect(await holds.acquire({ ...hold(CARLOS, '10:00', 30, 'carlos:marcos'), barberId: 'marcos' }, TTL)).toBe(true);
    expect(await holds.overlapping(DAY)).toEqual(
      expect.arrayContaining([javi, lucia, { ...hold(CARLOS, '10:00', 30, 'carlos:marcos'), barberId: 'marcos' }]),
    );
    expect(await holds.overlapping(DAY)).toHaveLength(3);
    await holds.release(javi);
    expect(await holds.acquire({ ...hold(ANA, '10:15', 30, 'ana:javi'), barberId: 'javi' }, TTL)).toBe(true);
  });

  it('allows holds that only touch: 10:00–11:00 and 11:00–11:30', async () => {
    const holds = make();
    expect(await holds.acquire(hold(CARLOS, '10:00', 60), TTL)).toBe(true);
    expect(await holds.acquire(hold(ANA, '11:00', 30), TTL)).toBe(true);
    expect(await holds.acquire(hold(ANA, '09:30', 30), TTL)).toBe(true);
  });

  it('replaces the same phone’s overlapping hold, whole, and keeps its separate ones', async () => {
    const holds = make();
    await holds.acquire(hold(CARLOS, '10:00', 60), TTL);
    await holds.acquire(hold(CARLOS, '16:00', 30), TTL);
    expect(await holds.acquire(hold(CARLOS, '10:45', 30), TTL)).toBe(true);
    expect(await holds.overlapping(DAY)).toEqual(
      expect.arrayContaining([hold(CARLOS, '16:00', 30), hold(CARLOS, '10:45', 30)]),
    );
    expect(await holds.overlapping(DAY)).toHaveLength(2);
    // The whole 10:00 hold went, not just the part under the new one.
    expect(await holds.acquire(hold(ANA, '10:00', 30), TTL)).toBe(true);
  });

  it('does not replace a hold when the new one is refused', async () => {
    const holds = make();
    await holds.acquire(hold(CARLOS, '10:00', 30), TTL);
    await holds.acquire(hold(ANA, '11:00', 30), TTL);
    // Carlos's 10:15–11:15 would reach Ana's 11:00: refused, and his 10:00 hold stays.
    expect(await holds.acquire(hold(CARLOS, '10:15', 60), TTL)).toBe(false);
    expect(await holds.overlapping(DAY)).toEqual(
      expect.arrayContaining([hold(CARLOS, '10:00', 30), hold(ANA, '11:00', 30)]),
    );
  });

  it('lets the holder take its own hold again (to extend it while booking)', async () => {
    const holds = make();
    await holds.acquire(hold(CARLOS, '10:00', 30), TTL);
    expect(await holds.acquire(hold(CARLOS, '10:00', 30), TTL)).toBe(true);
    expect(await holds.overlapping(DAY)).toEqual([hold(CARLOS, '10:00', 30)]);
  });

  it('releases a hold only for the token that owns it', async () => {
    const holds = make();
    await holds.acquire(hold(CARLOS, '10:00', 30), TTL);
    await holds.release({ ...hold(CARLOS, '10:00', 30), token: 'someone-else' });
    expect(await holds.acquire(hold(ANA, '10:00', 30), TTL)).toBe(false);
    await holds.release(hold(CARLOS, '10:00', 30));
    expect(await holds.overlapping(DAY)).toEqual([]);
    expect(await holds.acquire(hold(ANA, '10:00', 30), TTL)).toBe(true);
  });

  it('does not let a replaced hold’s stale release free the hold that replaced it', async () => {
    const holds = make();
    const first = hold(CARLOS, '10:00', 30, 'first');
    const second = hold(CARLOS, '10:00', 30, 'second');
    await holds.acquire(first, TTL);
    await holds.acquire(second, TTL);
    await holds.release(first);
    expect(await holds.overlapping(DAY)).toEqual([second]);
    expect(await holds.acquire(hold(ANA, '10:00', 30), TTL)).toBe(false);
  });

  it('lets a hold expire on its own', async () => {
    const holds = make();
    await holds.acquire(hold(CARLOS, '10:00', 30), 100);
    expect(await holds.acquire(hold(ANA, '10:00', 30), TTL)).toBe(false);
    await sleep(200);
    expect(await holds.acquire(hold(ANA, '10:00', 30), TTL)).toBe(true);
    expect(await holds.overlapping(DAY)).toEqual([hold(ANA, '10:00', 30)]);
  });

  it('lists only the holds that overlap the window', async () => {
    const holds = make();
    await holds.acquire(hold(CARLOS, '10:00', 60), TTL);
    await holds.acquire(hold(ANA, '12:00', 30), TTL);
    expect(await holds.overlapping({ start: '2026-11-25T10:30:00.000Z', end: '2026-11-25T11:00:00.000Z' })).toEqual([
      hold(CARLOS, '10:00', 60),
    ]);
    expect(await holds.overlapping({ start: '2026-11-25T11:00:00.000Z', end: '2026-11-25T12:00:00.000Z' })).toEqual([]);
  });
});

describe.each(runs)('slot holds on $name', (run: RedisRun) => {
  const redis = () => run;

  it('never grants both a 60-minute hold at 10:00 and a 30-minute one at 10:30 raced from two processes', async () => {
    const prefix = redis().prefix();
    const [first, second] = [0, 1].map(() => new RedisSlotHolds(redis().redis.connect(), { prefix }));
    for (let round = 0; round < 200; round++) {
      const long = hold(CARLOS, '10:00', 60, `long-${round}`);
      const short = hold(ANA, '10:30', 30, `short-${round}`);
      const [a, b] = round % 2 ? [first!, second!] : [second!, first!];
      const granted = await Promise.all([a.acquire(long, TTL), b.acquire(short, TTL)]);
      expect(granted.filter(Boolean)).toHaveLength(1);
      await Promise.all([first!.release(long), first!.release(short)]);
    }
  });

  it('grants one slot to exactly one of 100 customers asking at once', async () => {
    const prefix = redis().prefix();
    const processes = Array.from({ length: 4 }, () => new RedisSlotHolds(redis().redis.connect(), { prefix }));
    const customers = Array.from({ length: 100 }, (_, i) => `346000${String(i).padStart(5, '0')}`);
    const granted = await Promise.all(
      customers.map((phone, i) => processes[i % 4]!.acquire(hold(phone, '17:00', 30 + (i % 3) * 15), TTL)),
    );
    expect(granted.filter(Boolean)).toHaveLength(1);
    expect(await processes[0]!.overlapping(DAY)).toHaveLength(1);
  });

  it('never lets randomised concurrent holds over a day overlap', async () => {
    const prefix = redis().prefix();
    const processes = Array.from({ length: 3 }, () => new RedisSlotHolds(redis().redis.connect(), { prefix }));
    const attempts = Array.from({ length: 300 }, (_, i) => {
      const minuteOfDay = 8 * 60 + 5 * Math.floor(Math.random() * 140);
      const time = `${String(Math.floor(minuteOfDay / 60)).padStart(2, '0')}:${String(minuteOfDay % 60).padStart(2, '0')}`;
      return hold(`346000${String(i).padStart(5, '0')}`, time, [15, 30, 45, 60][i % 4]!);
    });
    await Promise.all(attempts.map((h, i) => processes[i % 3]!.acquire(h, TTL)));
    const held = (await processes[0]!.overlapping(DAY)).sort((a, b) => a.start.localeCompare(b.start));
    expect(held.length).toBeGreaterThan(5);
    for (let i = 1; i < held.length; i++) expect(held[i]!.start >= held[i - 1]!.end).toBe(true);
  });
});
