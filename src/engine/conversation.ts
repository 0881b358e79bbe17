import { type Actor, createActor, getNextTransitions, type InspectionEvent, type SnapshotFrom, waitFor } from 'xstate';
import { z } from 'zod';
import type { Language, ShopConfig } from '../../config/schema.ts';
import type { BookingInput, Hold } from '../../machines/booking.context.ts';
import { BOOKING_MACHINE_VERSION, BUSY, bookingMachine } from '../../machines/booking.machine.ts';
import { CUSTOMER_EVENT_TYPES, type CustomerEvent, type CustomerEventType } from '../../machines/events.ts';
import { languageOfPhone } from '../interpreter/phone-language.ts';
import type { Interpreter } from '../interpreter/port.ts';
import { type Reading, readMessage } from '../interpreter/read-message.ts';
import type { Choice, Situation } from '../interpreter/rules/index.ts';
import { log, phoneRef } from '../log.ts';
import { eventFromReplyId, replyIdFor } from '../messages/reply-ids.ts';
import { COPY, renderReplies, stepView } from '../messages/views.ts';
import { OutboundMessage, optionsOf, shorten } from '../messages/whatsapp.ts';
import { applyReading, type RefusalReason } from './apply-reading.ts';
import { type BookingDependencies, bookingActorsFor, heldSlot } from './booking-actors.ts';
import type { ConversationStore, InboundMessage, SentMessageIds, StoredConversation, Turn } from './ports.ts';
import { fitToShop } from './repair.ts';
import type { VoiceNotes } from './voice-notes.ts';

/** How long one message may keep the calendar and holds busy before the engine gives up on it. */
export const SETTLE_TIMEOUT_MS = 30_000;

export interface EngineDependencies extends BookingDependencies {
  conversations: ConversationStore;
  interpreter: Interpreter;
  /** Hears voice notes; without it every voice note gets "please write it". */
  voiceNotes?: VoiceNotes;
  /** Receives every actor's inspection events (the Stately inspector). */
  inspect?: (phone: string) => ((event: InspectionEvent) => void) | undefined;
  /** Told the step a conversation rests in after a message, when it changed (the booking funnel's metrics). */
  onStateEntered?: (state: string) => void;
  /** Told of every event read from a message that the live conversation did not take (metrics). */
  onEventRefused?: (reason: RefusalReason) => void;
}

/** Two workers handled the same phone at once; the message is retried against the newer conversation. */
export class ConversationConflict extends Error {}

type BookingActor = Actor<typeof bookingMachine>;
type BookingSnapshot = SnapshotFrom<typeof bookingMachine>;

/**
 * Handles one customer message from start to end: restore the phone's machine, read the message
 * into events, let the machine decide, save, and render the replies.
 */
export class ConversationEngine {
  readonly #deps: EngineDependencies;

  constructor(deps: EngineDependencies) {
    this.#deps = deps;
  }

  async handle(message: InboundMessage): Promise<OutboundMessage[]> {
    return this.#handle(message, { startOver: false });
  }

  async #handle(message: InboundMessage, { startOver }: { startOver: boolean }): Promise<OutboundMessage[]> {
    const { shop, clock, conversations, interpreter } = this.#deps;
    const { conversation: stored, version } = await conversations.load(message.phone);
    // Redelivered after a crash between saving and acknowledging: answer again, do nothing twice.
    if (stored?.lastMessageId === message.id) return stored.replies.map((reply) => OutboundMessage.parse(reply));

