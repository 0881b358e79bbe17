import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SqliteConversationStore } from '../adapters/sqlite/conversations.ts';
import { type ShopConfig, WEEKDAYS } from '../config/schema.ts';
import { WITH_STAFF } from '../machines/booking.machine.ts';
import { createCita } from '../src/cita.ts';
import type { InboundMessage } from '../src/engine/ports.ts';
import { es } from '../src/messages/es.ts';
import { optionsOf } from '../src/messages/whatsapp.ts';
import { generatePaths } from '../src/qa/paths.ts';
import { PATHS_FILE } from '../src/qa/paths-document.ts';
import type { Plan } from '../src/qa/plans.ts';
import { type Scenario, scenarioFor } from '../src/qa/scenario.ts';
import { createWorld } from '../src/qa/world.ts';
import { shop, stateOf, tempDataDir } from './support/cita.ts';
import { memoryDatabase } from './support/sqlite.ts';

/**
 * Saved conversations in every state the booking machine can rest in (one generated plan per
 * state), then the shop's config changes under them, then the customer writes again. The
 * conversation must be repaired (the missing choice dropped and asked again) and answered, every
 * time: never an exception, never a message that fails again and again. A conversation the shop
 * has taken over (`withStaff`: it wrote from the WhatsApp Business app) is repaired too, but the
 * bot stays quiet while the person has it: the message is kept for them, and answered once the
 * shop has been quiet long enough for the bot to be back.
 */
// Every resting state is met within 7 steps: a walk that deep finds the same shortest plans as the
// full walk in half its time. The check below fails the day a state lies deeper.
const { scenario, plans } = generatePaths(scenarioFor(shop), { maxSteps: 7 });
const statePlans = plans.filter((plan) => plan.kind === 'state');

it(`plays a plan for every state the full walk reaches (${PATHS_FILE}, checked current by tests/paths/)`, () => {
  const full = JSON.parse(readFileSync(PATHS_FILE, 'utf8')) as { plans: { kind: string; id: string }[] };
  const ids = (list: { kind: string; id: string }[]) =>
    list.filter((plan) => plan.kind === 'state').map((plan) => plan.id);
  expect(ids(statePlans)).toEqual(ids(full.plans));
});

/** Each kind of change a shop owner makes to the config while customers are mid-conversation. */
const CHANGES: Record<string, (config: ShopConfig) => void> = {
  'the service is removed': (config) => {
    config.services = config.services.filter((service) => service.id !== scenario.serviceId);
  },
  'the chosen day is now closed': (config) => {
    const weekday = WEEKDAYS[(new Date(`${scenario.dates.free}T12:00:00Z`).getUTCDay() + 6) % 7];
    config.openingHours[weekday] = [];
  },
  'the opening hours shrink to one morning hour': (config) => {
    for (const day of WEEKDAYS) config.openingHours[day] = day === 'saturday' ? [] : [{ from: '09:00', to: '10:00' }];
  },
  'the booking horizon and the notices change': (config) => {
    config.booking.daysAhead = 1;
    config.booking.cancellationNoticeMinutes = 60 * 24 * 30;
    config.booking.holdMinutes = 1;
    config.booking.slotStepMinutes = 60;
  },
  'English is no longer offered': (config) => {
    config.languages = { default: 'es', supported: ['es'] };
  },
};

/** Plays a plan with the original config; returns the conversations and the calendar left behind. */
async function savedIn(plan: Plan, played: Scenario) {
  const dataDir = tempDataDir();
  const world = createWorld(played);
  const conversations = new SqliteConversationStore(memoryDatabase());
  const cita = createCita({
    shop: played.shop,
    clock: world.clock,
    dataDir,
    // The world's waitlist too: the shortest way to `booked` is a freed time's *Reservar*.
    adapters: {
      calendar: world.calendar,
      holds: world.holds,
      waitlist: world.waitlist,
      optOuts: world.optOuts,
      history: world.history,
      conversations,
    },
    inspect: world.inspect,
  });
  try {
    for (const turn of plan.turns) {
      world.expect(turn.actors);
      await cita.converse(played.phone, turn.content as InboundMessage['content'], {
        customerName: played.customerName,
      });
      world.settle();
    }
    expect(await stateOf(cita, played.phone)).toBe(plan.turns.at(-1)!.state);
  } finally {
    await cita.stop();
    world.close();
  }
  return { conversations, dataDir };
}

