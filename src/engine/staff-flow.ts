import { fromPromise, getNextTransitions, type SnapshotFrom } from 'xstate';
import type { ShopConfig, StaffMember } from '../../config/schema.ts';
import type { AgendaEntry, BlockRequest, Delivery, ResolvedBlock } from '../../machines/staff.context.ts';
import {
  STAFF_EVENT_TYPES,
  STAFF_YES_EVENTS,
  type StaffEvent,
  type StaffEventType,
} from '../../machines/staff.events.ts';
import { STAFF_MACHINE_VERSION, staffMachine } from '../../machines/staff.machine.ts';
import type { Interpreter } from '../interpreter/port.ts';
import { MAX_TEXT_LENGTH, READING_TIMEOUT_MS, withinTime } from '../interpreter/read-message.ts';
import { readStaffRules, type StaffSituation } from '../interpreter/staff-rules.ts';
import { log } from '../log.ts';
import { staffEventFromReplyId } from '../messages/staff-reply-ids.ts';
import { renderStaffReplies, staffStepView } from '../messages/staff-views.ts';
import { COPY } from '../messages/views.ts';
import { optionsOf } from '../messages/whatsapp.ts';
import { type StaffStepDependencies, staffStepsFor } from '../staff/steps.ts';
import { restoreActor, settle, stateName } from './actors.ts';
import type { FlowDependencies, FlowTurn } from './flow.ts';
import type { InboundMessage, StoredConversation } from './ports.ts';

export interface StaffFlowDependencies extends StaffStepDependencies, FlowDependencies {
  /** Reads the staff text the staff rules could not, when it can (the LLM, when configured). */
  interpreter: Interpreter;
}

type StaffSnapshot = SnapshotFrom<typeof staffMachine>;

/** The staff machine's actors for one staff member, as the machine invokes them. */
export function staffActorsFor(member: StaffMember, deps: StaffStepDependencies) {
  const steps = staffStepsFor(member, deps);
  return {
    findAgenda: fromPromise<AgendaEntry[], { date: string }>(({ input }) => steps.findAgenda(input)),
    cancelForShop: fromPromise<Delivery, { appointmentId: string }>(({ input }) => steps.cancelForShop(input)),
    askToMove: fromPromise<Delivery, { appointmentId: string }>(({ input }) => steps.askToMove(input)),
    recordNoShow: fromPromise<{ noShows?: number }, { appointmentId: string }>(({ input }) =>
      steps.recordNoShow(input),
    ),
    checkBlock: fromPromise<{ block: ResolvedBlock; affected: AgendaEntry[] }, { request: BlockRequest }>(({ input }) =>
      steps.checkBlock(input),
    ),
    blockTime: fromPromise<
      { cancelled: number; notTold: number },
      { block: ResolvedBlock; wholeShop: boolean; cancel: string[] }
    >(({ input }) => steps.blockTime(input)),
    handBack: fromPromise<boolean, { phone: string }>(({ input }) => steps.handBack(input)),
    setNotices: fromPromise<boolean, { on: boolean }>(({ input }) => steps.setNotices(input)),
  };
}

/**
 * One staff member's message through the staff machine, as the booking flow does a customer's:
 * restore, read (taps first, then the staff rules), let the machine decide, render.
 */
