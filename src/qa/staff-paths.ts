import { isDeepStrictEqual } from 'node:util';
import { getShortestPaths, type StatePath } from '@xstate/graph';
import { DateTime } from 'luxon';
import { getNextTransitions, initialTransition, type SnapshotFrom } from 'xstate';
import { openingHoursOn, type ShopConfig, type StaffMember, shopToday } from '../../config/schema.ts';
import { BUSY } from '../../machines/booking.machine.ts';
import type { AgendaEntry, BlockRequest } from '../../machines/staff.context.ts';
import { StaffEvent, type StaffMachineEvent } from '../../machines/staff.events.ts';
import { AGENDA_ROWS_PER_PAGE, staffMachine } from '../../machines/staff.machine.ts';
import { CalendarUnavailable, type InboundMessage } from '../engine/ports.ts';
import { acceptedStaffEvents } from '../engine/staff-flow.ts';
import { readStaffRules, type StaffSituation } from '../interpreter/staff-rules.ts';
import { staffEventFromReplyId, staffReplyIdFor } from '../messages/staff-reply-ids.ts';
import { renderStaffReplies, staffStepView } from '../messages/staff-views.ts';
import { type OutboundMessage, optionsOf } from '../messages/whatsapp.ts';
import { resolveBlock } from '../staff/steps.ts';
import { pureStep } from './model.ts';
import { SCENARIO_NOW } from './scenario.ts';
import { machineStates, machineTransitions, transitionLabel } from './transitions.ts';

/**
 * Test plans generated from the staff machine's graph (@xstate/graph), as src/qa/paths.ts does for
 * the booking machine: the shortest way to every state, through every transition and with every
 * payload and actor outcome. Each turn says what the staff member sends, how the world must be
 * while the engine answers, the state it then rests in and the exact replies.
 */

type StaffSnapshot = SnapshotFrom<typeof staffMachine>;

/** The fixed world of the staff paths: the shop with one owner, one customer, one appointment. */
export interface StaffScenario {
  shop: ShopConfig;
  now: string;
  member: StaffMember;
  /** A customer a person may be talking to. */
  customer: { phone: string; name: string };
  /** The customer's appointment, as the agenda lists it: the next open day at 11:00. */
  entry: AgendaEntry;
  /** A day of more appointments than a WhatsApp list holds: the entry, then more every 15 minutes. */
  fullDay: AgendaEntry[];
  /** Today, and an appointment of the customer's that started an hour ago (one that may be marked *No vino*). */
  today: string;
  startedEntry: AgendaEntry;
  openDay: string;
  closedDay: string;
  foreignAppointmentId: string;
}

export function staffScenarioFor(base: ShopConfig, now: string = SCENARIO_NOW): StaffScenario {
  const member: StaffMember = { phone: '34611000042', name: 'Paco', role: 'owner' };
  const shop = { ...base, staff: [member] };
  const today = shopToday(shop, new Date(now));
  const days = Array.from(
    { length: 14 },
    (_, i) =>
      DateTime.fromISO(today)
        .plus({ days: i + 1 })
        .toISODate()!,
  );
  const openAt = (day: string, time: string) => openingHoursOn(shop, day).some((h) => h.from <= time && time < h.to);
  const openDay = days.find((day) => openAt(day, '11:00') && openAt(day, '12:30'));
  const closedDay = days.find((day) => openingHoursOn(shop, day).length === 0);
  if (!openDay || !closedDay)
    throw new Error('the staff paths need a day open 11:00–12:30 and a closed day within two weeks');
  const service = shop.services[0]!;
  const start = DateTime.fromISO(`${openDay}T11:00`, { zone: shop.timezone });
  const customer = { phone: '34600000043', name: 'Carlos' };
  const entry: AgendaEntry = {
    id: 'qastaffappointment00000000000000',
    serviceId: service.id,
    start: start.toUTC().toISO()!,
    end: start.plus({ minutes: service.durationMinutes }).toUTC().toISO()!,
    phone: customer.phone,
    customerName: customer.name,
  };
  const later = (i: number): AgendaEntry => {
    const at = start.plus({ minutes: 15 * i });
    return {
      ...entry,
      id: `qastafffull${String(i).padStart(21, '0')}`,
      start: at.toUTC().toISO()!,
      end: at.plus({ minutes: service.durationMinutes }).toUTC().toISO()!,
      phone: `3460000${String(100 + i).padStart(4, '0')}`,
    };
  };
  const startedAt = DateTime.fromISO(now).minus({ hours: 1 });
  const startedEntry: AgendaEntry = {
    ...entry,
    id: 'qastaffstarted000000000000000000',
    start: startedAt.toUTC().toISO()!,
    end: startedAt.plus({ minutes: service.durationMinutes }).toUTC().toISO()!,
  };
  return {
    shop,
    now,
    member,
    customer,
    entry,
    today,
    startedEntry,
    fullDay: [entry, ...Array.from({ length: AGENDA_ROWS_PER_PAGE }, (_, i) => later(i + 1))],
    openDay,
    closedDay,
    foreignAppointmentId: 'qanotinagenda0000000000000000000',
  };
}

