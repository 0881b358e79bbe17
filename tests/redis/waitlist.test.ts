import { describe, expect, it } from 'vitest';
import { RedisWaitlist } from '../../adapters/redis/waitlist.ts';
import { SqliteWaitlist } from '../../adapters/sqlite/waitlist.ts';
import type { Waitlist, WaitlistOffer } from '../../src/engine/ports.ts';
import { sharedDatabase } from '../support/sqlite.ts';
import { implementations, redisRun } from './implementations.ts';

const run = await redisRun();

/** Two handles on one store, as two processes have, each able to make a shop's waitlist. */
type Processes = (shop?: string) => [Waitlist, Waitlist];

const SATURDAY = '2026-11-28';
const ANA = '34600000011';
const LUIS = '34600000012';
const JOINED = '2026-11-24T09:00:00Z';

function wish(phone: string, date = SATURDAY) {
  return { phone, date, serviceId: 'corte', barberId: 'any', joinedAt: JOINED };
}

function offer(id: string, expiresAt = '2026-11-24T10:15:00Z'): WaitlistOffer {
  return {
    id,
    serviceId: 'corte',
    slot: { date: SATURDAY, time: '10:00', start: '2026-11-28T09:00:00Z', end: '2026-11-28T09:30:00Z' },
    barberId: 'javi',
    holdToken: `token-${id}`,
    expiresAt,
  };
}

describe.each(
  implementations<Processes>(
    () => {
      const [one, two] = sharedDatabase(2);
      return (shop?: string) => [new SqliteWaitlist(one!, { shop }), new SqliteWaitlist(two!, { shop })];
    },
    ({ connection, prefix }) => {
      const shared = prefix();
      const other = run!.redis.connect();
      return (shop?: string) => [
        new RedisWaitlist(connection(), { prefix: shared, shop }),
        new RedisWaitlist(other, { prefix: shared, shop }),
      ];
    },
    run,
  ),
)('waitlist contract ($name)', ({ make }) => {
  it('keeps a day’s list first come first, a new wish keeping its place, and each customer’s days', async () => {
    const [waitlist] = make()();
    await waitlist.join(wish(ANA));
    await waitlist.join(wish(LUIS));
    await waitlist.join({ ...wish(ANA), from: '16:00', to: '21:00' });
    await waitlist.join(wish(ANA, '2026-11-27'));
    expect((await waitlist.waiting(SATURDAY)).map((e) => [e.phone, e.from])).toEqual([
      [ANA, '16:00'],
      [LUIS, undefined],
    ]);
    expect((await waitlist.entriesOf(ANA)).map((e) => e.date)).toEqual(['2026-11-27', SATURDAY]);
    expect(await waitlist.days()).toEqual(['2026-11-27', SATURDAY]);
    expect(await waitlist.leave(ANA, '2026-11-27')).toMatchObject({ phone: ANA, date: '2026-11-27' });
    expect(await waitlist.leave(ANA, '2026-11-27')).toBeUndefined();
    expect(await waitlist.days()).toEqual([SATURDAY]);
  });

  it('keeps two shops’ waitlists apart', async () => {
    const processes = make();
    const [bigote] = processes('el-bigote');
    const [tijera] = processes('la-tijera');
    await bigote.join(wish(ANA));
    expect(await tijera.waiting(SATURDAY)).toEqual([]);
    expect(await tijera.entriesOf(ANA)).toEqual([]);
    expect(await bigote.entriesOf(ANA)).toHaveLength(1);
  });

  it('makes one offer at a time per entry, whichever process asks first', async () => {
    const [one, two] = make()();
    await one.join(wish(ANA));
    const made = await Promise.all([
      one.startOffer(ANA, SATURDAY, offer('o1')),
      two.startOffer(ANA, SATURDAY, offer('o2')),
    ]);
    expect(made.filter(Boolean)).toHaveLength(1);
    expect(await one.startOffer(LUIS, SATURDAY, offer('o3'))).toBe(false);
    const [entry] = await two.waiting(SATURDAY);
    expect(entry?.offer?.id).toBe(made[0] ? 'o1' : 'o2');
  });

  it('takes a yes only to the offer still held, once, before it expires', async () => {
    const [one, two] = make()();
    await one.join(wish(ANA));
    await one.join(wish(LUIS));
    await one.startOffer(ANA, SATURDAY, offer('o1'));
    expect(await one.takeOffer(ANA, 'o1', new Date('2026-11-24T10:15:00Z'))).toBeUndefined();
    expect(await one.takeOffer(LUIS, 'o1', new Date('2026-11-24T10:00:00Z'))).toBeUndefined();
    const yes = await Promise.all([
      one.takeOffer(ANA, 'o1', new Date('2026-11-24T10:00:00Z')),
      two.takeOffer(ANA, 'o1', new Date('2026-11-24T10:00:00Z')),
    ]);
    expect(yes.filter(Boolean)).toHaveLength(1);
    expect(yes.find(Boolean)).toMatchObject({ phone: ANA, offer: { id: 'o1', slot: { time: '10:00' } } });
    expect((await one.waiting(SATURDAY)).map((e) => e.phone)).toEqual([LUIS]);
  });

  it('puts an unanswered customer at the back, and takes one who said no off the list', async () => {
    const [one, two] = make()();
    await one.join(wish(ANA));
    await one.join(wish(LUIS));
    await one.startOffer(ANA, SATURDAY, offer('o1'));
    // Expired in one process while the customer's "no" arrives in another: only one of them ends it.
    const ended = await Promise.all([
      one.endOffer(ANA, 'o1', { requeue: true }),
      two.endOffer(ANA, 'o1', { requeue: false }),
    ]);
    expect(ended.filter(Boolean)).toHaveLength(1);
    const after = (await one.waiting(SATURDAY)).map((e) => [e.phone, e.offer]);
    expect(after).toEqual(
      ended[0]
        ? [
            [LUIS, undefined],
            [ANA, undefined],
          ]
        : [[LUIS, undefined]],
    );
    expect(await one.takeOffer(ANA, 'o1', new Date('2026-11-24T10:00:00Z'))).toBeUndefined();
  });

  it('lets one process at a time offer freed time, until it steps down or its lead ends', async () => {
    const [one, two] = make()();
    const now = new Date();
    expect(await one.lead('a', 60_000, now)).toBe(true);
    expect(await two.lead('b', 60_000, now)).toBe(false);
    expect(await one.lead('a', 60_000, now)).toBe(true);
    await two.stepDown('b');
    expect(await two.lead('b', 60_000, now)).toBe(false);
    await one.stepDown('a');
    expect(await two.lead('b', 60_000, now)).toBe(true);
    // The lead of a process that died ends by itself.
    expect(await one.lead('a', 60_000, new Date(now.getTime() + 59_000))).toBe(false);
    expect(await one.lead('a', 60_000, new Date(now.getTime() + 60_000))).toBe(true);
  });
});
