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

/**
 * A model that tries to book, cancel or move for the customer whatever they wrote, or that breaks
 * in every way a provider can. Each mode answers every request the same way.
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