    const releases: Promise<void>[] = [];
    const { actor, lost, repaired } = this.#restore(message, startOver ? undefined : stored, releases);
    const copy = COPY[actor.getSnapshot().context.language];
    const remarks =
      lost || (startOver && stored) ? [copy.remarks.conversationLost] : repaired ? [copy.remarks.choiceGone] : [];
    const stateBefore = stored && !lost && !startOver ? stateName(actor.getSnapshot().value) : undefined;
    try {
      // A conversation saved mid-step (a crash) finishes that step before reading the new message.
      await settle(actor);
      const { content } = message;
      // A reaction is a yes only to the confirmation question on screen; any other one changes nothing and answers nothing.
      if (content.kind === 'reaction' && !confirmsQuestion(content, stored, actor.getSnapshot())) {
        log.info({ event: 'reaction.ignored', phoneRef: phoneRef(message.phone), state: actor.getSnapshot().value });
        return [];
      }
      actor.send({ type: 'MESSAGE_RECEIVED', at: clock().toISOString() });
      const situation = { ...situationOf(actor.getSnapshot(), shop, clock()), recentTurns: stored?.turns ?? [] };
      const voiceNotes = this.#deps.voiceNotes;
      const reading: Reading =
        content.kind === 'reaction'
          ? { events: [{ type: 'CONFIRM' }] }
          : await readMessage(
              content,
              situation,
              interpreter,
              voiceNotes && ((note, lang) => voiceNotes.read(note, lang)),
            );
      const understood = await applyReading(actor, reading.events, settle, this.#deps.onEventRefused);
      const copy = COPY[actor.getSnapshot().context.language];
      if (reading.heard) remarks.push(copy.heard(shorten(reading.heard, HEARD_SHOWN)));
      if (reading.remark) remarks.push(copy.remarks[reading.remark]);
      else if (!understood) {
        actor.send({ type: 'NOT_UNDERSTOOD' });
        await settle(actor);
      }
      await Promise.all(releases);

      const snapshot = actor.getSnapshot();
      const replies = renderReplies({ state: String(snapshot.value), context: snapshot.context }, shop, remarks);
      const saved = await conversations.save(
        message.phone,
        {
          machineVersion: BOOKING_MACHINE_VERSION,
          snapshot: actor.getPersistedSnapshot(),
          lastMessageId: message.id,
          replies,
          turns: [...(stored?.turns ?? []), customerTurn(message, reading), ...replies.map(botTurn)].slice(
            -RECENT_TURNS,
          ),
          // No `question` carried over: an older question must not confirm, and the one just
          // rendered is recorded once it is sent (rememberQuestion).
          photos: photosKept(stored, message),
        },
        version,
      );
      if (!saved) throw new ConversationConflict(`conversation ${phoneRef(message.phone)} changed while handling`);
      const stateAfter = stateName(snapshot.value);
      if (stateAfter !== stateBefore) this.#deps.onStateEntered?.(stateAfter);
      log.info(
        { event: 'message.handled', messageId: message.id, phoneRef: phoneRef(message.phone), state: snapshot.value },
        'message handled',
      );
      return replies;
    } catch (error) {
      // A saved conversation the code cannot handle (a bug, or a config change nothing foresaw)
      // would fail this message and every later one: it is started over with an apology instead.
      if (startOver || !stored || !isFaultInCode(error)) throw error;
      log.error(
        { event: 'conversation.started_over', phoneRef: phoneRef(message.phone), error },
        'saved conversation failed; started over',
      );
      return this.#handle(message, { startOver: true });
    } finally {
      actor.stop();
    }
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
    await conversations.save(message.phone, { ...conversation, question }, version);
  }

