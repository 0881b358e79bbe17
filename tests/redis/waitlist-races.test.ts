import { describe, expect, it } from 'vitest';
import { RedisCalendar } from '../../adapters/redis/calendar.ts';
import { RedisConversationStore } from '../../adapters/redis/conversations.ts';
import { RedisBookingHistory } from '../../adapters/redis/history.ts';
import { RedisSlotHolds } from '../../adapters/redis/holds.ts';
import { RedisReminderSchedule } from '../../adapters/redis/reminders.ts';
import { RedisWaitlist } from '../../adapters/redis/waitlist.ts';
import { SqliteCalendar } from '../../adapters/sqlite/calendar.ts';
import { SqliteConversationStore } from '../../adapters/sqlite/conversations.ts';
import { SqliteBookingHistory } from '../../adapters/sqlite/history.ts';
import { SqliteSlotHolds } from '../../adapters/sqlite/holds.ts';
import { SqliteReminderSchedule } from '../../adapters/sqlite/reminders.ts';
import { SqliteWaitlist } from '../../adapters/sqlite/waitlist.ts';
import type { ShopConfig } from '../../config/schema.ts';
import { failureReason } from '../../machines/booking.context.ts';
import { bookingStepsFor } from '../../src/engine/booking-actors.ts';
import type { Messenger } from '../../src/engine/ports.ts';
import type { OutboundMessage } from '../../src/messages/whatsapp.ts';
import { offerFreedTime, type WaitlistDependencies } from '../../src/waitlist/offers.ts';
import { shop as exampleShop, fakeClock } from '../support/cita.ts';
import { sharedDatabase } from '../support/sqlite.ts';
import { implementations, type RedisRun, redisRuns } from './implementations.ts';

const runs = await redisRuns();

/** Half-hour slots and no buffer, so two appointments side by side are the day's only times. */
const shop: ShopConfig = { ...exampleShop, booking: { ...exampleShop.booking, slotStepMinutes: 30, bufferMinutes: 0 } };
const DAY = '2026-11-25';
const LUIS = '34600000002';
const MARTA = '34600000003';
const WAITING = ['34600000011', '34600000012', '34600000013'];

/** What every "process" shares: the messages cita sent, in order. */
type Sent = { phone: string; messages: OutboundMessage[] }[];

/** Several processes (each its own SQLite connection or Redis connection and adapters) of one shop. */
type Processes = (count: number) => { processes: WaitlistDependencies[]; sent: Sent };

function recording(sent: Sent): Messenger {
  return {
    async send(phone, messages) {
      sent.push({ phone, messages });
    },
  };
}

const onSqlite: Processes = (count) => {
  const clock = fakeClock();
  const sent: Sent = [];
  const processes = sharedDatabase(count).map((database) => ({
    shop,
    clock,
    calendar: new SqliteCalendar(database),
    holds: new SqliteSlotHolds(database),
    history: new SqliteBookingHistory(database),
    reminders: new SqliteReminderSchedule(database),
    waitlist: new SqliteWaitlist(database),
    conversations: new SqliteConversationStore(database),
    messenger: recording(sent),
  }));
  return { processes, sent };
};

const onRedis =
  (run: RedisRun): Processes =>
  (count) => {
    const prefix = run.prefix();
    const clock = fakeClock();
    const sent: Sent = [];
    const processes = Array.from({ length: count }, () => {
      const redis = run.redis.connect();
      return {
        shop,
        clock,
        calendar: new RedisCalendar(redis, { prefix }),
        holds: new RedisSlotHolds(redis, { prefix }),
        history: new RedisBookingHistory(redis, { prefix }),
        reminders: new RedisReminderSchedule(redis, { prefix, shards: run.shards }),
        waitlist: new RedisWaitlist(redis, { prefix }),
        conversations: new RedisConversationStore(redis, { prefix }),
        messenger: recording(sent),
      };
    });
    return { processes, sent };
  };

/**
 * Wednesday 25 November full: Luis at 10:00 and Marta at 10:30 (Madrid), the rest of the day
 * blocked; three customers wait on it.
 */
