import { describe, expect, it } from 'vitest';
import { RedisCustomerAliases } from '../../adapters/redis/customer-aliases.ts';
import { SqliteCustomerAliases } from '../../adapters/sqlite/customer-aliases.ts';
import type { CustomerAliases } from '../../src/engine/ports.ts';
import { memoryDatabase } from '../support/sqlite.ts';
import { implementations, redisRun } from './implementations.ts';

const run = await redisRun();

describe.each(
  implementations<() => CustomerAliases>(
    () => () => new SqliteCustomerAliases(memoryDatabase()),
    ({ connection, prefix }) => {
      const shared = prefix();
      return () => new RedisCustomerAliases(connection(), { prefix: shared });
    },
    run,
  ),
)('customer aliases contract ($name)', ({ make }) => {
  it('keeps a customer seen with phone and user id as their phone, also when the phone is later missing', async () => {
    const aliases = make()();
    expect(await aliases.resolve('US.111', '34600000001')).toBe('34600000001');
    expect(await aliases.resolve('US.111', 'US.111')).toBe('34600000001');
  });

  it('keeps a customer first seen by user id as that user id once their phone appears', async () => {
    const aliases = make()();
    expect(await aliases.resolve('US.222', 'US.222')).toBe('US.222');
    expect(await aliases.resolve('US.222', '34600000002')).toBe('US.222');
  });
});
