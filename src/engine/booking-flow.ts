import { type Actor, getNextTransitions, type SnapshotFrom } from 'xstate';
import { atLocation, type Language, type ShopConfig, serviceById } from '../../config/schema.ts';
import type { Booking, BookingInput, Hold } from '../../machines/booking.context.ts';
import { BOOKING_MACHINE_VERSION, bookingMachine, WITH_STAFF } from '../../machines/booking.machine.ts';
import { CUSTOMER_EVENT_TYPES, type CustomerEvent, type CustomerEventType } from '../../machines/events.ts';
import { languageOfPhone } from '../interpreter/phone-language.ts';
import type { Interpreter } from '../interpreter/port.ts';
import { type Reading, readMessage } from '../interpreter/read-message.ts';
import type { Choice, Situation } from '../interpreter/rules/index.ts';
import { log, phoneRef } from '../log.ts';
import { cleanCustomerName } from '../messages/customer-name.ts';
import { eventFromReplyId } from '../messages/reply-ids.ts';
import { COPY, renderReplies, stepView } from '../messages/views.ts';
import { optionsOf, shorten } from '../messages/whatsapp.ts';
import { noShowsWithin } from '../no-shows/policy.ts';
import type { StaffNotices } from '../staff/notices.ts';
import { restoreActor, settle, stateName } from './actors.ts';
import { applyReading, type RefusalReason } from './apply-reading.ts';
import {
  type BookingDependencies,
  type BookingSteps,
  bookingActors,
  bookingStepsFor,
  heldSlot,
} from './booking-actors.ts';
import { calendarFileFor } from './calendar-files.ts';
import type { FlowDependencies, FlowTurn } from './flow.ts';
import type { InboundMessage, StoredConversation } from './ports.ts';
import { barberChoicesOf, fitToShop, stillFits } from './repair.ts';
import { withPackedSlots } from './saved-slots.ts';
import { customerTurn } from './turns.ts';
import type { VoiceNotes } from './voice-notes.ts';

export interface BookingFlowDependencies extends BookingDependencies, FlowDependencies {
  interpreter: Interpreter;
  /** Tells the staff when a customer asks for a person; without it nobody is told. */
  notices?: StaffNotices;
  /** Hears voice notes; without it every voice note gets "please write it". */
  voiceNotes?: VoiceNotes;
  /** Told of every event read from a message that the live conversation did not take (metrics). */
  onEventRefused?: (reason: RefusalReason) => void;
}

/** How much of a transcript is shown back to the customer. */
const HEARD_SHOWN = 300;

/** Emojis that mean yes when put on the confirmation question. */
export const YES_REACTIONS = new Set(['✅', '👍', '👍🏻', '👍🏼', '👍🏽', '👍🏾', '👍🏿', '✔️']);

type BookingActor = Actor<typeof bookingMachine>;
/** A booking actor kept running after its turn, to take the phone's next message without a restore. */
export type LiveBookingActor = BookingActor;
type BookingSnapshot = SnapshotFrom<typeof bookingMachine>;

/** What one message's turn lends the machine's actors and actions: whose turn it is, and what they left running. */
interface TurnScope {
  message: InboundMessage;
  stored: StoredConversation | undefined;
  /** What the actors do for this customer, at a location of a chain (none: the whole shop). */
  stepsAt: (locationId?: string) => BookingSteps;
  /** Calls the actions started (a hold let go, the staff told), awaited before the turn ends. */
  pending: Promise<void>[];
}

/** The turn each running actor belongs to, by its actor system (one per restored actor). */
const turns = new WeakMap<object, TurnScope>();

function turnIn(system: object): TurnScope {
  const turn = turns.get(system);
  if (!turn) throw new Error('a booking actor ran outside a turn');
  return turn;
}

const machines = new WeakMap<BookingFlowDependencies, typeof bookingMachine>();

/**
 * The booking machine with the engine's actors and actions, built once per engine: providing it
 * for every message cost 0.4 ms (benchmarked). What differs per message comes through `turnIn`.
 */
