import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import { staffMemberFor } from '../../config/schema.ts';
import { log, phoneRef } from '../log.ts';
import { replyIdFor } from '../messages/reply-ids.ts';
import { OutboundMessage } from '../messages/whatsapp.ts';
import { type BookingFlowDependencies, bookingTurn, type LiveBookingActor } from './booking-flow.ts';
import type { FlowTurn } from './flow.ts';
import type { ConversationStore, InboundMessage, SentMessageIds, StoredConversation } from './ports.ts';
import { type StaffFlowDependencies, staffTurn } from './staff-flow.ts';
import { botTurn, customerTurn, RECENT_TURNS } from './turns.ts';

export { SETTLE_TIMEOUT_MS } from './actors.ts';
export { acceptedEvents, bookingInputFor, situationOf, YES_REACTIONS } from './booking-flow.ts';
export { RECENT_TURNS } from './turns.ts';

export interface EngineDependencies extends BookingFlowDependencies, StaffFlowDependencies {
  conversations: ConversationStore;
  /** Told the step a conversation rests in after a message, when it changed (the booking funnel's metrics). */
  onStateEntered?: (state: string) => void;
}

/** Two workers handled the same phone at once; the message is retried against the newer conversation. */
export class ConversationConflict extends Error {}

/**
 * Booking actors kept running between a phone's messages, in the whole process (every shop's
 * engines together): about the phones in hand at once. Some 5 KB each (a day's free times are
 * shared, see `sharedSlots`).
 */
export const LIVE_ACTORS = 1_000;
/** How long a live actor waits for its phone's next message. */
const LIVE_ACTOR_TTL_MS = 30 * 60_000;

/**
 * The live actors of every engine, by engine and phone: an engine serves one version of one
 * shop's file, so a changed file (a new engine) starts with none, and the actors of the one it
 * replaced are evicted in their turn.
 */
const liveActors = new LRUCache<string, LiveEntry>({
  max: LIVE_ACTORS,
  // Well inside a conversation's 24 hours, so a conversation forgotten and begun again at the
  // same version can never meet an old actor.
  ttl: LIVE_ACTOR_TTL_MS,
  dispose: (entry, _key, reason) => {
    if (reason !== 'delete') entry.actor.stop();
  },
});
let engines = 0;

/** A phone's actor after its last turn, and the stored conversation that turn saved (its version and message). */
interface LiveEntry {
  actor: LiveBookingActor;
  version: number;
  lastMessageId: string;
}

/**
 * Handles one message from start to end: decide by the phone who is writing (a staff phone from
 * the config gets the staff machine, anyone else the booking machine), run it through that
 * phone's machine, save, and answer. Both machines share this path: one store, one dedup, one
 * record of turns.
 */
export class ConversationEngine {
  readonly #deps: EngineDependencies;
  /**
   * Which engine this is, in `liveActors`: the last turn's actor by phone. Restoring an actor
   * from its snapshot (the snapshot checked against the shop, the actor created and started) was
   * about a tenth of a message's CPU in process. It is used only when the conversation loaded is
   * the very one that turn saved (same version, same last message): any other writer (another
   * process, a later save) makes it stale, and it is stopped. The snapshot is still saved every
   * message, so nothing is lost with the process.
   */
  readonly #id = ++engines;

  constructor(deps: EngineDependencies) {
    this.#deps = deps;
  }