/** How the world must be while one staff actor runs. */
export type StaffArrangement =
  | { kind: 'calendarDown' }
  | { kind: 'appointments'; entries: AgendaEntry[] }
  | { kind: 'customerWithStaff'; withStaff: boolean }
  | { kind: 'handBackFails' }
  | { kind: 'settingsDown' };

export interface StaffCandidate {
  event: StaffMachineEvent | { type: string; output?: unknown; error?: unknown };
  label: string;
  actor?: string;
  arrange?: StaffArrangement;
}

const down = (what: string): Error => new CalendarUnavailable(`the QA world has ${what} down`);

/** Payloads worth trying per event type; `satisfies` makes a new staff event a compile error here. */
const PAYLOADS = {
  SHOW_AGENDA: (_s, { openDay, today }) => [
    { type: 'SHOW_AGENDA', date: openDay },
    { type: 'SHOW_AGENDA', date: today },
  ],
  MORE_APPOINTMENTS: () => [{ type: 'MORE_APPOINTMENTS' }],
  PICK_APPOINTMENT: ({ context }, { foreignAppointmentId }) => [
    ...context.agenda.map((entry) => ({ type: 'PICK_APPOINTMENT' as const, appointmentId: entry.id })),
    { type: 'PICK_APPOINTMENT', appointmentId: foreignAppointmentId },
  ],
  CANCEL_APPOINTMENT: () => [{ type: 'CANCEL_APPOINTMENT' }],
  ASK_TO_MOVE: () => [{ type: 'ASK_TO_MOVE' }],
  MARK_NO_SHOW: () => [{ type: 'MARK_NO_SHOW' }],
  CONFIRM: () => [{ type: 'CONFIRM' }],
  BACK: () => [{ type: 'BACK' }],
  BLOCK_TIME: (_s, { openDay, closedDay }) => [
    { type: 'BLOCK_TIME', date: openDay, from: '11:00', to: '12:00' },
    { type: 'BLOCK_TIME', date: closedDay },
  ],
  KEEP_APPOINTMENTS: () => [{ type: 'KEEP_APPOINTMENTS' }],
  CANCEL_APPOINTMENTS: () => [{ type: 'CANCEL_APPOINTMENTS' }],
  HAND_BACK: (_s, { customer }) => [{ type: 'HAND_BACK', phone: customer.phone }],
  SET_NOTICES: () => [
    { type: 'SET_NOTICES', on: false },
    { type: 'SET_NOTICES', on: true },
  ],
  HELP: () => [{ type: 'HELP' }],
  SET_LANGUAGE: () => [
    { type: 'SET_LANGUAGE', language: 'en' },
    { type: 'SET_LANGUAGE', language: 'es' },
  ],
} satisfies Record<StaffEvent['type'], (s: StaffSnapshot, scenario: StaffScenario) => StaffEvent[]>;