function bookingMachineFor(deps: BookingFlowDependencies): typeof bookingMachine {
  const built = machines.get(deps);
  if (built) return built;
  const { shop } = deps;
  const machine = bookingMachine.provide({
    actors: bookingActors((system, locationId) => turnIn(system).stepsAt(locationId)),
    actions: {
      releaseHold: ({ system }, { hold }: { hold: Hold | undefined }) => {
        const { message, pending } = turnIn(system);
        // A failed release must not fail the message (or, unobserved, the process): the hold expires on its own.
        // A group's holds go together.
        for (const part of hold ? [hold, ...(hold.companions ?? [])] : []) {
          const held = heldSlot(message.phone, part.slot, part.token, shop.booking.bufferMinutes, part.barberId);
          const release = deps.holds.release(held);
          pending.push(release.catch((error) => log.warn({ event: 'hold.release_failed', error: String(error) })));
        }
      },
      passRequestToStaff: ({ system }, { serviceId, hold }: { serviceId: string; hold: Hold }) => {
        const { message, pending } = turnIn(system);
        const policy = shop.noShows;
        if (!policy || !deps.notices) return;
        const parts = [{ serviceId, slot: hold.slot, barberId: hold.barberId }, ...(hold.companions ?? [])];
        const tell = async () => {
          const noShows = noShowsWithin(await deps.history.list(message.phone), deps.clock(), policy.windowDays);
          await deps.notices?.bookingForStaff({
            phone: message.phone,
            name: cleanCustomerName(message.customerName),
            username: message.customerUsername,
            appointments: parts.map((part) => ({
              serviceId: part.serviceId,
              serviceName: serviceById(shop, part.serviceId)?.name[shop.languages.default] ?? part.serviceId,
              start: part.slot.start,
              ...(part.barberId !== undefined && { barberId: part.barberId }),
            })),
            noShows,
            windowDays: policy.windowDays,
          });
        };
        pending.push(tell().catch((error) => log.warn({ event: 'handoff.notice_failed', error: String(error) })));
      },
      callStaff: ({ context, system }) => {
        const { message, stored, pending } = turnIn(system);
        const call = deps.notices?.customerWantsPerson({
          phone: message.phone,
          name: cleanCustomerName(message.customerName),
          username: message.customerUsername,
          language: context.language,
          turns: [...(stored?.turns ?? []), customerTurn(message)],
        });
        if (call)
          pending.push(call.catch((error) => log.warn({ event: 'handoff.notice_failed', error: String(error) })));
      },
    },
  });
  machines.set(deps, machine);
  return machine;
}

/**
 * One customer message through the booking machine: restore, read the message into events, let
 * the machine decide, render the replies. While a person has the conversation (`withStaff`) the
 * message is kept but not read: no rule, no LLM, no step runs.
 */
