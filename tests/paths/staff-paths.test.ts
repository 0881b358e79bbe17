import { describe, expect, it } from 'vitest';
import { createActor, type InspectionEvent } from 'xstate';
import { SqliteCalendar } from '../../adapters/sqlite/calendar.ts';
import { SqliteConversationStore } from '../../adapters/sqlite/conversations.ts';
import { SqliteInbox } from '../../adapters/sqlite/inbox.ts';
import { SqliteNoticeSettings } from '../../adapters/sqlite/notice-settings.ts';
import { BOOKING_MACHINE_VERSION, bookingMachine } from '../../machines/booking.machine.ts';
import { createCita } from '../../src/cita.ts';
import { bookingInputFor } from '../../src/engine/conversation.ts';
import {
  type Calendar,
  CalendarUnavailable,
  type ConversationStore,
  type Inbox,
  isInternal,
  type NoticeSettings,
} from '../../src/engine/ports.ts';
import {
  generateStaffPaths,
  type StaffArrangement,
  type StaffPlan,
  type StaffScenario,
  staffScenarioFor,
} from '../../src/qa/staff-paths.ts';
import { shop, stateOf, tempDataDir } from '../support/cita.ts';
import { memoryDatabase } from '../support/sqlite.ts';

/**
 * Every plan generated from the staff machine's graph, played against the whole engine through a
 * staff phone: the conversation must rest in the plan's state and the bot say exactly its replies.
 */
const scenario = staffScenarioFor(shop);
const { plans, coverage } = generateStaffPaths(scenario);

describe('coverage of the staff machine by the generated paths', () => {
  it('reaches every state, takes every transition and uses every payload and actor outcome', () => {
    expect(coverage.states.missed).toEqual([]);
    expect(coverage.transitions.missed).toEqual([]);
    expect(coverage.variants.missed).toEqual([]);
    expect(coverage.transitions.total).toBeGreaterThan(20);
  });
});

describe('generated staff paths', () => {
  for (const plan of plans) {
    it(`${plan.goal}: ${plan.turns.map((turn) => turn.says).join(', ')}`, () => runStaffPlan(plan, scenario));
  }
});

async function runStaffPlan(plan: StaffPlan, scenario: StaffScenario): Promise<void> {
  const world = staffWorld(scenario);
  const cita = createCita({
    shop: scenario.shop,
    clock: () => new Date(scenario.now),
    dataDir: world.dataDir,
    adapters: {
      calendar: world.calendar,
      conversations: world.conversations,
      inbox: world.inbox,
      noticeSettings: world.settings,
    },
    inspect: world.inspect,
  });
  try {
    for (const [i, turn] of plan.turns.entries()) {
      const where = `turn ${i + 1} (${turn.says})`;
      world.expect(turn.actors);
      const replies = await cita.converse(scenario.member.phone, turn.content);
      expect(world.missing(), `${where}: actors that never ran`).toEqual([]);
      expect(await stateOf(cita, scenario.member.phone), `${where}: state`).toBe(turn.state);
      expect(replies, `${where}: replies`).toEqual(turn.replies);
    }
  } finally {
    await cita.stop();
  }
}

