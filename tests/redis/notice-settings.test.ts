import { describe, expect, it } from 'vitest';
import { RedisNoticeSettings } from '../../adapters/redis/notice-settings.ts';
import { SqliteNoticeSettings } from '../../adapters/sqlite/notice-settings.ts';
import type { NoticeSettings } from '../../src/engine/ports.ts';
import { memoryDatabase, sharedDatabase } from '../support/sqlite.ts';
import { implementations, redisRun } from './implementations.ts';

const run = await redisRun();

describe.each(
  implementations<() => NoticeSettings>(
    () => () => new SqliteNoticeSettings(memoryDatabase()),
    ({ connection, prefix }) => {
      const shared = prefix();
      return () => new RedisNoticeSettings(connection(), { prefix: shared });
    },
    run,
  ),
)('notice settings contract ($name)', ({ make }) => {
  it('sends notices to every staff phone until one is switched off, and again once it is switched on', async () => {
    const settings = make()();
    expect(await settings.isMuted('34611000001')).toBe(false);
    await settings.setMuted('34611000001', true);
    await settings.setMuted('34611000001', true);
    expect(await settings.isMuted('34611000001')).toBe(true);
    expect(await settings.isMuted('34611000002')).toBe(false);
    await settings.setMuted('34611000001', false);
    expect(await settings.isMuted('34611000001')).toBe(false);
  });

  it('lets the staff be told of each cause once, until the claim runs out', async () => {
    const settings = make()();
    expect(await settings.firstToTell('template:cita_reminder', 60_000)).toBe(true);
    expect(await settings.firstToTell('template:cita_reminder', 60_000)).toBe(false);
    expect(await settings.firstToTell('template:cita_notice', 60_000)).toBe(true);
    expect(await settings.firstToTell('window:34600000001', 40)).toBe(true);
    expect(await settings.firstToTell('window:34600000001', 40)).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(await settings.firstToTell('window:34600000001', 40)).toBe(true);
  });

  it('keeps a claim’s note until the one caller that ends the claim gets it', async () => {
    const settings = make()();
    expect(await settings.endClaim('tokenRefused')).toBeUndefined();
    expect(await settings.firstToTell('tokenRefused', 60_000, '2026-11-24T09:00:00.000Z')).toBe(true);
    expect(await settings.firstToTell('tokenRefused', 60_000, '2026-11-24T09:05:00.000Z')).toBe(false);
    const ends = await Promise.all([settings.endClaim('tokenRefused'), settings.endClaim('tokenRefused')]);
    expect(ends.sort()).toEqual(['2026-11-24T09:00:00.000Z', undefined]);
    expect(await settings.firstToTell('tokenRefused', 60_000, 'later')).toBe(true);
  });
});

describe.skipIf(!run)('notice settings on Redis', () => {
  it('are shared by every process: one switched off in one is off in another', async () => {
    const prefix = run!.prefix();
    const one = new RedisNoticeSettings(run!.connection(), { prefix });
    const other = new RedisNoticeSettings(run!.redis.connect(), { prefix });
    await one.setMuted('34611000001', true);
    expect(await other.isMuted('34611000001')).toBe(true);
  });

  it('tell each cause once across processes and shops: one claim wins, another shop claims its own', async () => {
    const prefix = run!.prefix();
    const processes = [run!.connection(), run!.redis.connect(), run!.redis.connect()].map(
      (connection) => new RedisNoticeSettings(connection, { prefix, shop: 'el-bigote' }),
    );
    const claims = await Promise.all(processes.map((settings) => settings.firstToTell('token', 60_000)));
    expect(claims.filter(Boolean)).toHaveLength(1);
    const otherShop = new RedisNoticeSettings(run!.connection(), { prefix, shop: 'la-navaja' });
    expect(await otherShop.firstToTell('token', 60_000)).toBe(true);
  });
});

describe('notice settings on one SQLite file', () => {
  it('tell each cause once across the processes on the file, and keep each shop’s claims apart', async () => {
    const [first, second, third, fourth] = sharedDatabase(4);
    const processes = [first, second, third].map(
      (database) => new SqliteNoticeSettings(database!, { shop: 'el-bigote' }),
    );
    const claims = await Promise.all(
      processes.map((settings) => settings.firstToTell('template:cita_reminder', 60_000)),
    );
    expect(claims.filter(Boolean)).toHaveLength(1);
    const otherShop = new SqliteNoticeSettings(fourth!, { shop: 'la-navaja' });
    expect(await otherShop.firstToTell('template:cita_reminder', 60_000)).toBe(true);
  });
});
