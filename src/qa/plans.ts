import { atLocation } from '../../config/schema.ts';
import { BUSY } from '../../machines/booking.machine.ts';
import type { BookingEvent } from '../../machines/events.ts';
import { renderReplies } from '../messages/views.ts';
import type { OutboundMessage } from '../messages/whatsapp.ts';
import type { Candidate } from './events.ts';
import { type ModelSnapshot, messageReceived, newConversation, step } from './model.ts';
import { type CustomerMessage, messageFor } from './phrases.ts';
import type { Scenario } from './scenario.ts';
import { describeArrangement, type ExpectedActor } from './world.ts';

/**
 * A path turned into what QA runs: one turn per customer message, with what the customer sends,
 * how the world must be while the engine answers, the state the conversation then rests in and the
 * replies the bot must send.
 */
export interface Turn extends CustomerMessage {
  event: BookingEvent;
  actors: (ExpectedActor & { label: string })[];
  state: string;
  replies: OutboundMessage[];
}

export type PlanKind = 'state' | 'transition' | 'variant' | 'main flow';

export interface Plan {
  id: string;
  kind: PlanKind;
  /** What the plan is for: "reaches confirming", "covers choosingSlot: BACK → choosingDate". */
  goal: string;
  turns: Turn[];
  /** Keys of the machine transitions the plan takes (MESSAGE_RECEIVED of each turn included). */
  transitions: Set<object>;
  /** Labels of the payloads and actor outcomes it uses. */
  variants: string[];
}

/** A path's events cut into turns: a customer event opens a turn, actor outcomes belong to it. */
export function turnsOf(candidates: Candidate[]): Candidate[][] {
  const turns: Candidate[][] = [];
  for (const candidate of candidates) {
    if (candidate.actor && turns.length > 0) turns.at(-1)!.push(candidate);
    else turns.push([candidate]);
  }
  return turns;
}

/**
 * Replays a path the way the engine lives it (a fresh MESSAGE_RECEIVED per turn, so notes belong to
 * their turn) and works out each turn's message, world and expected replies.
 */
export function planOf(kind: PlanKind, goal: string, candidates: Candidate[], scenario: Scenario): Plan {
  let snapshot: ModelSnapshot = newConversation(scenario);
  const transitions = new Set<object>();
  const take = (event: BookingEvent | { type: string }) => {
    const next = step(snapshot, event);
    for (const transition of next.transitions) transitions.add(transition);
    snapshot = next.snapshot;
  };
  const turns = turnsOf(candidates).map(([opening, ...outcomes]): Turn => {
    take(messageReceived(scenario));
    const event = opening.event as BookingEvent;
    const message = messageFor(event, snapshot, scenario);
    take(event);
    for (const outcome of outcomes) take(outcome.event);
    if (snapshot.hasTag(BUSY)) throw new Error(`a turn of "${goal}" ends while ${String(snapshot.value)} is busy`);
    const state = String(snapshot.value);
    return {
      ...message,
      event,
      actors: outcomes.map(({ actor, arrange, label }) => ({ actor: actor!, label, ...(arrange && { arrange }) })),
      state,
      // A hand-back is the staff's, not the customer's: the bot answers nothing until they write.
      replies:
        event.type === 'HANDED_BACK' || event.type === 'STAFF_WROTE'
          ? []
          : renderReplies({ state, context: snapshot.context }, atLocation(scenario.shop, snapshot.context.locationId)),
    };
  });
  const variants = candidates.map((candidate) => candidate.label);
  const id = candidates.map((candidate) => candidate.label).join(' › ');
  return { id, kind, goal, turns, transitions, variants };
}

/** A plan as test plans print it: numbered turns, one line each, then the bot's first line. */
export function printPlan(plan: Plan, index: number): string {
  const lines = [`${index + 1}. ${plan.goal} (${plan.kind})`];
  plan.turns.forEach((turn, i) => {
    const world = turn.actors
      .filter((actor) => actor.arrange)
      .map((actor) => `${actor.label}: ${describeArrangement(actor.arrange!)}`)
      .join('; ');
    const bot = firstLine(turn.replies);
    lines.push(`   ${i + 1}. customer ${turn.says}${world ? ` [world: ${world}]` : ''} → ${turn.state} · bot: ${bot}`);
  });
  return lines.join('\n');
}

/** The first line of what the bot says in a turn. */
export function firstLine(replies: OutboundMessage[]): string {
  return replies[0]?.body.split('\n')[0] ?? '';
}

/** A plan for tools: the JSON `npm run paths` writes. */
export function planJson(plan: Plan) {
  return {
    id: plan.id,
    kind: plan.kind,
    goal: plan.goal,
    steps: plan.turns.map((turn, i) => ({
      step: i + 1,
      send: turn.content,
      says: turn.says,
      event: turn.event,
      actors: turn.actors,
      state: turn.state,
      bot: firstLine(turn.replies),
    })),
  };
}
