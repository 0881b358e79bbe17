import { describe, expect, it } from 'vitest';
import { SqliteReplyBus } from '../../adapters/sqlite/replies.ts';
import { NoReplyInTime } from '../../src/engine/ports.ts';
import { sharedDatabase } from '../support/sqlite.ts';

const replies = [{ kind: 'text' as const, body: '¿Qué servicio quieres reservar?' }];

describe('simulator replies through the SQLite file', () => {
  it("hands the replies another process's worker stored to the process waiting for them, once", async () => {
    const [page, worker] = sharedDatabase(2).map((database) => new SqliteReplyBus(database));
    const waiting = page!.repliesTo('sim:1', 5_000);
    await worker!.deliver('sim:1', replies);
    expect(await waiting).toEqual(replies);
    await expect(page!.repliesTo('sim:1', 200)).rejects.toThrow(NoReplyInTime);
  });

  it('hands them over directly when the caller waits in the same process', async () => {
    const [database] = sharedDatabase(1);
    const bus = new SqliteReplyBus(database!);
    const waiting = bus.repliesTo('sim:2', 5_000);
    await bus.deliver('sim:2', replies);
    expect(await waiting).toEqual(replies);
    expect(database!.get('SELECT 1 FROM simulator_replies')).toBeUndefined();
  });

  it('says the turn is late when no reply comes in time', async () => {
    const [database] = sharedDatabase(1);
    await expect(new SqliteReplyBus(database!).repliesTo('sim:3', 100)).rejects.toThrow(NoReplyInTime);
  });
});
