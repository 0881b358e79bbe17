import { afterAll, describe, expect, it } from 'vitest';
import { createRedisAdapters } from '../../adapters/redis/index.ts';
import { createSqliteAdapters } from '../../adapters/sqlite/index.ts';
import type { ShopPorts } from '../../src/cita.ts';
import type { Appointment, InboundMessage, Inbox, StoredConversation } from '../../src/engine/ports.ts';
import { implementations, redisRun } from '../redis/implementations.ts';

/**
 * Two shops in one store (one SQLite file, one Redis): whatever one shop keeps, the other never
 * sees, though the customer, the slot and even the appointment id are the same.
 */

const run = await redisRun();
interface Store {
  forShop(
    shop: string,
  ): Required<
    Pick<ShopPorts, 'conversations' | 'calendar' | 'history' | 'holds' | 'noticeSettings' | 'reminders' | 'rateLimiter'>
  >;
  inbox: Inbox;
}
const closers: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const close of closers.splice(0)) await close();
});

const CARLOS = '34600000001';
const ANA = '34600000002';
const TEN = { start: '2026-11-25T10:00:00.000Z', end: '2026-11-25T10:30:00.000Z' };
const DAY = { start: '2026-11-25T00:00:00.000Z', end: '2026-11-26T00:00:00.000Z' };
const conversation: StoredConversation = { machineVersion: 1, snapshot: {}, replies: [], turns: [] };
const appointment: Appointment = {
  id: 'abcde12345',
  serviceId: 'corte',
  serviceName: 'Corte',
  phone: CARLOS,
  start: TEN.start,
  end: TEN.end,
};

function message(shop: string, id: string): InboundMessage {
  return { id, shop, phone: CARLOS, receivedAt: new Date().toISOString(), content: { kind: 'text', text: 'hola' } };
}

describe.each(
  implementations<Store>(
    () => {
      const sqlite = createSqliteAdapters({ path: ':memory:' });
      closers.push(sqlite.close);
      return { forShop: sqlite.forShop, inbox: sqlite.adapters.inbox };
    },
    ({ target, prefix }) => {
      const adapters = createRedisAdapters({ ...target, prefix: prefix() });
      closers.push(adapters.close);
      return { forShop: adapters.forShop, inbox: adapters.adapters.inbox };
    },
    run,
  ),
)('two shops in one store ($name)', ({ make }) => {
  it("keeps each shop's conversations, bookings, history, holds and settings apart", async () => {
    const store = make();
    const [bigote, navaja] = [store.forShop('el-bigote'), store.forShop('la-navaja')];
    expect(await bigote.conversations.save(CARLOS, conversation, 0)).toBe(true);
    expect(await navaja.conversations.load(CARLOS)).toEqual({ version: 0 });

    await bigote.calendar.create(appointment);
    expect(await navaja.calendar.get(appointment.id)).toBeUndefined();
    expect(await navaja.calendar.between(DAY)).toEqual([]);
    expect(await navaja.calendar.create({ ...appointment, phone: ANA })).toMatchObject({ phone: ANA });
    expect(await bigote.calendar.upcomingFor(CARLOS, new Date(DAY.start))).toEqual([appointment]);

    const entry = { bookingId: appointment.id, serviceId: 'corte', ...TEN, status: 'booked' as const, at: TEN.start };
    await bigote.history.record(CARLOS, entry);
    expect(await navaja.history.list(CARLOS)).toEqual([]);

    expect(await bigote.holds.acquire({ phone: CARLOS, token: 't1', ...TEN }, 60_000)).toBe(true);
    expect(await navaja.holds.acquire({ phone: ANA, token: 't2', ...TEN }, 60_000)).toBe(true);
    expect((await navaja.holds.overlapping(DAY)).map((hold) => hold.token)).toEqual(['t2']);

    await bigote.noticeSettings.setMuted(CARLOS, true);
    expect(await navaja.noticeSettings.isMuted(CARLOS)).toBe(false);

    const reminder = {
      bookingId: appointment.id,
      phone: CARLOS,
      start: TEN.start,
      dueAt: DAY.start,
      minutesBefore: 60,
    };
    await bigote.reminders.plan([reminder]);
    expect(await navaja.reminders.claimDue(new Date(TEN.start), 10)).toEqual([]);
    expect(await bigote.reminders.claimDue(new Date(TEN.start), 10)).toEqual([reminder]);
  });

  it("counts a customer's messages against each shop's rate limit on its own", async () => {
    const store = make();
    const [bigote, navaja] = [store.forShop('el-bigote'), store.forShop('la-navaja')];
    for (let i = 0; i < 21; i++) await bigote.rateLimiter.check({ id: `b${i}`, phone: CARLOS });
    expect(await bigote.rateLimiter.check({ id: 'b21', phone: CARLOS })).not.toBe('allowed');
    expect(await navaja.rateLimiter.check({ id: 'n1', phone: CARLOS })).toBe('allowed');
  });

  it('queues one phone writing to two shops as two customers, each in order and handled at once', async () => {
    const { inbox } = make();
    await inbox.accept(message('el-bigote', 'wamid.b1'));
    await inbox.accept(message('el-bigote', 'wamid.b2'));
    await inbox.accept(message('la-navaja', 'wamid.n1'));
    const first = await inbox.claim();
    const second = await inbox.claim();
    // Both shops' heads are claimed together; El Bigote's second waits for its first.
    expect([first?.id, second?.id].sort()).toEqual(['wamid.b1', 'wamid.n1']);
    expect(await inbox.claim()).toBeUndefined();
    await inbox.ack(first!.id === 'wamid.b1' ? first! : second!);
    expect((await inbox.claim())?.id).toBe('wamid.b2');
  });
});
