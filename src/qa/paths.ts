import { getShortestPaths, getSimplePaths, type StatePath, type TraversalOptions } from '@xstate/graph';
import { BUSY, bookingMachine } from '../../machines/booking.machine.ts';
import { type Candidate, candidatesFor, serializeCandidateEvent } from './events.ts';
import { firstMessageSnapshot, type ModelSnapshot, serializeModelState, step } from './model.ts';
import { type Plan, planOf } from './plans.ts';
import type { Scenario } from './scenario.ts';
import { machineStates, machineTransitions, transitionLabel } from './transitions.ts';

/**
 * Test plans generated from the booking machine's graph (@xstate/graph): the shortest path to every state, the shortest path through every transition
 * and every payload or actor outcome, and the simple paths of the main flow to `booked`.
 */

/** Event types of the main flow: a customer who books without detours. */
const MAIN_FLOW = new Set([
  'GREET',
  'BOOK_ANOTHER',
  // A chain's customer picks the location first; one shop offers none.
  'SELECT_LOCATION',
  'SELECT_SERVICE',
  'SELECT_BARBER',
  'PICK_DATE',
  'PICK_TIME',
  'CONFIRM',
]);

/**
 * How many steps (events, actor outcomes included) a path may take. The conversation's state space
 * has no end (a customer can book again and again), so the graph is walked breadth-first to this
 * depth: every state first met within it is met by its shortest path.
 */
export const MAX_STEPS = 10;

/**
 * The buttons of messages cita starts on its own (a freed time's *Reservar* / *No, gracias*) and
 * "no más avisos" answer those messages, not the step the customer was at: each lets go of what was
 * in progress and starts over, the same from every step. They are tried from the first message and
 * from a step holding a slot (the one thing there is to let go), and what follows them is walked
 * only to where the conversation rests again (a detour): from there on it is a fresh conversation
 * the rest of the walk already covers. Walked on, a *Reservar* that books in three steps would open
 * everything after `booked` seven steps early, and the walk would no longer fit in memory.
 */
export const DETOURS = new Set(['TAKE_WAITLIST_OFFER', 'DECLINE_WAITLIST_OFFER', 'STOP_MESSAGES']);

/** The main flow's simple paths are many orderings of the same choices: the shortest few say enough. */
export const MAIN_FLOW_PATHS = 12;

/**
 * Transitions no customer or world can take through the engine, and why. Each is a question for
 * the machine's owner: a transition listed here is dead and should go, unless its reason names
 * the test that takes it instead.
 */
export const UNREACHABLE: Record<string, string> = {
  'booking on ASK_FOR_PERSON #1':
    'only a shop without staff phones takes it, and the paths play a shop with one; tests/staff/staff-commands.test.ts takes it ("a shop with no staff")',
  'booking.withStaff on MESSAGE_RECEIVED #0':
    'needs the clock to move past the quiet period, and the generated paths keep one instant; tests/staff/staff-commands.test.ts takes it ("returns the customer after the quiet period")',
};

type GraphEvent = Candidate['event'];
type Options = TraversalOptions<ModelSnapshot, GraphEvent, unknown>;

export interface PathSuite {
  scenario: Scenario;
  plans: Plan[];
  coverage: Coverage;
}

export interface Coverage {
  states: { total: number; reached: string[]; missed: string[] };
  transitions: { total: number; covered: number; missed: string[]; allowed: string[] };
  variants: { total: number; covered: number; missed: string[] };
  graph: { states: number; edges: number };
}