type Row =
  | { output: unknown; label: string; arrange?: StaffArrangement }
  | { error: Error; label: string; arrange?: StaffArrangement };

/** What each staff actor can answer, and how the world makes it so. */
// biome-ignore lint/suspicious/noExplicitAny: each row reads the input its own actor is invoked with.
const OUTCOMES: Record<string, (input: any, scenario: StaffScenario) => Row[]> = {
  // Today's agenda holds an appointment that has started; the others' are ahead.
  findAgenda: ({ date }: { date?: string }, { entry, fullDay, today, startedEntry }) =>
    date === today
      ? [
          {
            output: [startedEntry],
            label: 'an appointment that has started',
            arrange: { kind: 'appointments', entries: [startedEntry] },
          },
        ]
      : [
          { output: [entry], label: 'one appointment', arrange: { kind: 'appointments', entries: [entry] } },
          { output: [], label: 'no appointments', arrange: { kind: 'appointments', entries: [] } },
          { output: fullDay, label: 'a full day', arrange: { kind: 'appointments', entries: fullDay } },
          { error: down('the calendar'), label: 'calendar down', arrange: { kind: 'calendarDown' } },
        ],
  // The customer never wrote: outside their window, the template it is.
  cancelForShop: () => [
    { output: 'template', label: 'customer told by template' },
    { error: down('the calendar'), label: 'calendar down', arrange: { kind: 'calendarDown' } },
  ],
  checkBlock: ({ request }: { request: BlockRequest }, scenario) => {
    if (openingHoursOn(scenario.shop, request.date).length === 0) {
      return [{ error: new Error('closed'), label: 'closed day' }];
    }
    const block = resolveBlock(request, scenario.shop);
    return [
      { output: { block, affected: [] }, label: 'nothing inside', arrange: { kind: 'appointments', entries: [] } },
      {
        output: { block, affected: [scenario.entry] },
        label: 'an appointment inside',
        arrange: { kind: 'appointments', entries: [scenario.entry] },
      },
      { error: down('the calendar'), label: 'calendar down', arrange: { kind: 'calendarDown' } },
    ];
  },
  recordNoShow: () => [
    { output: {}, label: 'no-show recorded' },
    { error: down('the calendar'), label: 'calendar down', arrange: { kind: 'calendarDown' } },
  ],
  askToMove: () => [
    { output: 'template', label: 'customer asked by template' },
    { error: down('the calendar'), label: 'calendar down', arrange: { kind: 'calendarDown' } },
  ],
  blockTime: ({ cancel }: { cancel: string[] }) => [
    {
      output: { cancelled: cancel.length, notTold: 0 },
      label: cancel.length ? 'blocked, appointments cancelled' : 'blocked',
    },
    { error: down('the calendar'), label: 'calendar down', arrange: { kind: 'calendarDown' } },
  ],
  handBack: () => [
    { output: true, label: 'customer was with a person', arrange: { kind: 'customerWithStaff', withStaff: true } },
    { output: false, label: 'customer was not', arrange: { kind: 'customerWithStaff', withStaff: false } },
    { error: down('the inbox'), label: 'inbox down', arrange: { kind: 'handBackFails' } },
  ],
  setNotices: ({ on }: { on: boolean }) => [
    { output: on, label: on ? 'on' : 'off' },
    { error: down('the settings store'), label: 'settings down', arrange: { kind: 'settingsDown' } },
  ],
};

function running(snapshot: StaffSnapshot) {
  return snapshot._nodes.flatMap((node) =>
    node.invoke.map((invoke) => ({
      id: invoke.id,
      src: String(invoke.src),
      input: typeof invoke.input === 'function' ? invoke.input({ context: snapshot.context } as never) : invoke.input,
    })),
  );
}