export async function bookingTurn(
  message: InboundMessage,
  stored: StoredConversation | undefined,
  deps: BookingFlowDependencies,
  {
    startOver = false,
    replyComing,
    live,
  }: {
    startOver?: boolean;
    replyComing?: () => void;
    /**
     * The actor that handled this phone's last message, still running, when what was loaded is
     * what that turn saved: it is used instead of restoring the saved snapshot (the same state, as
     * the snapshot was persisted from it). Whoever passes it hands it over.
     */
    live?: BookingActor;
  } = {},
): Promise<FlowTurn> {
  const { shop, clock, interpreter } = deps;
  const pending: Promise<void>[] = [];
  const customer = { phone: message.phone, name: cleanCustomerName(message.customerName) };
  const stepsByLocation = new Map<string | undefined, BookingSteps>();
  const turn: TurnScope = {
    message,
    stored,
    stepsAt: (locationId) => {
      // A location the file no longer has is the whole shop: `atLocation` answers the shop itself.
      const steps =
        stepsByLocation.get(locationId) ?? bookingStepsFor(customer, { ...deps, shop: atLocation(shop, locationId) });
      stepsByLocation.set(locationId, steps);
      return steps;
    },
    pending,
  };
  const machine = bookingMachineFor(deps);
  // The live actor of the last turn is as the restore would make it, unless the day chosen has
  // passed since (`fitToShop` reads the clock for that alone): then it is restored and repaired.
  if (
    live &&
    (startOver || live.getSnapshot().status !== 'active' || !stillFits(live.getSnapshot().context, shop, clock()))
  ) {
    live.stop();
    live = undefined;
  }
  if (live) turns.set(live.system, turn);
  // Started over (the saved conversation made the code fail): the saved snapshot is not restored.
  const saved = startOver || live ? undefined : stored;
  let fits = saved?.machine !== 'staff' && saved?.machineVersion === BOOKING_MACHINE_VERSION;
  let savedSnapshot = saved?.snapshot;
  let repaired = false;
  if (saved && fits) {
    try {
      // A service, day or limit the config no longer has is dropped and asked for again.
      ({ snapshot: savedSnapshot, repaired } = fitToShop(saved.snapshot, shop, clock()));
    } catch (error) {
      log.warn({ event: 'conversation.unreadable', phoneRef: phoneRef(message.phone), error: String(error) });
      fits = false;
    }
  }
  // A first message without words (a photo, a voice note not heard) is answered in the phone's likely language.
  const wordless = message.content.kind !== 'text' && message.content.kind !== 'reply';
  const { actor, lost } = live
    ? { actor: live, lost: false }
    : restoreActor(machine, {
        phone: message.phone,
        input: bookingInputFor(shop, wordless ? languageOfPhone(message.phone, shop) : undefined),
        saved: saved && { snapshot: savedSnapshot, fits },
        inspect: deps.inspect?.(message.phone),
        beforeStart: (created) => turns.set(created.system, turn),
      });
  // What was booked before this message: a booking made or moved in this turn gets its calendar file.
  const bookedBefore = actor.getSnapshot().context.booking;
  const said = COPY[actor.getSnapshot().context.language].remarks;
  const remarks = lost || (startOver && stored) ? [said.conversationLost] : repaired && !lost ? [said.choiceGone] : [];
  let kept = false;
  try {
    // A conversation saved mid-step (a crash) finishes that step before reading the new message.
    await settle(actor);
    const { content } = message;
    // A reaction is a yes only to the confirmation question on screen; a 👍 once booked is thanked;
    // any other one changes nothing and answers nothing.
    const reacted = content.kind === 'reaction' ? reactionEvent(content, stored, actor.getSnapshot()) : undefined;
    if (content.kind === 'reaction' && !reacted) {
      log.info({ event: 'reaction.ignored', phoneRef: phoneRef(message.phone), state: actor.getSnapshot().value });
      return { ...turnOf(actor, []), ignored: true };
    }
    if (content.kind === 'staffWrote') {
      actor.send({ type: 'STAFF_WROTE', at: clock().toISOString() });
      await Promise.all(pending);
      log.info({ event: 'handoff.staff_wrote_from_app', phoneRef: phoneRef(message.phone) });
      // The shop is talking to the customer itself: the bot says nothing.
      return turnOf(actor, []);
    }
    // Nobody left to answer (the config no longer lists staff, and nobody wrote from the app): the bot's again.
    const snapshotNow = actor.getSnapshot();
    if (snapshotNow.hasTag(WITH_STAFF) && shop.staff.length === 0 && !snapshotNow.context.staffWroteFromApp) {
      actor.send({ type: 'HANDED_BACK' });
    }
    actor.send({ type: 'MESSAGE_RECEIVED', at: clock().toISOString() });
    if (content.kind === 'handedBack') {
      actor.send({ type: 'HANDED_BACK' });
      await Promise.all(pending);
      // The person who had the customer has told them; the bot speaks again when they write.
      return turnOf(actor, []);
    }
    if (actor.getSnapshot().hasTag(WITH_STAFF)) {
      log.info({ event: 'message.held_for_staff', held: actor.getSnapshot().context.heldForStaff });
      return turnOf(actor, []);
    }
    // A reply will follow: the customer sees "typing…" while the message is read (rules, LLM, voice).
    replyComing?.();
    // The rules read the whole chain (a barber or location named anywhere); the lists shown are the location's.
    const situation = situationOf(actor.getSnapshot(), shop, clock(), stored?.turns ?? [], shopHere(actor, shop));
    const voiceNotes = deps.voiceNotes;
    const reading: Reading = reacted
      ? // The customer's own act, on the very question (reactionEvent): a yes of theirs.
        { events: [reacted], yesIsTheirs: true }
      : await readMessage(content, situation, interpreter, voiceNotes && ((note, lang) => voiceNotes.read(note, lang)));
    const understood = await applyReading(actor, reading, settle, deps.onEventRefused);
    const copy = COPY[actor.getSnapshot().context.language];
    if (reading.heard) remarks.push(copy.heard(shorten(reading.heard, HEARD_SHOWN)));
    if (reading.remark) remarks.push(copy.remarks[reading.remark]);
    else if (!understood) {
      actor.send({ type: 'NOT_UNDERSTOOD' });
      await settle(actor);
    }
    await Promise.all(pending);
    const snapshot = actor.getSnapshot();
    const here = shopHere(actor, shop);
    const replies = renderReplies({ state: String(snapshot.value), context: snapshot.context }, here, remarks);
    const booking = snapshot.context.booking;
    if (snapshot.value === 'booked' && booking && !sameBooking(bookedBefore, booking)) {
      const file = await calendarFileFor(
        [booking, ...(booking.companions ?? [])],
        message.phone,
        deps.history,
        here,
        snapshot.context.language,
        clock(),
      );
      if (file) replies.push(file);
    }
    kept = actor.getSnapshot().status === 'active';
    return {
      ...turnOf(actor, replies),
      ...(reading.heard !== undefined && { heard: reading.heard }),
      ...(kept && { live: actor }),
    };
  } finally {
    // The turn's actor goes on living only with the turn that answered; on any other outcome it stops.
    if (!kept) actor.stop();
    turns.delete(actor.system);
  }
}

