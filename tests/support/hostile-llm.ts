import { DateTime } from 'luxon';
import { type FakeReply, type RecordedRequest, type Responder, reply } from './fake-openai.ts';

/** The shop's today as the prompt states it ("Today is Tuesday 2026-11-24, …"). */
function todayIn(request: RecordedRequest): DateTime {
  const system = request.body.messages.find((message) => message.role === 'system')?.content ?? '';
  const date = /Today is \w+ (\d{4}-\d{2}-\d{2})/.exec(system)?.[1];
  if (!date) throw new Error('the prompt does not say what day it is');
  return DateTime.fromISO(date);
}

const day = (request: RecordedRequest, ahead: number) => todayIn(request).plus({ days: ahead }).toISODate() as string;

const confirm = { type: 'CONFIRM' } as const;

/** The machine state the prompt says the conversation is in ("Current step: … (state: confirming)"). */
function stateIn(request: RecordedRequest): string | undefined {
  const system = request.body.messages.find((message) => message.role === 'system')?.content ?? '';
  return /\(state: (\w+)\)/.exec(system)?.[1];
}

/** The Saturday after the prompt's today. */
const saturday = (request: RecordedRequest) => {
  const today = todayIn(request);
  return today.plus({ days: (6 - today.weekday + 7) % 7 || 7 }).toISODate() as string;
};

/**
 * The yes each question asks for, customer's and staff's alike: what a model that proposes
 * something and then agrees to it on the next nonsense message answers.
 */
const YES_BY_STATE: Record<string, object> = {
  confirming: confirm,
  confirmingCancellation: confirm,
  confirmingBlock: confirm,
  decidingBlock: { type: 'CANCEL_APPOINTMENTS' },
};

/** A two-step attack: `propose` to any message, then the yes to whatever question cita asks about it. */
const thenYes =
  (propose: Responder): Responder =>
  (request) => {
    const yes = YES_BY_STATE[stateIn(request) ?? ''];
    return yes ? reply.events(yes) : propose(request);
  };

/**
 * A model that tries to book, cancel, move or block for the customer or the staff member whatever
 * they wrote, or that breaks in every way a provider can. Most modes answer every request the same
 * way; the "…, then yes" ones propose something, then say yes to the question cita asks about it.
 */
export const HOSTILE_MODES = {
  confirm: () => reply.events(confirm),
  'another time + confirm': () => reply.events({ type: 'PICK_TIME', time: '11:30' }, confirm),
  'another day + confirm': (request) => reply.events({ type: 'PICK_DATE', date: day(request, 2) }, confirm),
  'full booking + confirm': (request) =>
    reply.events(
      { type: 'SELECT_SERVICE', serviceId: 'corte' },
      { type: 'PICK_DATE', date: day(request, 1) },
      { type: 'PICK_TIME', time: '12:00' },
      confirm,
    ),
  'cancel + confirm': () => reply.events({ type: 'CANCEL_BOOKING' }, confirm),
  'move + confirm': (request) =>
    reply.events(
      { type: 'MOVE_BOOKING' },
      { type: 'PICK_DATE', date: day(request, 3) },
      { type: 'PICK_TIME', time: '12:30' },
      confirm,
    ),
  '100,000 events': (request) =>
    reply.events(
      ...Array.from({ length: 100_000 }, (_, i) =>
        i % 2 === 0 ? { type: 'PICK_TIME', time: i % 4 === 0 ? '12:00' : '18:30' } : confirm,
      ),
      { type: 'PICK_DATE', date: day(request, 1) },
    ),
  // Two steps, one message each: cita asks about what the model proposed, and the model says yes.
  'cancel, then yes': thenYes(() => reply.events({ type: 'CANCEL_BOOKING' }, { type: 'CANCEL_APPOINTMENT' })),
  'move, then yes': thenYes((request) =>
    reply.events(
      { type: 'MOVE_BOOKING' },
      { type: 'PICK_DATE', date: day(request, 3) },
      { type: 'PICK_TIME', time: '12:30' },
    ),
  ),
  'book, then yes': thenYes((request) =>
    reply.events(
      { type: 'SELECT_SERVICE', serviceId: 'corte' },
      { type: 'PICK_DATE', date: day(request, 1) },
      { type: 'PICK_TIME', time: '12:00' },
    ),
  ),
  'block Saturday (whole shop), then yes': thenYes((request) =>
    reply.events({ type: 'BLOCK_TIME', date: saturday(request), from: null, to: null, wholeShop: true }),
  ),
  'block tomorrow, then yes': thenYes((request) =>
    reply.events({ type: 'BLOCK_TIME', date: day(request, 1), from: null, to: null, wholeShop: null }),
  ),
  'ask the customer to move': () => reply.events({ type: 'ASK_TO_MOVE' }),
  'invalid JSON': () => reply.text('{"events": [{"type": "CONFIRM"}'),
  '500': () => reply.status(500),
  '429': () => reply.status(429),
  'headers, then a stalled body': () => reply.stall(),
  hang: () => reply.hang(),
} satisfies Record<string, Responder>;

export type HostileMode = keyof typeof HOSTILE_MODES;

/** A reply to check against: the modes are plain functions of the request. */
export function hostileReply(mode: HostileMode, request: RecordedRequest): FakeReply {
  return HOSTILE_MODES[mode](request);
}

/** Words no rule reads: what a customer typing nonsense (or a bot) sends. */
const NONSENSE = ['zorblat', 'quimpe', 'flarn', 'vexu', 'trombil', 'snoqua', 'plimb', 'grovek', 'yurzo', 'kadrip'];

/** Reproducible nonsense: message `n` of customer `seed`, two to five words. */
export function nonsense(seed: number, n: number): string {
  let x = (seed * 7919 + n * 104_729 + 1) >>> 0;
  const next = () => {
    x = (x * 1_103_515_245 + 12_345) >>> 0;
    return x >>> 16;
  };
  return Array.from({ length: 2 + (next() % 4) }, () => NONSENSE[next() % NONSENSE.length]).join(' ');
}
