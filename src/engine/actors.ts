import { type Actor, type AnyStateMachine, createActor, type InspectionEvent, waitFor } from 'xstate';
import { BUSY } from '../../machines/booking.machine.ts';
import { log, phoneRef } from '../log.ts';

/** How long one message may keep the calendar and holds busy before the engine gives up on it. */
export const SETTLE_TIMEOUT_MS = 30_000;

/**
 * A phone's machine restored from its saved snapshot, or started afresh when there is none or it
 * no longer fits the machine (`lost` then says an apology is due).
 */
export function restoreActor<M extends AnyStateMachine>(
  machine: M,
  {
    phone,
    input,
    saved,
    inspect,
    beforeStart,
  }: {
    phone: string;
    input: unknown;
    /** The saved snapshot, and whether it is of this machine and version at all. */
    saved: { snapshot: unknown; fits: boolean } | undefined;
    inspect?: (event: InspectionEvent) => void;
    /** Called with the actor before it starts (and runs anything the snapshot left running). */
    beforeStart?: (actor: Actor<M>) => void;
  },
): { actor: Actor<M>; lost: boolean } {
  const snapshot = saved?.fits ? saved.snapshot : undefined;
  if (snapshot !== undefined) {
    try {
      const actor = createActor(machine, { input, snapshot: snapshot as never, inspect } as never) as Actor<M>;
      // A snapshot naming a state the machine no longer has leaves the actor in error: observed
      // here, so it is answered with a fresh start instead of an unhandled error.
      actor.subscribe({ error: () => {} });
      beforeStart?.(actor);
      actor.start();
      if ((actor.getSnapshot() as { status: string }).status === 'active') return { actor, lost: false };
      actor.stop();
    } catch (error) {
      log.warn({ event: 'conversation.unreadable', phoneRef: phoneRef(phone), error: String(error) });
    }
  }
  const actor = createActor(machine, { input, inspect } as never) as Actor<M>;
  beforeStart?.(actor);
  actor.start();
  return { actor, lost: saved !== undefined };
}

/** Waits until no invoked actor (availability, hold, booking, agenda…) is still running. */
export async function settle(actor: Actor<AnyStateMachine>): Promise<void> {
  const snapshot = await waitFor(actor, (s) => !s.hasTag(BUSY) || s.status !== 'active', {
    timeout: SETTLE_TIMEOUT_MS,
  });
  if (snapshot.status === 'error') throw snapshot.error;
}

/** A state value as one name: "confirming", or "a.b" for a nested state. */
export function stateName(value: unknown): string {
  if (typeof value === 'string') return value;
  const [[parent, child]] = Object.entries(value as Record<string, unknown>);
  return `${parent}.${stateName(child)}`;
}