/** The shop as the customer's location of a chain sees it (the whole shop before they pick one). */
function shopHere(actor: BookingActor, shop: ShopConfig): ShopConfig {
  return atLocation(shop, actor.getSnapshot().context.locationId);
}

/** Whether two bookings are the same appointment at the same time and chair (nothing new to put in a calendar). */
function sameBooking(a: Booking | undefined, b: Booking): boolean {
  return a !== undefined && a.id === b.id && a.start === b.start && a.end === b.end && a.barberId === b.barberId;
}

function turnOf(actor: BookingActor, replies: FlowTurn['replies']): FlowTurn {
  return {
    machine: 'booking',
    machineVersion: BOOKING_MACHINE_VERSION,
    snapshot: withPackedSlots(actor.getPersistedSnapshot()),
    state: stateName(actor.getSnapshot().value),
    replies,
  };
}

/** What every conversation's machine starts from: the shop's default language, services and policy. */
export function bookingInputFor(shop: ShopConfig, language?: Language): BookingInput {
  return {
    language: language ?? shop.languages.default,
    serviceIds: shop.services.map((service) => service.id),
    cancellationNoticeMinutes: shop.booking.cancellationNoticeMinutes,
    handoffQuietMinutes: shop.handoff.quietMinutes,
    staffAvailable: shop.staff.length > 0,
    timezone: shop.timezone,
    // Left out for a shop without barbers, so its conversations stay exactly as they were.
    ...(barberChoicesOf(shop) && { barbers: barberChoicesOf(shop) }),
  };
}

/**
 * What the interpreter needs to know: the list just shown, the events the step accepts, the day
 * chosen. The list and the events are worked out when first asked for: a tapped button needs
 * neither, and the list means rendering the step's view again.
 */
export function situationOf(
  snapshot: BookingSnapshot,
  shop: ShopConfig,
  now: Date,
  recentTurns?: Situation['recentTurns'],
  shown: ShopConfig = shop,
): Situation {
  const { context } = snapshot;
  let choices: Choice[] | undefined;
  let accepts: ReadonlySet<CustomerEventType> | undefined;
  return {
    shop,
    now,
    language: context.language,
    get choices() {
      choices ??= optionsOf(stepView({ state: String(snapshot.value), context }, shown)).flatMap(({ id, title }) => {
        const event = eventFromReplyId(id);
        return event ? [{ title, event }] : [];
      });
      return choices;
    },
    date: context.date ?? context.chosenSlot?.date,
    ...(context.locationId !== undefined && { locationId: context.locationId }),
    get accepts() {
      accepts ??= acceptedEvents(snapshot);
      return accepts;
    },
    step: String(snapshot.value),
    ...(recentTurns && { recentTurns }),
  };
}

/** The customer event types the current state has a transition for. */
export function acceptedEvents(snapshot: BookingSnapshot): ReadonlySet<CustomerEventType> {
  const types = new Set(getNextTransitions(snapshot).map((transition) => transition.eventType));
  return new Set(CUSTOMER_EVENT_TYPES.filter((type) => types.has(type)));
}

/** What a reaction says: a yes to the question on screen, thanks for a booking just made, or nothing. */
function reactionEvent(
  reaction: { messageId: string; emoji: string },
  stored: StoredConversation | undefined,
  snapshot: BookingSnapshot,
): CustomerEvent | undefined {
  if (confirmsQuestion(reaction, stored, snapshot)) return { type: 'CONFIRM' };
  if (YES_REACTIONS.has(reaction.emoji) && snapshot.value === 'booked') return { type: 'THANKS' };
  return undefined;
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
