import { expect } from 'vitest';
import { createCita } from '../../src/cita.ts';
import type { InboundMessage } from '../../src/engine/ports.ts';
import { BOOKED_HERE, bookedHereCompanion } from '../../src/qa/events.ts';
import type { Plan } from '../../src/qa/plans.ts';
import type { Scenario } from '../../src/qa/scenario.ts';
import { createWorld } from '../../src/qa/world.ts';
import { stateOf, tempDataDir } from '../support/cita.ts';

/**
 * Plays a plan against the whole engine (inbox, interpreter, machine, adapters, views) and checks,
 * turn by turn, that the conversation rests in the plan's state and the bot says exactly the
 * plan's replies. The world arranges each actor outcome as that actor starts.
 */
export async function runPlan(plan: Plan, scenario: Scenario): Promise<void> {
  const dataDir = tempDataDir();
  const world = createWorld(scenario);
  const cita = createCita({
    shop: scenario.shop,
    clock: world.clock,
    dataDir,
    adapters: {
      calendar: world.calendar,
      holds: world.holds,
      waitlist: world.waitlist,
      optOuts: world.optOuts,
      history: world.history,
    },
    inspect: world.inspect,
  });
  // The model names an appointment booked in the conversation BOOKED_HERE (a group's others
  // bookedHereCompanion(i)); the engine's are hashes with a random token.
  let booked: string[] = [BOOKED_HERE];
  const real = <T>(value: T): T => {
    let json = JSON.stringify(value);
    for (const [i, id] of booked.entries()) json = json.replaceAll(i === 0 ? BOOKED_HERE : bookedHereCompanion(i), id);
    return JSON.parse(json);
  };
  try {
    for (const [i, turn] of plan.turns.entries()) {
      const where = `turn ${i + 1} (${turn.says})`;
      world.expect(turn.actors);
      const bookedBefore = await bookedOf(cita, scenario.phone);
      const replies = await cita.converse(scenario.phone, real(turn.content) as InboundMessage['content'], {
        customerName: scenario.customerName,
      });
      const { missing, started } = world.settle();
      expect(missing, `${where}: actors that never ran (ran: ${started.join(', ') || 'none'})`).toEqual([]);
      expect(await stateOf(cita, scenario.phone), `${where}: state`).toBe(turn.state);
      booked = (await bookingIdsOf(cita, scenario.phone)) ?? booked;
      // The calendar file is the engine's, not the view's: it follows exactly the turns that booked or moved.
      const files = replies.filter((reply) => reply.kind === 'document');
      const bookedNow = turn.state === 'booked' ? await bookedOf(cita, scenario.phone) : undefined;
      expect(files.length, `${where}: calendar file`).toBe(bookedNow && bookedNow !== bookedBefore ? 1 : 0);
      expect(
        replies.filter((reply) => reply.kind !== 'document'),
        `${where}: replies`,
      ).toEqual(real(turn.replies));
    }
  } finally {
    await cita.stop();
    world.close();
  }
}

/** The conversation's last booking, as id and times: a new one (or a move) gets a calendar file. */
async function bookedOf(cita: ReturnType<typeof createCita>, phone: string): Promise<string | undefined> {
  const { conversation } = await cita.conversations.load(phone);
  const booking = (
    conversation?.snapshot as { context?: { booking?: { id: string; start: string; barberId?: string } } } | undefined
  )?.context?.booking;
  return booking && `${booking.id} ${booking.start} ${booking.barberId ?? ''}`;
}

async function bookingIdsOf(cita: ReturnType<typeof createCita>, phone: string): Promise<string[] | undefined> {
  const { conversation } = await cita.conversations.load(phone);
  const booking = (
    conversation?.snapshot as { context?: { booking?: { id: string; companions?: { id: string }[] } } } | undefined
  )?.context?.booking;
  return booking && [booking.id, ...(booking.companions ?? []).map((c) => c.id)];
}