/** Every event worth trying: an actor's outcomes while it runs, else the payloads of each type the state takes. */
export function staffCandidatesFor(snapshot: StaffSnapshot, scenario: StaffScenario): StaffCandidate[] {
  const actors = running(snapshot);
  if (actors.length > 0) {
    return actors.flatMap(({ id, src, input }) =>
      OUTCOMES[src]!(input, scenario).map((row) => ({
        event:
          'output' in row
            ? { type: `xstate.done.actor.${id}`, output: row.output, actorId: id }
            : { type: `xstate.error.actor.${id}`, error: row.error, actorId: id },
        label: `${src} → ${row.label}`,
        actor: src,
        ...(row.arrange && { arrange: row.arrange }),
      })),
    );
  }
  const types = new Set(getNextTransitions(snapshot).map((t) => t.eventType));
  const candidates: StaffCandidate[] = [{ event: { type: 'NOT_UNDERSTOOD' }, label: 'NOT_UNDERSTOOD' }];
  for (const type of types) {
    if (type.startsWith('xstate.') || type === 'MESSAGE_RECEIVED' || type === 'NOT_UNDERSTOOD') continue;
    const payloads = (PAYLOADS as Record<string, (s: StaffSnapshot, scenario: StaffScenario) => StaffEvent[]>)[type];
    if (!payloads)
      throw new Error(
        `the staff path generator has no payloads for ${type}: add it to PAYLOADS in src/qa/staff-paths.ts`,
      );
    for (const event of payloads(snapshot, scenario)) {
      StaffEvent.parse(event);
      if (snapshot.can(event)) candidates.push({ event, label: labelOf(event, scenario) });
    }
  }
  return candidates;
}

function labelOf(event: StaffEvent, { closedDay, foreignAppointmentId }: StaffScenario): string {
  const { type, ...payload } = event;
  const values = Object.values(payload).map((value) =>
    value === closedDay ? 'closed day' : value === foreignAppointmentId ? 'not in the agenda' : String(value),
  );
  return values.length ? `${type} ${values.join(' ')}` : type;
}

/** Texts to try per event; the first the staff rules read as exactly the event wins. */
function phrasesFor(event: StaffEvent): string[] {
  const day = (date: string) => DateTime.fromISO(date).toFormat('d/M/yyyy');
  switch (event.type) {
    case 'SHOW_AGENDA':
      return [`agenda ${day(event.date)}`];
    case 'BLOCK_TIME':
      return event.from
        ? [`bloquear el ${day(event.date)} de ${event.from} a ${event.to}`]
        : [`el ${day(event.date)} no vengo`];
    case 'HAND_BACK':
      return [`listo ${event.phone}`];
    case 'SET_NOTICES':
      return [event.on ? 'avisos on' : 'avisos off'];
    case 'SET_LANGUAGE':
      return [event.language === 'en' ? 'english' : 'español'];
    case 'CONFIRM':
      return ['sí', 'yes'];
    case 'BACK':
      return ['volver', 'back'];
    case 'CANCEL_APPOINTMENT':
    case 'CANCEL_APPOINTMENTS':
      return ['anular', 'cancel'];
    case 'KEEP_APPOINTMENTS':
      return ['mantener', 'keep them'];
    case 'ASK_TO_MOVE':
      return ['pedir cambio', 'ask to move'];
    case 'MARK_NO_SHOW':
      return ['no vino', 'no-show'];
    case 'HELP':
      return ['ayuda', 'help'];
    case 'MORE_APPOINTMENTS':
      return ['más citas', 'more'];
    default:
      return [];
  }
}

export interface StaffMessage {
  content: InboundMessage['content'];
  says: string;
}