async function fullDay(deps: WaitlistDependencies) {
  const book = async (phone: string, time: string) => {
    const steps = bookingStepsFor({ phone }, deps);
    const { slots } = await steps.findFreeSlots({ serviceId: 'corte', date: DAY });
    const hold = await steps.holdSlot({ serviceId: 'corte', slot: slots.find((s) => s.time === time)! });
    return steps.bookAppointment({ serviceId: 'corte', hold });
  };
  await deps.calendar.block({
    id: 'blockafter11',
    start: '2026-11-25T10:00:00Z',
    end: '2026-11-25T19:00:00Z',
    by: 'test',
  });
  const luis = await book(LUIS, '10:00');
  const marta = await book(MARTA, '10:30');
  const steps = bookingStepsFor({ phone: WAITING[0]! }, deps);
  expect((await steps.findFreeSlots({ serviceId: 'corte', date: DAY })).slots).toEqual([]);
  for (const phone of WAITING) await bookingStepsFor({ phone }, deps).joinWaitlist({ date: DAY, serviceId: 'corte' });
  return { luis, marta };
}

/** The offer id in the "Reservar" button of a message sent. */
function offerIdIn(messages: OutboundMessage[]): string {
  const message = messages[0];
  const button = message?.kind === 'buttons' || message?.kind === 'template' ? message.buttons[0] : undefined;
  return button!.id.split(':')[1]!;
}

describe.each(implementations<Processes>(() => onSqlite, onRedis, runs))('waitlist races ($name)', ({ make }) => {
  it('two cancellations at once, offered by two processes at once: each time to one customer, each customer one time', async () => {
    const { processes, sent } = make()(2);
    const [one, two] = processes as [WaitlistDependencies, WaitlistDependencies];
    const { luis, marta } = await fullDay(one);
    await Promise.all([
      bookingStepsFor({ phone: LUIS }, one).cancelBooking({ booking: luis }),
      bookingStepsFor({ phone: MARTA }, two).cancelBooking({ booking: marta }),
    ]);
    const rounds = await Promise.all([offerFreedTime(one), offerFreedTime(two), offerFreedTime(one)]);
    expect(rounds.reduce((sum, round) => sum + round.offered, 0)).toBe(2);
    expect(sent.map((s) => s.phone)).toEqual([WAITING[0], WAITING[1]]);

    // Both say yes, each through another process: two appointments, side by side, never the same time.
    const booked = await Promise.all(
      sent.map(async ({ phone, messages }, i) => {
        const steps = bookingStepsFor({ phone }, processes[i]!);
        const { serviceId, hold } = await steps.takeWaitlistOffer({ offerId: offerIdIn(messages) });
        return steps.bookAppointment({ serviceId, hold });
      }),
    );
    expect(booked.map((b) => b.start).sort()).toEqual(['2026-11-25T09:00:00.000Z', '2026-11-25T09:30:00.000Z']);
    const day = await one.calendar.between({ start: '2026-11-25T00:00:00Z', end: '2026-11-26T00:00:00Z' });
    expect(day.map((a) => a.phone).sort()).toEqual([WAITING[0], WAITING[1]]);
  });

  it('a customer booking the freed time directly while it is offered does not get it: one booking', async () => {
    const { processes, sent } = make()(2);
    const [one, two] = processes as [WaitlistDependencies, WaitlistDependencies];
    const { luis } = await fullDay(one);
    await bookingStepsFor({ phone: LUIS }, one).cancelBooking({ booking: luis });
    expect(await offerFreedTime(one)).toMatchObject({ offered: 1 });
    const ana = WAITING[0]!;
    const outsider = bookingStepsFor({ phone: '34600000099' }, two);
    // The freed time is not free for anyone else while held, and a hold on it is refused.
    expect((await outsider.findFreeSlots({ serviceId: 'corte', date: DAY })).slots).toEqual([]);
    const slot = { date: DAY, time: '10:00', start: '2026-11-25T09:00:00.000Z', end: '2026-11-25T09:30:00.000Z' };
    const [direct, offered] = await Promise.all([
      outsider.holdSlot({ serviceId: 'corte', slot }).then(
        (hold) => outsider.bookAppointment({ serviceId: 'corte', hold }).then(() => 'booked'),
        (error) => failureReason(error),
      ),
      (async () => {
        const steps = bookingStepsFor({ phone: ana }, one);
        const { serviceId, hold } = await steps.takeWaitlistOffer({ offerId: offerIdIn(sent[0]!.messages) });
        return steps.bookAppointment({ serviceId, hold }).then(() => 'booked');
      })(),
    ]);
    expect([direct, offered]).toEqual(['slotTaken', 'booked']);
    const day = await one.calendar.between({ start: '2026-11-25T00:00:00Z', end: '2026-11-26T00:00:00Z' });
    expect(day.map((a) => a.phone)).toEqual([ana, MARTA]);
  });
});