/** The embedded adapters with a hand on each; each arrangement holds while its actor runs. */
function staffWorld(scenario: StaffScenario) {
  const dataDir = tempDataDir();
  const database = memoryDatabase();
  const local = new SqliteCalendar(database);
  const stored = new SqliteConversationStore(database);
  // The customer's conversation is read only once it is seeded for the actor that reads it.
  const conversations: ConversationStore = {
    load: async (phone) => {
      await seeding;
      return stored.load(phone);
    },
    save: (phone, conversation, version) => stored.save(phone, conversation, version),
  };
  const sqliteInbox = new SqliteInbox(database);
  const sqliteSettings = new SqliteNoticeSettings(database);
  let queue: { actor: string; arrange?: StaffArrangement }[] = [];
  let active: StaffArrangement | undefined;
  let seeding: Promise<unknown> = Promise.resolve();
  const ready = async () => {
    await seeding;
    if (active?.kind === 'calendarDown') throw new CalendarUnavailable('the QA world has the calendar down');
  };
  const guarded =
    <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
    async (...args: A) => {
      await ready();
      return call(...args);
    };
  const calendar: Calendar = {
    busy: guarded((w) => local.busy(w)),
    create: guarded((a) => local.create(a)),
    get: guarded((id) => local.get(id)),
    cancel: guarded((id) => local.cancel(id)),
    reschedule: guarded((a) => local.reschedule(a)),
    upcomingFor: guarded((p, f) => local.upcomingFor(p, f)),
    between: guarded((w) => local.between(w)),
    block: guarded((b) => local.block(b)),
  };
  const inbox: Inbox = {
    accept: async (message) => {
      await seeding;
      if (active?.kind === 'handBackFails' && isInternal(message.id))
        throw new Error('the QA world has the inbox down');
      return sqliteInbox.accept(message);
    },
    claim: () => sqliteInbox.claim(),
    ack: (m) => sqliteInbox.ack(m),
    retry: (m) => sqliteInbox.retry(m),
    waitForWork: (ms) => sqliteInbox.waitForWork(ms),
    close: () => sqliteInbox.close(),
  };
  const settings: NoticeSettings = {
    isMuted: (phone) => sqliteSettings.isMuted(phone),
    setMuted: async (phone, muted) => {
      if (active?.kind === 'settingsDown') throw new Error('the QA world has the settings store down');
      return sqliteSettings.setMuted(phone, muted);
    },
    firstToTell: (cause, forMs, note) => sqliteSettings.firstToTell(cause, forMs, note),
    endClaim: (cause) => sqliteSettings.endClaim(cause),
  };

  async function seedAppointments(entries: StaffScenario['entry'][]) {
    const all = { start: '2000-01-01T00:00:00.000Z', end: '2100-01-01T00:00:00.000Z' };
    for (const existing of await local.between(all)) await local.cancel(existing.id);
    for (const { barberId: _, ...entry } of entries) {
      const service = scenario.shop.services.find((s) => s.id === entry.serviceId)!;
      await local.create({ ...entry, serviceName: service.name.es });
    }
  }

  /** The customer's conversation as the booking engine would have saved it, with or without a person. */
  async function seedCustomer(withStaff: boolean) {
    const actor = createActor(bookingMachine, { input: bookingInputFor(scenario.shop) }).start();
    actor.send({ type: 'MESSAGE_RECEIVED', at: scenario.now });
    if (withStaff) actor.send({ type: 'ASK_FOR_PERSON' });
    const { version } = await stored.load(scenario.customer.phone);
    await stored.save(
      scenario.customer.phone,
      {
        machine: 'booking',
        machineVersion: BOOKING_MACHINE_VERSION,
        snapshot: actor.getPersistedSnapshot(),
        replies: [],
        turns: [],
      },
      version,
    );
    actor.stop();
  }

  function actorStarted(src: string) {
    active = undefined;
    const index = queue.findIndex((expected) => expected.actor === src);
    if (index === -1) return;
    const [expected] = queue.splice(index, 1);
    active = expected!.arrange;
    if (active?.kind === 'appointments') seeding = seedAppointments(active.entries);
    if (active?.kind === 'customerWithStaff') seeding = seedCustomer(active.withStaff);
    if (active?.kind === 'handBackFails') seeding = seedCustomer(true);
  }

  return {
    dataDir,
    calendar,
    conversations,
    inbox,
    settings,
    inspect: (phone: string) => (event: InspectionEvent) => {
      if (phone !== scenario.member.phone || event.type !== '@xstate.actor') return;
      const src = (event.actorRef as { src?: unknown }).src;
      if (typeof src === 'string') actorStarted(src);
    },
    expect(actors: { actor: string; arrange?: StaffArrangement }[]) {
      queue = [...actors];
    },
    missing(): string[] {
      active = undefined;
      const missing = queue.map((expected) => expected.actor);
      queue = [];
      return missing;
    },
  };
}
