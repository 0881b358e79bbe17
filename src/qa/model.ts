import {
  type AnyStateMachine,
  type AnyTransitionDefinition,
  createEmptyActor,
  initialTransition,
  type SnapshotFrom,
  type TransitionDefinition,
} from 'xstate';
import type { Booking } from '../../machines/booking.context.ts';
import { type BookingMachine, bookingMachine } from '../../machines/booking.machine.ts';
import type { BookingEvent } from '../../machines/events.ts';
import { bookingInputFor } from '../engine/conversation.ts';
import type { Scenario } from './scenario.ts';

/**
 * The booking machine as the path generator sees it: pure transitions (no actor runs, no action
 * executes), with the transitions each step took recorded for the coverage report.
 */
export type ModelSnapshot = SnapshotFrom<BookingMachine>;

/** A conversation the engine has just created, before its first message. */
export function newConversation(scenario: Scenario): ModelSnapshot {
  return initialTransition(bookingMachine, bookingInputFor(scenario.shop))[0];
}

/** A new conversation at the moment its first message arrives: where every path starts. */
export function firstMessageSnapshot(scenario: Scenario): ModelSnapshot {
  return step(newConversation(scenario), messageReceived(scenario)).snapshot;
}

/** The engine opens every customer message with this event; it is how `receivedAt` is set. */
export function messageReceived(scenario: Scenario): BookingEvent {
  return { type: 'MESSAGE_RECEIVED', at: scenario.now };
}

/** One event through the machine, and the transitions it took (eventless ones included). */
export function step(snapshot: ModelSnapshot, event: BookingEvent | { type: string }) {
  return pureStep(bookingMachine, snapshot, event);
}

/** One event through any machine, purely (no actor runs, no action executes), with the transitions taken. */
export function pureStep<M extends AnyStateMachine>(machine: M, snapshot: SnapshotFrom<M>, event: { type: string }) {
  const taken: AnyTransitionDefinition[] = [];
  const scope = recordingScope(taken);
  const next = machine.transition(snapshot, event as never, scope as never) as SnapshotFrom<M>;
  return { snapshot: next, transitions: taken as TransitionDefinition<never, never>[] };
}

/** What the machine is waiting on: the invoked actors of its active states, with their inputs. */
export function runningActors(snapshot: ModelSnapshot): { id: string; src: string; input: unknown }[] {
  return snapshot._nodes.flatMap((node) =>
    node.invoke.map((invoke) => ({
      id: invoke.id,
      src: String(invoke.src),
      // The machine's input mappers read only the context; no event or actor exists in a pure walk.
      input: typeof invoke.input === 'function' ? invoke.input({ context: snapshot.context } as never) : invoke.input,
    })),
  );
}

/** The customer's appointments as far as this conversation knows: looked up, or booked here. */
export function knownAppointments(snapshot: ModelSnapshot): Booking[] {
  const { bookings, booking } = snapshot.context;
  const byId = new Map(bookings.map((b) => [b.id, b]));
  if (booking) byId.set(booking.id, booking);
  // A group's other appointments are the customer's too.
  for (const companion of booking?.companions ?? []) byId.set(companion.id, companion);
  return [...byId.values()].sort((a, b) => a.start.localeCompare(b.start));
}

// The traversal asks for a snapshot's key each time it meets it (as a step's end, then as the next
// steps' start): hundreds of thousands of stringified contexts, half of them asked for before.
const serialized = new WeakMap<ModelSnapshot, string>();

/** The state as the generator tells states apart: one-turn notes and the constant clock left out. */
export function serializeModelState(snapshot: ModelSnapshot): string {
  const known = serialized.get(snapshot);
  if (known !== undefined) return known;
  const key = keyOf(snapshot);
  serialized.set(snapshot, key);
  return key;
}

function keyOf(snapshot: ModelSnapshot): string {
  const { notes: _notes, receivedAt: _receivedAt, misreadInARow, ...context } = snapshot.context;
  // With barbers, the misread run would multiply every barber state by three; the one-chair shop's
  // paths walk the run to a person, so the three-barber shop's need not.
  return JSON.stringify({ value: snapshot.value, context, ...(!context.barbers && { misreadInARow }) });
}

function recordingScope(taken: AnyTransitionDefinition[]) {
  const empty = createEmptyActor();
  const system = Object.create(empty.system) as typeof empty.system & {
    _sendInspectionEvent: (event: { type: string; _transitions?: AnyTransitionDefinition[] }) => void;
  };
  system._sendInspectionEvent = (event) => {
    if (event.type === '@xstate.microstep') taken.push(...(event._transitions ?? []));
  };
  return {
    self: empty,
    logger: () => {},
    id: '',
    sessionId: 'qa',
    defer: () => {},
    system,
    stopChild: () => {},
    emit: () => {},
    actionExecutor: () => {},
  };
}