/** `maxSteps` below MAX_STEPS: only the plans that shallow a walk finds, for a test that needs no more. */
export function generatePaths(scenario: Scenario, { maxSteps = MAX_STEPS } = {}): PathSuite {
  const meta = new WeakMap<object, Candidate>();
  const eventsOf = (snapshot: ModelSnapshot, keep: (c: Candidate) => boolean = () => true) =>
    candidatesFor(snapshot, scenario)
      .filter(keep)
      .map((candidate) => {
        meta.set(candidate.event, candidate);
        return candidate.event;
      });
  const { logic, stopWhen, walked, walkedAll, keyOf: stateKey } = walkedMachine(maxSteps);
  const start = firstMessageSnapshot(scenario);
  const detourFrom = (snapshot: ModelSnapshot) => snapshot === start || snapshot.context.hold !== undefined;
  const options = {
    fromState: start,
    stopWhen,
    events: (snapshot: ModelSnapshot) => eventsOf(snapshot, (c) => !DETOURS.has(c.event.type) || detourFrom(snapshot)),
    serializeState: stateKey,
    serializeEvent: serializeCandidateEvent,
  } as unknown as Options;
  // Each path's steps open with the initial state reached by `xstate.init`, which no one sends.
  const candidatesOf = (path: StatePath<ModelSnapshot, GraphEvent>) =>
    path.steps.filter((s) => (s.event.type as string) !== 'xstate.init').map((s) => meta.get(s.event)!);

  const shortest = getShortestPaths(logic, options as never) as StatePath<ModelSnapshot, GraphEvent>[];
  walkedAll();
  const pathTo = new Map(shortest.map((path) => [stateKey(path.state), candidatesOf(path)]));

  // Finishes a path that stops while an actor runs with the first (happy) outcome of each actor.
  const toRest = (candidates: Candidate[], end: ModelSnapshot) => {
    let snapshot = end;
    const finished = [...candidates];
    while (snapshot.hasTag(BUSY)) {
      const [outcome] = candidatesFor(snapshot, scenario);
      finished.push(outcome);
      snapshot = step(snapshot, outcome.event).snapshot;
    }
    return finished;
  };

  const plans = new Map<string, Plan>();
  const add = (kind: Plan['kind'], goal: string, candidates: Candidate[]) => {
    const plan = planOf(kind, goal, candidates, scenario);
    if (!plans.has(plan.id)) plans.set(plan.id, plan);
  };

  // 1. The shortest way to each state the conversation can rest in.
  const byState = new Map<string, Candidate[]>();
  for (const path of shortest) {
    const value = String(path.state.value);
    const candidates = candidatesOf(path);
    if (path.state.hasTag(BUSY) || candidates.length === 0) continue;
    if (!byState.has(value) || byState.get(value)!.length > candidates.length) byState.set(value, candidates);
  }
  for (const [value, candidates] of byState) add('state', `reaches ${value}`, candidates);

  // 2 and 3. The shortest way through each transition and each payload or outcome.
  const transitions = machineTransitions();
  const keyOf = new Map<object, string>(transitions.map((t) => [t.definition, t.key]));
  const firstEdge = new Map<string, { length: number; candidates: Candidate[]; end: ModelSnapshot }>();
  const offer = (goal: string, candidates: Candidate[], end: ModelSnapshot) => {
    const known = firstEdge.get(goal);
    if (!known || known.length > candidates.length) firstEdge.set(goal, { length: candidates.length, candidates, end });
  };
  for (const edge of walked) {
    const prefix = pathTo.get(stateKey(edge.from));
    if (!prefix) continue;
    const candidate = meta.get(edge.event)!;
    const candidates = [...prefix, candidate];
    for (const taken of edge.transitions) offer(`transition:${keyOf.get(taken)}`, candidates, edge.to);
    offer(`variant:${candidate.label}`, candidates, edge.to);
  }
  const labelOfKey = new Map(transitions.map((t) => [t.key, transitionLabel(t)]));
  for (const [goal, { candidates, end }] of firstEdge) {
    const [kind, name] = [goal.slice(0, goal.indexOf(':')), goal.slice(goal.indexOf(':') + 1)];
    if (kind === 'transition') add('transition', `covers ${labelOfKey.get(name)}`, toRest(candidates, end));
    else add('variant', `uses ${name}`, toRest(candidates, end));
  }

  // 4. The main flow: simple paths to `booked` with the first payload of each step and happy actors.
  const firstOfType = (snapshot: ModelSnapshot) => {
    const seen = new Set<string>();
    return eventsOf(snapshot, (c) => (c.actor ? true : MAIN_FLOW.has(c.event.type))).filter((event) => {
      const key = meta.get(event)!.actor ?? event.type;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  };
  const simple = getSimplePaths(logic, {
    ...options,
    events: firstOfType,
    toState: (snapshot: ModelSnapshot) => snapshot.matches('booked'),
    stopWhen: (snapshot: ModelSnapshot) => snapshot.matches('booked') || stopWhen(snapshot),
  } as never) as StatePath<ModelSnapshot, GraphEvent>[];
  simple
    .filter((path) => path.state.matches('booked'))
    .sort((a, b) => a.steps.length - b.steps.length)
    .slice(0, MAIN_FLOW_PATHS)
    .forEach((path, i) => {
      add('main flow', `books, main flow #${i + 1}`, candidatesOf(path));
    });

  const kept = withoutPrefixes([...plans.values()]);
  return {
    scenario,
    plans: kept,
    coverage: coverageOf(kept, pathTo.size, walked.length, [...firstEdge.keys()]),
  };
}

/**
 * The booking machine as the traversal walks it: each step is recorded as an edge with the
 * transitions it took, and counted from the start so the walk stops at `steps`. The walk is
 * breadth-first, so the first count recorded for a snapshot is its shortest. A snapshot on a detour
 * (see DETOURS) is a state of its own, and the walk stops where the detour comes to rest.
 */
function walkedMachine(steps: number) {
  const depth = new WeakMap<object, number>();
  const onDetour = new WeakSet<object>();
  const walked: { from: ModelSnapshot; event: GraphEvent; to: ModelSnapshot; transitions: object[] }[] = [];
  const keyOf = (snapshot: ModelSnapshot) =>
    `${onDetour.has(snapshot) ? 'detour ' : ''}${serializeModelState(snapshot)}`;
  // Most steps end in a state met before (the team shop: 570k steps, 28k states). The traversal
  // keeps every step's end, so each is swapped for the first snapshot met with its key: one object
  // per state instead of per step (4 GB and half the CPU in garbage collection without it). The
  // first met is the one the breadth-first walk expands, at its shortest depth.
  // Only while the graph is walked breadth-first: the main flow's depth-first walk counts a
  // state's depth along its own path.
  let canonical: Map<string, ModelSnapshot> | undefined = new Map();
  const logic = Object.create(bookingMachine) as typeof bookingMachine;
  logic.transition = (from, event) => {
    const { snapshot: next, transitions } = step(from, event);
    if (DETOURS.has(event.type) || onDetour.has(from)) onDetour.add(next);
    if (canonical === undefined) {
      depth.set(next, (depth.get(from) ?? 0) + 1);
      return next;
    }
    const key = keyOf(next);
    let to = canonical.get(key);
    if (to === undefined) {
      to = next;
      canonical.set(key, to);
      depth.set(to, (depth.get(from) ?? 0) + 1);
    }
    walked.push({ from, event: event as GraphEvent, to, transitions });
    return to;
  };
  return {
    logic,
    walked,
    keyOf,
    /** The breadth-first walk is over: `walked` holds its steps, and later steps are not recorded. */
    walkedAll: () => {
      canonical = undefined;
    },
    stopWhen: (snapshot: ModelSnapshot) =>
      (depth.get(snapshot) ?? 0) >= steps || (onDetour.has(snapshot) && !snapshot.hasTag(BUSY)),
  };
}

/** Drops a plan whose turns another plan starts with: the longer one checks the same steps. */
function withoutPrefixes(plans: Plan[]): Plan[] {
  const ids = plans.map((plan) => plan.id);
  return plans.filter((plan) =>
    plan.kind !== 'state' && plan.kind !== 'main flow'
      ? !ids.some((other) => other !== plan.id && other.startsWith(`${plan.id} › `))
      : true,
  );
}

function coverageOf(plans: Plan[], graphStates: number, edges: number, goals: string[]): Coverage {
  const transitions = machineTransitions();
  const taken = new Set(plans.flatMap((plan) => [...plan.transitions]));
  const missed = transitions.filter((t) => !taken.has(t.definition));
  const states = machineStates();
  const reachedNodes = new Set(
    [...taken].flatMap((definition) => ((definition as { target?: { id: string }[] }).target ?? []).map((t) => t.id)),
  );
  reachedNodes.add(bookingMachine.root.states[bookingMachine.root.initial!.target[0].key]?.id ?? '');
  const used = new Set(plans.flatMap((plan) => plan.variants));
  const variants = goals.filter((goal) => goal.startsWith('variant:')).map((goal) => goal.slice('variant:'.length));
  return {
    states: {
      total: states.length,
      reached: states.filter((s) => reachedNodes.has(s.id)).map((s) => s.key),
      missed: states.filter((s) => !reachedNodes.has(s.id)).map((s) => s.key),
    },
    transitions: {
      total: transitions.length,
      covered: transitions.length - missed.length,
      missed: missed.filter((t) => !(t.key in UNREACHABLE)).map((t) => `${t.key}: ${transitionLabel(t)}`),
      allowed: missed.filter((t) => t.key in UNREACHABLE).map((t) => `${t.key}: ${UNREACHABLE[t.key]}`),
    },
    variants: {
      total: variants.length,
      covered: variants.filter((v) => used.has(v)).length,
      missed: variants.filter((v) => !used.has(v)),
    },
    graph: { states: graphStates, edges },
  };
}