describe.each(Object.entries(CHANGES))('when %s', (_change, change) => {
  it.each(statePlans.map((plan) => [plan.turns.at(-1)!.state, plan] as const))(
    'a conversation saved in %s is repaired and answered',
    async (_state, plan) => {
      const { conversations, dataDir } = await savedIn(plan, scenario);
      const changed = structuredClone(shop);
      change(changed);
      let now = Date.parse(scenario.now);
      const cita = createCita({
        shop: changed,
        clock: () => new Date(now),
        dataDir,
        adapters: { conversations },
      });
      try {
        const said: string[] = [];
        if (plan.turns.at(-1)!.state === WITH_STAFF) {
          const held = await cita.converse(scenario.phone, { kind: 'text', text: 'hola' });
          expect(held, 'the person who has the customer answers, not the bot').toEqual([]);
          expect(await stateOf(cita, scenario.phone)).toBe(WITH_STAFF);
          now += changed.handoff.quietMinutes * 60_000;
        }
        const first = await cita.converse(scenario.phone, { kind: 'text', text: 'hola' });
        said.push(JSON.stringify(first));
        const option = first.flatMap(optionsOf)[0];
        const second = await cita.converse(
          scenario.phone,
          option ? { kind: 'reply', replyId: option.id, title: option.title } : { kind: 'text', text: '1' },
        );
        said.push(JSON.stringify(second));
        said.push(JSON.stringify(await cita.converse(scenario.phone, { kind: 'text', text: 'sí' })));

        for (const replies of said) {
          expect(JSON.parse(replies).length, 'every message is answered').toBeGreaterThan(0);
          expect(replies).not.toMatch(/undefined|NaN|Invalid DateTime/);
        }
        // Repaired in place: the customer is never told the conversation had to start over.
        expect(said[0]).not.toContain(es.remarks.conversationLost);
        const { values } = await cita.metrics.messagesAbandoned.get();
        expect(values.reduce((sum, { value }) => sum + value, 0)).toBe(0);
      } finally {
        await cita.stop();
      }
    },
  );
});

describe('a conversation choosing a time when its service is removed', () => {
  it('drops the service, says so, and asks for a service again', async () => {
    const plan = statePlans.find((candidate) => candidate.turns.at(-1)!.state === 'confirming')!;
    const { conversations, dataDir } = await savedIn(plan, scenario);
    const changed = structuredClone(shop);
    CHANGES['the service is removed'](changed);
    const cita = createCita({
      shop: changed,
      clock: () => new Date(scenario.now),
      dataDir,
      adapters: { conversations },
    });
    try {
      const replies = await cita.converse(scenario.phone, { kind: 'text', text: 'hola' });
      expect(replies[0].body).toContain(es.remarks.choiceGone);
      expect(await stateOf(cita, scenario.phone)).toBe('choosingService');
      const offered = replies.flatMap(optionsOf).map((option) => option.id);
      expect(offered).not.toContain(`SELECT_SERVICE:${scenario.serviceId}`);
    } finally {
      await cita.stop();
    }
  });
});

describe('a saved conversation the code still cannot handle', () => {
  it('is started over with an apology instead of failing this message and every later one', async () => {
    const plan = statePlans.find((candidate) => candidate.turns.at(-1)!.state === 'confirming')!;
    const { conversations, dataDir } = await savedIn(plan, scenario);
    // Confirming a slot with no hold: nothing repairs this, and the confirmation cannot be shown.
    const { conversation, version } = await conversations.load(scenario.phone);
    const snapshot = conversation!.snapshot as { context: { hold?: unknown } };
    delete snapshot.context.hold;
    await conversations.save(scenario.phone, { ...conversation!, snapshot }, version);
    const cita = createCita({ shop, clock: () => new Date(scenario.now), dataDir, adapters: { conversations } });
    try {
      const replies = await cita.converse(scenario.phone, { kind: 'text', text: 'hola' });
      expect(replies[0].body).toContain(es.remarks.conversationLost);
      expect((await cita.converse(scenario.phone, { kind: 'text', text: 'hola' })).length).toBeGreaterThan(0);
      const { values } = await cita.metrics.messagesAbandoned.get();
      expect(values.reduce((sum, { value }) => sum + value, 0)).toBe(0);
    } finally {
      await cita.stop();
    }
  });
});