/** How the staff member causes `event` in `snapshot`: a tap on what is shown, a text the rules read, or a stale button. */
export function staffMessageFor(
  event: StaffMachineEvent,
  snapshot: StaffSnapshot,
  scenario: StaffScenario,
): StaffMessage {
  const view = staffStepView({ state: String(snapshot.value), context: snapshot.context }, scenario.shop);
  const situation: StaffSituation = {
    shop: scenario.shop,
    now: new Date(snapshot.context.receivedAt ?? scenario.now),
    language: snapshot.context.language,
    choices: optionsOf(view).flatMap(({ id, title }) => {
      const e = staffEventFromReplyId(id);
      return e ? [{ title, event: e }] : [];
    }),
    accepts: acceptedStaffEvents(snapshot),
  };
  if (event.type === 'NOT_UNDERSTOOD')
    return { content: { kind: 'text', text: 'blablabla qwerty' }, says: 'writes “blablabla qwerty”' };
  if (event.type === 'MESSAGE_RECEIVED') throw new Error('MESSAGE_RECEIVED is the engine’s');
  const replyId = staffReplyIdFor(event);
  const shown = optionsOf(view).find((option) => option.id === replyId);
  if (shown) return { content: { kind: 'reply', replyId, title: shown.title }, says: `taps “${shown.title}”` };
  const text = phrasesFor(event).find((candidate) => isDeepStrictEqual(readStaffRules(candidate, situation), [event]));
  if (text) return { content: { kind: 'text', text }, says: `writes “${text}”` };
  return { content: { kind: 'reply', replyId }, says: `taps a button not shown now (${replyId})` };
}

export interface StaffTurn extends StaffMessage {
  actors: { actor: string; label: string; arrange?: StaffArrangement }[];
  state: string;
  replies: OutboundMessage[];
}

export interface StaffPlan {
  goal: string;
  turns: StaffTurn[];
  transitions: Set<object>;
  variants: string[];
}

function serialize(snapshot: StaffSnapshot): string {
  const { notes: _notes, receivedAt: _receivedAt, ...context } = snapshot.context;
  return JSON.stringify({ value: snapshot.value, context });
}

/** How many steps a path may take: the staff machine is small, everything is met well within it. */
export const STAFF_MAX_STEPS = 6;

/** Plans for every state, transition and payload or outcome of the staff machine, and what they cover. */
export function generateStaffPaths(scenario: StaffScenario) {
  const received = { type: 'MESSAGE_RECEIVED', at: scenario.now } as const;
  const meta = new WeakMap<object, StaffCandidate>();
  const depth = new WeakMap<object, number>();
  const input = { language: scenario.shop.languages.default, name: scenario.member.name, role: scenario.member.role };
  const [initial] = initialTransition(staffMachine, input);
  const start = pureStep(staffMachine, initial, received).snapshot;
  const logic = Object.create(staffMachine) as typeof staffMachine;
  logic.transition = (from, event) => {
    const to = pureStep(staffMachine, from, event).snapshot;
    depth.set(to, (depth.get(from) ?? 0) + 1);
    return to;
  };
  const paths = getShortestPaths(logic, {
    fromState: start,
    events: (snapshot: StaffSnapshot) =>
      staffCandidatesFor(snapshot, scenario).map((candidate) => {
        meta.set(candidate.event, candidate);
        return candidate.event;
      }),
    serializeState: serialize,
    serializeEvent: (event: { type: string }) =>
      JSON.stringify(event, (_k, v) => (v instanceof Error ? { error: v.constructor.name, message: v.message } : v)),
    stopWhen: (snapshot: StaffSnapshot) => (depth.get(snapshot) ?? 0) >= STAFF_MAX_STEPS,
  } as never) as StatePath<StaffSnapshot, { type: string }>[];

  // Each shortest path, then each of its one-step extensions, finished to rest with the first
  // outcome of any actor still running; of those, the shortest plan for each state, transition,
  // payload and outcome is kept.
  const toRest = (candidates: StaffCandidate[], end: StaffSnapshot) => {
    let snapshot = end;
    const finished = [...candidates];
    while (snapshot.hasTag(BUSY)) {
      const [outcome] = staffCandidatesFor(snapshot, scenario);
      finished.push(outcome!);
      snapshot = pureStep(staffMachine, snapshot, outcome!.event).snapshot;
    }
    return finished;
  };
  const best = new Map<unknown, StaffPlan>();
  const offer = (goal: unknown, plan: StaffPlan) => {
    const known = best.get(goal);
    if (!known || known.variants.length > plan.variants.length) best.set(goal, plan);
  };
  for (const path of paths) {
    const prefix = path.steps.filter((s) => s.event.type !== 'xstate.init').map((s) => meta.get(s.event)!);
    for (const next of staffCandidatesFor(path.state, scenario)) {
      const end = pureStep(staffMachine, path.state, next.event).snapshot;
      const plan = planOf([...prefix, ...toRest([next], end)], scenario);
      for (const turn of plan.turns) offer(`state:${turn.state}`, plan);
      for (const transition of plan.transitions) offer(transition, plan);
      for (const label of plan.variants) offer(`variant:${label}`, plan);
    }
  }
  const kept = [...new Set(best.values())];
  return { plans: kept, coverage: coverageOf(kept, scenario) };
}

