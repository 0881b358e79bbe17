import { type Actor, getNextTransitions, type SnapshotFrom } from 'xstate';
import type { bookingMachine } from '../../machines/booking.machine.ts';
import { selectedBooking } from '../../machines/booking.machine.ts';
import { type CustomerEvent, YES_EVENTS } from '../../machines/events.ts';
import type { Reading } from '../interpreter/read-message.ts';
import { log } from '../log.ts';

type BookingActor = Actor<typeof bookingMachine>;
type BookingSnapshot = SnapshotFrom<typeof bookingMachine>;

/** Why an event read from a message was not given to the machine. */
export type RefusalReason =
  /** The conversation, as it stands when the event's turn comes, has no transition for it. */
  | 'notAccepted'
  /** A yes to a question the customer was never shown: an earlier event of the same message changed it. */
  | 'confirmNotAsked'
  /** A yes the customer neither tapped nor wrote in words the rules read: a model's, never theirs. */
  | 'notTheirYes';

/**
 * The question a CONFIRM says yes to: the step and everything it names (service, slot, the
 * appointment being cancelled or moved). A different question, even a nearby one, is not the one
 * the customer read.
 */
export function questionOf(snapshot: BookingSnapshot): string {
  const { context } = snapshot;
  return JSON.stringify([
    snapshot.value,
    context.serviceId,
    context.chosenSlot?.start,
    selectedBooking(context)?.id,
    context.moving?.id,
  ]);
}

/**
 * Gives the machine the events read from one message, one at a time, each checked against the
 * conversation as it is at that moment (not as it was when the message was read): an event the
 * current state has no transition for is dropped. A booking, cancellation or move happens only on
 * the customer's own yes to the question that named it: a CONFIRM is applied only when they tapped
 * it or the rules read it (never a model's, whatever a prompt lets through), and only while the
 * conversation still asks the question the customer saw. "18:30, yes" therefore changes the time
 * and asks again about 18:30. Returns whether any event was applied: a refused yes leaves the
 * message not understood, and the question is asked again with its buttons.
 */
export async function applyReading(
  actor: BookingActor,
  { events, yesIsTheirs }: Pick<Reading, 'events' | 'yesIsTheirs'>,
  settle: (actor: BookingActor) => Promise<void>,
  onRefused: (reason: RefusalReason, event: CustomerEvent) => void = () => {},
): Promise<boolean> {
  const asked = questionOf(actor.getSnapshot());
  let applied = false;
  for (const event of events) {
    const snapshot = actor.getSnapshot();
    const reason = refusal(event, snapshot, asked, yesIsTheirs);
    if (reason) {
      log.info(
        { event: 'message.event_refused', type: event.type, reason, state: snapshot.value },
        'event not applied',
      );
      onRefused(reason, event);
      continue;
    }
    applied = true;
    actor.send(event);
    await settle(actor);
  }
  return applied;
}

function refusal(
  event: CustomerEvent,
  snapshot: BookingSnapshot,
  asked: string,
  yesIsTheirs: boolean,
): RefusalReason | undefined {
  if (YES_EVENTS.includes(event.type) && !yesIsTheirs) return 'notTheirYes';
  if (snapshot.status !== 'active') return 'notAccepted';
  const transitions = getNextTransitions(snapshot);
  if (!transitions.some((transition) => transition.eventType === event.type) || !snapshot.can(event)) {
    return 'notAccepted';
  }
  if (event.type === 'CONFIRM' && questionOf(snapshot) !== asked) return 'confirmNotAsked';
  return undefined;
}
