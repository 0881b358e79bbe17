import { describe, expect, it } from 'vitest';
import { RedisRateLimiter } from '../../adapters/redis/rate-limiter.ts';
import { SqliteRateLimiter } from '../../adapters/sqlite/rate-limiter.ts';
import type { RateLimiter, RateVerdict } from '../../src/engine/ports.ts';
import type { RateLimitOptions } from '../../src/engine/rate-limit.ts';
import { memoryDatabase } from '../support/sqlite.ts';
import { implementations, redisRun } from './implementations.ts';

const run = await redisRun();

/** A clock the test moves by hand, in milliseconds. */
function manualTime(start = Date.parse('2026-11-24T09:00:00Z')) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

async function burst(limiter: RateLimiter, phone: string, count: number, from = 0): Promise<RateVerdict[]> {
  const verdicts: RateVerdict[] = [];
  for (let i = from; i < from + count; i++) verdicts.push(await limiter.check({ id: `wamid.${phone}.${i}`, phone }));
  return verdicts;
}

describe.each(
  implementations<(options: RateLimitOptions) => RateLimiter>(
    () => {
      const database = memoryDatabase();
      return (options) => new SqliteRateLimiter(database, options);
    },
    ({ connection, prefix }) => {
      const shared = prefix();
      return (options) => new RedisRateLimiter(connection(), { ...options, prefix: shared });
    },
    run,
  ),
)('rate limiter contract ($name)', ({ make }) => {
  it('allows 20 messages in 10 s, answers the 21st with "slow down" and drops the rest', async () => {
    const time = manualTime();
    const limiter = make()({ now: time.now });
    const verdicts = await burst(limiter, '34600000001', 25);
    expect(verdicts.slice(0, 20)).toEqual(Array(20).fill('allowed'));
    expect(verdicts.slice(20)).toEqual(['slowDown', 'dropped', 'dropped', 'dropped', 'dropped']);
  });

  it('allows messages again once the window has passed', async () => {
    const time = manualTime();
    const limiter = make()({ now: time.now });
    await burst(limiter, '34600000001', 22);
    time.advance(10_001);
    expect(await burst(limiter, '34600000001', 3, 100)).toEqual(['allowed', 'allowed', 'allowed']);
  });

  it('counts a redelivered message once and answers it the same way again', async () => {
    const time = manualTime();
    const limiter = make()({ now: time.now, limit: 2 });
    const phone = '34600000001';
    expect(await limiter.check({ id: 'a', phone })).toBe('allowed');
    expect(await limiter.check({ id: 'a', phone })).toBe('allowed');
    expect(await limiter.check({ id: 'b', phone })).toBe('allowed');
    expect(await limiter.check({ id: 'c', phone })).toBe('slowDown');
    expect(await limiter.check({ id: 'c', phone })).toBe('slowDown');
    expect(await limiter.check({ id: 'd', phone })).toBe('dropped');
  });

  it('limits each phone on its own', async () => {
    const time = manualTime();
    const limiter = make()({ now: time.now, limit: 3 });
    await burst(limiter, '34600000001', 6);
    expect(await burst(limiter, '34600000002', 3)).toEqual(['allowed', 'allowed', 'allowed']);
  });

  it('slides: old messages leave the window one by one', async () => {
    const time = manualTime();
    const limiter = make()({ now: time.now, limit: 2, windowMs: 1_000 });
    const phone = '34600000001';
    await limiter.check({ id: 'a', phone });
    time.advance(600);
    await limiter.check({ id: 'b', phone });
    time.advance(500);
    // 'a' is 1.1 s old now: only 'b' and 'c' count.
    expect(await limiter.check({ id: 'c', phone })).toBe('allowed');
    expect(await limiter.check({ id: 'd', phone })).toBe('slowDown');
  });
});

describe.skipIf(!run)('rate limiter on Redis', () => {
  it('counts a burst across processes', async () => {
    const prefix = run!.prefix();
    const time = manualTime();
    const processes = [0, 1].map(() => new RedisRateLimiter(run!.redis.connect(), { prefix, now: time.now }));
    const verdicts = await Promise.all(
      Array.from({ length: 24 }, (_, i) => processes[i % 2]!.check({ id: `wamid.${i}`, phone: '34600000001' })),
    );
    expect(verdicts.filter((v) => v === 'allowed')).toHaveLength(20);
    expect(verdicts.filter((v) => v === 'slowDown')).toHaveLength(1);
    expect(verdicts.filter((v) => v === 'dropped')).toHaveLength(3);
  });
});