function planOf(candidates: StaffCandidate[], scenario: StaffScenario): StaffPlan {
  const input = { language: scenario.shop.languages.default, name: scenario.member.name, role: scenario.member.role };
  let snapshot = initialTransition(staffMachine, input)[0];
  const transitions = new Set<object>();
  const take = (event: { type: string }) => {
    const next = pureStep(staffMachine, snapshot, event);
    for (const t of next.transitions) transitions.add(t);
    snapshot = next.snapshot;
  };
  const turns: StaffTurn[] = [];
  for (const candidate of candidates) {
    if (candidate.actor) {
      take(candidate.event);
      turns.at(-1)!.actors.push({
        actor: candidate.actor,
        label: candidate.label,
        ...(candidate.arrange && { arrange: candidate.arrange }),
      });
    } else {
      take({ type: 'MESSAGE_RECEIVED', at: scenario.now } as never);
      const message = staffMessageFor(candidate.event as StaffMachineEvent, snapshot, scenario);
      take(candidate.event);
      turns.push({ ...message, actors: [], state: '', replies: [] });
    }
    const turn = turns.at(-1)!;
    turn.state = String(snapshot.value);
    turn.replies = renderStaffReplies({ state: turn.state, context: snapshot.context }, scenario.shop);
  }
  const labels = candidates.map((c) => c.label);
  return { goal: labels.join(' › '), turns, transitions, variants: labels };
}

function coverageOf(plans: StaffPlan[], scenario: StaffScenario) {
  const transitions = machineTransitions(staffMachine);
  const taken = new Set(plans.flatMap((plan) => [...plan.transitions]));
  const states = machineStates(staffMachine);
  const reached = new Set(plans.flatMap((plan) => plan.turns.map((turn) => turn.state)));
  const used = new Set(plans.flatMap((plan) => plan.variants));
  // Every outcome of every actor, for the inputs the payload tables give it.
  const offered = new Set(
    Object.entries(OUTCOMES).flatMap(([src, rows]) =>
      [
        ...rows({ request: { date: scenario.openDay }, cancel: [], on: true }, scenario),
        ...(src === 'blockTime' ? rows({ cancel: ['x'] }, scenario) : []),
        ...(src === 'setNotices' ? rows({ on: false }, scenario) : []),
        ...(src === 'checkBlock' ? rows({ request: { date: scenario.closedDay } }, scenario) : []),
        ...(src === 'findAgenda' ? rows({ date: scenario.today }, scenario) : []),
      ].map((row) => `${src} → ${row.label}`),
    ),
  );
  return {
    states: {
      total: states.length,
      missed: states.map((s) => s.key).filter((key) => !reached.has(key) && key !== 'lookingUpAgenda' && !isBusy(key)),
    },
    transitions: {
      total: transitions.length,
      missed: transitions.filter((t) => !taken.has(t.definition)).map((t) => `${t.key}: ${transitionLabel(t)}`),
    },
    variants: { total: offered.size, missed: [...offered].filter((label) => !used.has(label)) },
  };
}

function isBusy(key: string): boolean {
  return staffMachine.getStateNodeById(`staff.${key}`).tags.includes(BUSY);
}