  #key(phone: string): string {
    return `${this.#id}:${phone}`;
  }

  /** Stops this engine's live actors (the shop's file changed, or the process stops). */
  close(): void {
    const prefix = `${this.#id}:`;
    for (const key of [...liveActors.keys()]) {
      const entry = key.startsWith(prefix) ? liveActors.peek(key) : undefined;
      if (!entry) continue;
      liveActors.delete(key);
      entry.actor.stop();
    }
  }

  /** The phone's live actor if it is the one that made the conversation loaded; a stale one is stopped. */
  #liveActor(phone: string, stored: StoredConversation | undefined, version: number): LiveBookingActor | undefined {
    const entry = liveActors.get(this.#key(phone));
    if (!entry) return undefined;
    liveActors.delete(this.#key(phone));
    if (stored?.machine === 'booking' && entry.version === version && entry.lastMessageId === stored.lastMessageId) {
      return entry.actor;
    }
    entry.actor.stop();
    return undefined;
  }

  /**
   * Handles one message and returns the replies. `replyComing` is called as soon as it is known
   * that a reply will follow, before the slow part (rules, LLM, transcription, calendar): not for
   * a customer a person has (`withStaff`), nor for a reaction that answers nothing.
   */
  async handle(
    message: InboundMessage,
    { replyComing }: { replyComing?: () => void } = {},
  ): Promise<OutboundMessage[]> {
    return this.#handle(message, { startOver: false, replyComing });
  }

  async #handle(
    message: InboundMessage,
    { startOver, replyComing }: { startOver: boolean; replyComing?: () => void },
  ): Promise<OutboundMessage[]> {
    const { shop, conversations } = this.#deps;
    const { conversation: stored, version } = await conversations.load(message.phone);
    // Redelivered after a crash between saving and acknowledging: answer again, do nothing twice.
    if (stored?.lastMessageId === message.id) return stored.replies.map((reply) => OutboundMessage.parse(reply));

    // Taken out of the cache for this turn: put back only by a turn that saved.
    const live = this.#liveActor(message.phone, stored, version);
    const member = staffMemberFor(shop, message.phone);
    // The shop writing from the WhatsApp Business app: to a staff phone it is colleagues talking,
    // and a shop may choose to let the bot go on talking regardless.
    if (message.content.kind === 'staffWrote' && (member || !shop.handoff.fromBusinessApp)) {
      live?.stop();
      log.info({ event: 'handoff.staff_wrote_ignored', toStaff: Boolean(member), phoneRef: phoneRef(message.phone) });
      return [];
    }
    let turn: FlowTurn;
    try {
      if (member) replyComing?.();
      if (member) live?.stop();
      turn = member
        ? await staffTurn(message, startOver ? undefined : stored, member, this.#deps)
        : await bookingTurn(message, stored, this.#deps, { startOver, replyComing, live });
    } catch (error) {
      // A saved conversation the code cannot handle (a bug, or a config change nothing foresaw)
      // would fail this message and every later one: it is started over with an apology instead.
      if (startOver || !stored || !isFaultInCode(error)) throw error;
      log.error(
        { event: 'conversation.started_over', phoneRef: phoneRef(message.phone), error },
        'saved conversation failed; started over',
      );
      return this.#handle(message, { startOver: true, replyComing });
    }
    // A reaction that answers nothing changes nothing: not even the record of turns.
    if (turn.ignored) {
      turn.live?.stop();
      return [];
    }
    const stateBefore = stored && !startOver && stored.machine === turn.machine ? stateOf(stored.snapshot) : undefined;
    const saving = conversations.save(
      message.phone,
      {
        machine: turn.machine,
        machineVersion: turn.machineVersion,
        snapshot: turn.snapshot,
        lastMessageId: message.id,
        replies: turn.replies,
        turns: [...(stored?.turns ?? []), customerTurn(message, turn.heard), ...turn.replies.map(botTurn)].slice(
          -RECENT_TURNS,
        ),
        // No `question` carried over: an older question must not confirm, and the one just
        // rendered is recorded once it is sent (rememberQuestion).
        photos: photosKept(stored, message),
      },
      version,
    );
    const saved = await saving.catch((error) => {
      turn.live?.stop();
      throw error;
    });
    if (!saved) {
      turn.live?.stop();
      throw new ConversationConflict(`conversation ${phoneRef(message.phone)} changed while handling`);
    }
    // What was saved is this actor's snapshot, at the version after the one loaded.
    if (turn.live)
      liveActors.set(this.#key(message.phone), { actor: turn.live, version: version + 1, lastMessageId: message.id });
    if (turn.machine === 'booking' && turn.state !== stateBefore) this.#deps.onStateEntered?.(turn.state);
    log.info(
      {
        event: 'message.handled',
        messageId: message.id,
        phoneRef: phoneRef(message.phone),
        state: turn.state,
        replies: turn.replies.length,
      },
      'message handled',
    );
    return turn.replies;
  }

  /**
   * Records which WhatsApp message is the confirmation question the customer was just sent, and
   * the hold it asked about, so that a ✅ on exactly that message confirms exactly that slot.
   * Called after the turn's replies went out; a newer message handled meanwhile wins.
   */
  async rememberQuestion(message: InboundMessage, replies: OutboundMessage[], sent: SentMessageIds): Promise<void> {
    const messageId = sent[replies.findIndex(isConfirmationQuestion)];
    if (messageId === undefined) return;
    const { conversations } = this.#deps;
    const { conversation, version } = await conversations.load(message.phone);
    if (conversation?.lastMessageId !== message.id) return;
    const confirming = ConfirmingSnapshot.safeParse(conversation.snapshot);
    if (!confirming.success) return;
    const question = { messageId, holdToken: confirming.data.context.hold.token };
    const saved = await conversations.save(message.phone, { ...conversation, question }, version);
    // The snapshot is as it was: a live actor that made it is still the conversation's.
    const live = liveActors.peek(this.#key(message.phone));
    if (saved && live?.version === version) live.version = version + 1;
  }
}

/** Errors that say the code met something it did not expect, as opposed to a store or network failing (worth retrying). */
function isFaultInCode(error: unknown): boolean {
  if (error instanceof TypeError) return error.message !== 'fetch failed';
  return error instanceof RangeError || error instanceof ReferenceError;
}

/** The state a saved snapshot rests in, read loosely (it may be of an older machine). */
function stateOf(snapshot: unknown): string | undefined {
  const value = (snapshot as { value?: unknown } | undefined)?.value;
  return typeof value === 'string' ? value : undefined;
}

/** Photos kept for the staff: the last few, so the conversation stays small. */
const PHOTOS_KEPT = 3;

function photosKept(stored: StoredConversation | undefined, { content }: InboundMessage): string[] | undefined {
  const photo = content.kind === 'unsupported' && content.type === 'image' ? content.mediaId : undefined;
  if (!photo) return stored?.photos;
  return [...(stored?.photos ?? []), photo].slice(-PHOTOS_KEPT);
}

/** The part of a saved snapshot that says it rests on the confirmation question, and for which hold. */
const ConfirmingSnapshot = z.object({
  value: z.literal('confirming'),
  context: z.object({ hold: z.object({ token: z.string().min(1) }) }),
});

/** The confirmation question: the one reply with the CONFIRM button of the confirming step. */
function isConfirmationQuestion(reply: OutboundMessage): boolean {
  return reply.kind === 'buttons' && reply.buttons.some((button) => button.id === replyIdFor({ type: 'CONFIRM' }));
}
