import { staffMemberFor } from '../../config/schema.ts';
import { log, phoneRef } from '../log.ts';
import { OutboundMessage } from '../messages/whatsapp.ts';
import { type BookingFlowDependencies, bookingTurn } from './booking-flow.ts';
import type { FlowTurn } from './flow.ts';
import type { ConversationStore, InboundMessage } from './ports.ts';
import { type StaffFlowDependencies, staffTurn } from './staff-flow.ts';
import { botTurn, customerTurn, RECENT_TURNS } from './turns.ts';

export { SETTLE_TIMEOUT_MS } from './actors.ts';
export { acceptedEvents, bookingInputFor, situationOf } from './booking-flow.ts';
export { RECENT_TURNS } from './turns.ts';

export interface EngineDependencies extends BookingFlowDependencies, StaffFlowDependencies {
  conversations: ConversationStore;
  /** Told the step a conversation rests in after a message, when it changed (the booking funnel's metrics). */
  onStateEntered?: (state: string) => void;
}

/** Two workers handled the same phone at once; the message is retried against the newer conversation. */
export class ConversationConflict extends Error {}

/**
 * Handles one message from start to end: decide by the phone who is writing (a staff phone from
 * the config gets the staff machine, anyone else the booking machine), run it through that
 * phone's machine, save, and answer. Both machines share this path: one store, one dedup, one
 * record of turns.
 */
export class ConversationEngine {
  readonly #deps: EngineDependencies;

  constructor(deps: EngineDependencies) {
    this.#deps = deps;
  }

  async handle(message: InboundMessage): Promise<OutboundMessage[]> {
    const { shop, conversations } = this.#deps;
    const { conversation: stored, version } = await conversations.load(message.phone);
    // Redelivered after a crash between saving and acknowledging: answer again, do nothing twice.
    if (stored?.lastMessageId === message.id) return stored.replies.map((reply) => OutboundMessage.parse(reply));

    const member = staffMemberFor(shop, message.phone);
    const turn: FlowTurn = member
      ? await staffTurn(message, stored, member, this.#deps)
      : await bookingTurn(message, stored, this.#deps);
    const stateBefore = stored && stored.machine === turn.machine ? stateOf(stored.snapshot) : undefined;
    const saved = await conversations.save(
      message.phone,
      {
        machine: turn.machine,
        machineVersion: turn.machineVersion,
        snapshot: turn.snapshot,
        lastMessageId: message.id,
        replies: turn.replies,
        turns: [...(stored?.turns ?? []), customerTurn(message), ...turn.replies.map(botTurn)].slice(-RECENT_TURNS),
      },
      version,
    );
    if (!saved) throw new ConversationConflict(`conversation ${phoneRef(message.phone)} changed while handling`);
    if (turn.machine === 'booking' && turn.state !== stateBefore) this.#deps.onStateEntered?.(turn.state);
    log.info(
      { event: 'message.handled', messageId: message.id, phoneRef: phoneRef(message.phone), state: turn.state },
      'message handled',
    );
    return turn.replies;
  }
}

/** The state a saved snapshot rests in, read loosely (it may be of an older machine). */
function stateOf(snapshot: unknown): string | undefined {
  const value = (snapshot as { value?: unknown } | undefined)?.value;
  return typeof value === 'string' ? value : undefined;
}
