import { describe, expect, it } from 'vitest';
import { RedisNoticeSettings } from '../../adapters/redis/notice-settings.ts';
import { SqliteNoticeSettings } from '../../adapters/sqlite/notice-settings.ts';
import type { NoticeSettings } from '../../src/engine/ports.ts';
import { memoryDatabase } from '../support/sqlite.ts';
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
});

describe.skipIf(!run)('notice settings on Redis', () => {
  it('are shared by every process: one switched off in one is off in another', async () => {
    const prefix = run!.prefix();
    const one = new RedisNoticeSettings(run!.connection(), { prefix });
    const other = new RedisNoticeSettings(run!.redis.connect(), { prefix });
    await one.setMuted('34611000001', true);
    expect(await other.isMuted('34611000001')).toBe(true);
  });
});
