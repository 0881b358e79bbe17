import { describe, expect, it } from 'vitest';
import { RedisCalendarSyncStore } from '../../adapters/redis/calendar-sync.ts';
import { SqliteCalendarSyncStore } from '../../adapters/sqlite/calendar-sync.ts';
import type { CalendarSyncStore } from '../../src/engine/ports.ts';
import { implementations, redisRun, sleep } from '../redis/implementations.ts';
import { memoryDatabase } from '../support/sqlite.ts';

/** The CalendarSyncStore contract, on SQLite and on Redis: what keeps a calendar change handled once. */
const run = await redisRun();

const stores = implementations<(shop?: string) => CalendarSyncStore>(
  () => {
    const db = memoryDatabase();
    return (shop) => new SqliteCalendarSyncStore(db, shop ? { shop } : {});
  },
  (redis) => {
    const prefix = redis.prefix();
    return (shop) => new RedisCalendarSyncStore(redis.connection(), { prefix, ...(shop && { shop }) });
  },
  run,
);

const written = {
  id: 'booking0001',
  serviceId: 'corte',
  serviceName: 'Corte de pelo',
  phone: '34600000001',
  start: '2026-11-25T09:00:00.000Z',
  end: '2026-11-25T09:30:00.000Z',
  cancelled: false,
};

describe.each(stores)('CalendarSyncStore on $name', ({ make }) => {
  it("keeps each shop's leases, positions and remembered writes apart", async () => {
    const process = make();
    const [bigote, navaja] = [process('el-bigote'), process('la-navaja')];
    expect(await bigote.claim('store', 'a', 10_000)).toEqual({});
    expect(await navaja.claim('store', 'b', 10_000)).toEqual({});
    expect(await bigote.advance('store', 'a', 'sync-1')).toBe(true);
    await navaja.release('store', 'b');
    expect(await navaja.claim('store', 'b', 10_000)).toEqual({});
    await bigote.rememberWrite(written);
    expect(await navaja.lastWrite(written.id)).toBeUndefined();
    expect(await bigote.lastWrite(written.id)).toEqual(written);
  });

  it('lets one holder at a time read a calendar, and only the holder move its position', async () => {
    const process = make();
    const [one, two] = [process(), process()];
    expect(await one.claim('shop', 'a', 10_000)).toEqual({});
    expect(await two.claim('shop', 'b', 10_000)).toBeUndefined();
    expect(await two.advance('shop', 'b', 'sync-1')).toBe(false);
    expect(await one.advance('shop', 'a', 'sync-1')).toBe(true);
    await one.release('shop', 'a');
    expect(await two.claim('shop', 'b', 10_000)).toEqual({ position: 'sync-1' });
    // Another calendar has its own lease and position.
    expect(await one.claim('lucia', 'a', 10_000)).toEqual({});
  });

  it('hands the lease over once it ends, and the old holder can no longer move the position', async () => {
    const process = make();
    const store = process();
    expect(await store.claim('shop', 'a', 50)).toEqual({});
    await sleep(120);
    expect(await store.claim('shop', 'b', 10_000)).toEqual({});
    expect(await store.advance('shop', 'a', 'sync-9')).toBe(false);
  });

  it('keeps a request to read again until the holder takes it, once', async () => {
    const store = make()();
    expect(await store.takeRequest('shop')).toBe(false);
    await store.requestAgain('shop');
    await store.requestAgain('shop');
    expect(await store.takeRequest('shop')).toBe(true);
    expect(await store.takeRequest('shop')).toBe(false);
  });

  it("remembers cita's last write of an appointment, and the push channels", async () => {
    const process = make();
    const [one, two] = [process(), process()];
    await one.rememberWrite(written);
    await one.rememberWrite({ ...written, cancelled: true });
    expect(await two.lastWrite('booking0001')).toEqual({ ...written, cancelled: true });
    expect(await two.lastWrite('booking0002')).toBeUndefined();
    const channel = { id: 'c1', source: 'shop', token: 'a-token-of-sixteen+', resourceId: 'r1', expiresAt: 1 };
    await one.saveChannel(channel);
    expect(await two.channel('c1')).toEqual(channel);
    expect(await two.channels()).toEqual([channel]);
    await two.dropChannel('c1');
    expect(await one.channel('c1')).toBeUndefined();
  });
});
