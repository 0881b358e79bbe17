import { describe, expect, it } from 'vitest';
import { RedisOptOuts } from '../../adapters/redis/opt-outs.ts';
import { SqliteOptOuts } from '../../adapters/sqlite/opt-outs.ts';
import type { OptOuts } from '../../src/engine/ports.ts';
import { memoryDatabase } from '../support/sqlite.ts';
import { implementations, redisRun } from './implementations.ts';

const run = await redisRun();

describe.each(
  implementations<(shop?: string) => OptOuts>(
    () => {
      const database = memoryDatabase();
      return (shop) => new SqliteOptOuts(database, { shop });
    },
    ({ connection, prefix }) => {
      const shared = prefix();
      return (shop) => new RedisOptOuts(connection(), { prefix: shared, shop });
    },
    run,
  ),
)('opt-outs contract ($name)', ({ make }) => {
  it('keeps an opt-out for good, with its first time, apart per shop', async () => {
    const optOuts = make();
    const bigote = optOuts('el-bigote');
    expect(await bigote.isOptedOut('34600000001')).toBe(false);
    await bigote.optOut('34600000001', new Date('2026-11-24T09:00:00Z'));
    await bigote.optOut('34600000001', new Date('2026-11-25T09:00:00Z'));
    expect(await bigote.isOptedOut('34600000001')).toBe(true);
    expect(await bigote.list()).toEqual([{ phone: '34600000001', at: '2026-11-24T09:00:00.000Z' }]);
    expect(await optOuts('la-tijera').isOptedOut('34600000001')).toBe(false);
  });
});