  #restore(message: InboundMessage, stored: StoredConversation | undefined, releases: Promise<void>[]) {
    const { shop, holds } = this.#deps;
    const machine = bookingMachine.provide({
      actors: bookingActorsFor({ phone: message.phone, name: message.customerName }, this.#deps),
      actions: {
        releaseHold: (_, { hold }: { hold: Hold | undefined }) => {
          // A failed release must not fail the message (or, unobserved, the process): the hold expires on its own.
          if (hold) {
            const release = holds.release(heldSlot(message.phone, hold.slot, hold.token, shop.booking.bufferMinutes));
            releases.push(release.catch((error) => log.warn({ event: 'hold.release_failed', error: String(error) })));
          }
        },
      },
    });
    // A first message without words (a photo, a voice note not heard) is answered in the phone's likely language.
    const wordless = message.content.kind !== 'text' && message.content.kind !== 'reply';
    const input = bookingInputFor(shop, wordless ? languageOfPhone(message.phone, shop) : undefined);
    const inspect = this.#deps.inspect?.(message.phone);
    if (stored?.machineVersion === BOOKING_MACHINE_VERSION) {
      try {
        // A service, day or limit the config no longer has is dropped and asked for again.
        const { snapshot, repaired } = fitToShop(stored.snapshot, shop, this.#deps.clock());
        const actor: BookingActor = createActor(machine, { input, snapshot: snapshot as never, inspect });
        // A snapshot naming a state the machine no longer has leaves the actor in error: observed
        // here, so it is answered with a fresh start instead of an unhandled error.
        actor.subscribe({ error: () => {} });
        actor.start();
        if (actor.getSnapshot().status === 'active') return { actor, lost: false, repaired };
        actor.stop();
      } catch (error) {
        log.warn({ event: 'conversation.unreadable', phoneRef: phoneRef(message.phone), error: String(error) });
      }
    }
    const actor: BookingActor = createActor(machine, { input, inspect });
    actor.start();
    return { actor, lost: stored !== undefined, repaired: false };
  }
}

/** Errors that say the code met something it did not expect, as opposed to a store or network failing (worth retrying). */
function isFaultInCode(error: unknown): boolean {
  if (error instanceof TypeError) return error.message !== 'fetch failed';
  return error instanceof RangeError || error instanceof ReferenceError;
}

/** A state value as one name: "confirming", or "a.b" for a nested state. */
function stateName(value: unknown): string {
  if (typeof value === 'string') return value;
  const [[parent, child]] = Object.entries(value as Record<string, unknown>);
  return `${parent}.${stateName(child)}`;
}

/** Turns kept for the LLM's context: enough for "the other one" or "no, the day before". */
export const RECENT_TURNS = 6;

/** How much of a transcript is shown back to the customer. */
const HEARD_SHOWN = 300;

function customerTurn({ content }: InboundMessage, reading: Reading): Turn {
  const text = (() => {
    switch (content.kind) {
      case 'text':
        return content.text;
      case 'reply':
        return `(tapped) ${content.title ?? content.replyId}`;
      case 'voice':
        return reading.heard === undefined ? '(sent a voice note)' : `(voice note) ${reading.heard}`;
      case 'reaction':
        return `(reacted ${content.emoji} to the question)`;
      case 'unsupported':
        return `(sent a ${content.type})`;
    }
  })();
  return { from: 'customer', text: text.slice(0, 300) };
}

/** Photos kept for the staff: the last few, so the conversation stays small. */
const PHOTOS_KEPT = 3;

function photosKept(stored: StoredConversation | undefined, { content }: InboundMessage): string[] | undefined {
  const photo = content.kind === 'unsupported' && content.type === 'image' ? content.mediaId : undefined;
  if (!photo) return stored?.photos;
  return [...(stored?.photos ?? []), photo].slice(-PHOTOS_KEPT);
}

/** Emojis that mean yes when put on the confirmation question. */
export const YES_REACTIONS = new Set(['✅', '👍', '👍🏻', '👍🏼', '👍🏽', '👍🏾', '👍🏿', '✔️']);

/** The part of a saved snapshot that says it rests on the confirmation question, and for which hold. */
const ConfirmingSnapshot = z.object({
  value: z.literal('confirming'),
  context: z.object({ hold: z.object({ token: z.string().min(1) }) }),
});

/** The confirmation question: the one reply with the CONFIRM button of the confirming step. */
function isConfirmationQuestion(reply: OutboundMessage): boolean {
  return reply.kind === 'buttons' && reply.buttons.some((button) => button.id === replyIdFor({ type: 'CONFIRM' }));
}

/**
 * A reaction confirms only when it is a yes, on the very question last sent, while the conversation
 * still waits on that question for the same hold: a ✅ on an older message, or after the time
 * changed, is never read as a yes.
 */
function confirmsQuestion(
  reaction: { messageId: string; emoji: string },
  stored: StoredConversation | undefined,
  snapshot: BookingSnapshot,
): boolean {
  const question = stored?.question;
  return (
    YES_REACTIONS.has(reaction.emoji) &&
    question !== undefined &&
    question.messageId === reaction.messageId &&
    snapshot.value === 'confirming' &&
    snapshot.context.hold?.token === question.holdToken
  );
}

function botTurn(reply: OutboundMessage): Turn {
  return { from: 'bot', text: reply.body.slice(0, 300) };
}

/** What every conversation's machine starts from: the shop's default language, services and policy. */
export function bookingInputFor(shop: ShopConfig, language?: Language): BookingInput {
  return {
    language: language ?? shop.languages.default,
    serviceIds: shop.services.map((service) => service.id),
    cancellationNoticeMinutes: shop.booking.cancellationNoticeMinutes,
  };
}

/** Waits until no invoked actor (availability, hold, booking) is still running. */
async function settle(actor: BookingActor): Promise<void> {
  const snapshot = await waitFor(actor, (s) => !s.hasTag(BUSY) || s.status !== 'active', {
    timeout: SETTLE_TIMEOUT_MS,
  });
  if (snapshot.status === 'error') throw snapshot.error;
}

/** What the interpreter needs to know: the list just shown, the events the step accepts, the day chosen. */
export function situationOf(snapshot: BookingSnapshot, shop: ShopConfig, now: Date): Situation {
  const { context } = snapshot;
  const choices: Choice[] = optionsOf(stepView({ state: String(snapshot.value), context }, shop)).flatMap(
    ({ id, title }) => {
      const event = eventFromReplyId(id);
      return event ? [{ title, event }] : [];
    },
  );
  return {
    shop,
    now,
    language: context.language,
    choices,
    date: context.date ?? context.chosenSlot?.date,
    accepts: acceptedEvents(snapshot),
    step: String(snapshot.value),
  };
}

/** The customer event types the current state has a transition for. */
export function acceptedEvents(snapshot: BookingSnapshot): ReadonlySet<CustomerEventType> {
  const types = new Set(getNextTransitions(snapshot).map((transition) => transition.eventType));
  return new Set(CUSTOMER_EVENT_TYPES.filter((type) => types.has(type)));
}

export type { CustomerEvent };