export async function staffTurn(
  message: InboundMessage,
  stored: StoredConversation | undefined,
  member: StaffMember,
  deps: StaffFlowDependencies,
): Promise<FlowTurn> {
  const { shop, clock } = deps;
  const machine = staffMachine.provide({ actors: staffActorsFor(member, deps) });
  const fits = stored?.machine === 'staff' && stored.machineVersion === STAFF_MACHINE_VERSION;
  const { actor } = restoreActor(machine, {
    phone: message.phone,
    input: {
      language: member.language ?? shop.languages.default,
      name: member.name,
      role: member.role,
      ...(member.barberId && { barberId: member.barberId }),
    },
    saved: stored && { snapshot: stored.snapshot, fits },
    inspect: deps.inspect?.(message.phone),
  });
  try {
    await settle(actor);
    actor.send({ type: 'MESSAGE_RECEIVED', at: clock().toISOString() });
    const remarks: string[] = [];
    const { content } = message;
    const turn = (replies: FlowTurn['replies']): FlowTurn => ({
      machine: 'staff',
      machineVersion: STAFF_MACHINE_VERSION,
      snapshot: actor.getPersistedSnapshot(),
      state: stateName(actor.getSnapshot().value),
      replies,
    });
    // A reaction from a staff phone asks nothing of the staff machine.
    if (content.kind === 'reaction') return { ...turn([]), ignored: true };
    const { events, readBy } = await readStaffMessage(
      content,
      staffSituationOf(actor.getSnapshot(), shop, clock()),
      deps.interpreter,
    );
    // Staff commands are typed or tapped: a voice note, photo or location is not one.
    if (content.kind === 'unsupported' || content.kind === 'voice') {
      remarks.push(COPY[actor.getSnapshot().context.language].remarks.unsupported);
    }
    let understood = false;
    for (const event of events) {
      if (!actor.getSnapshot().can(event)) continue;
      // Whatever a prompt lets through, a model never cancels, blocks or writes to a customer: the
      // staff member is asked again, with the buttons.
      if (readBy === 'model' && STAFF_YES_EVENTS.includes(event.type)) {
        log.info({ event: 'message.event_refused', type: event.type, reason: 'notTheirYes' }, 'event not applied');
        continue;
      }
      understood = true;
      actor.send(event);
      await settle(actor);
    }
    if (!understood && remarks.length === 0) actor.send({ type: 'NOT_UNDERSTOOD' });
    const snapshot = actor.getSnapshot();
    return turn(renderStaffReplies({ state: String(snapshot.value), context: snapshot.context }, shop, remarks));
  } finally {
    actor.stop();
  }
}

/** A staff message's events, and who read them: the staff member's own tap, the staff rules, or the model. */
interface StaffReading {
  events: StaffEvent[];
  readBy: 'tap' | 'rules' | 'model';
}

/**
 * A tap is its event; text goes to the staff rules, and what they cannot read to the LLM when one
 * is configured, as a customer's does; a tap on an id cita never sent is read as its title.
 */
async function readStaffMessage(
  content: InboundMessage['content'],
  situation: StaffSituation,
  interpreter: StaffFlowDependencies['interpreter'],
): Promise<StaffReading> {
  const nothing: StaffReading = { events: [], readBy: 'rules' };
  if (content.kind === 'reply') {
    const event = staffEventFromReplyId(content.replyId);
    if (event) return { events: [event], readBy: 'tap' };
    return content.title ? readStaffMessage({ kind: 'text', text: content.title }, situation, interpreter) : nothing;
  }
  if (content.kind !== 'text') return nothing;
  const text = content.text.trim();
  if (text.length > MAX_TEXT_LENGTH) return nothing;
  const events = readStaffRules(text, situation);
  if (events.length > 0 || text.length === 0 || !interpreter.interpretStaff) return { events, readBy: 'rules' };
  return { events: await withinTime(interpreter.interpretStaff(text, situation), READING_TIMEOUT_MS), readBy: 'model' };
}

function staffSituationOf(snapshot: StaffSnapshot, shop: ShopConfig, now: Date): StaffSituation {
  const { context } = snapshot;
  const choices = optionsOf(staffStepView({ state: String(snapshot.value), context }, shop)).flatMap(
    ({ id, title }) => {
      const event = staffEventFromReplyId(id);
      return event ? [{ title, event }] : [];
    },
  );
  return {
    shop,
    now,
    language: context.language,
    choices,
    accepts: acceptedStaffEvents(snapshot),
    role: context.role,
    step: String(snapshot.value),
  };
}

/** The staff event types the current state has a transition for. */
export function acceptedStaffEvents(snapshot: StaffSnapshot): ReadonlySet<StaffEventType> {
  const types = new Set(getNextTransitions(snapshot).map((transition) => transition.eventType));
  return new Set(STAFF_EVENT_TYPES.filter((type) => types.has(type)));
}
