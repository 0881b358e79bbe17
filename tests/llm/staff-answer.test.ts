import { describe, expect, it } from 'vitest';
import type { StaffEventType } from '../../machines/staff.events.ts';
import { MalformedAnswer } from '../../src/interpreter/llm/answer.ts';
import { allowedStaffEventTypes, checkStaffAnswer, staffSystemPrompt } from '../../src/interpreter/llm/staff.ts';
import type { StaffSituation } from '../../src/interpreter/staff-rules.ts';
import { shop } from '../support/cita.ts';

/** The staff menu: the commands every staff step takes. */
const MENU: StaffEventType[] = [
  'SHOW_AGENDA',
  'BLOCK_TIME',
  'HAND_BACK',
  'SET_NOTICES',
  'HELP',
  'SET_LANGUAGE',
  'BACK',
];

function situation(accepts: StaffEventType[] = MENU, changes: Partial<StaffSituation> = {}): StaffSituation {
  return {
    shop,
    now: new Date('2026-11-24T09:00:00Z'),
    language: 'es',
    choices: [],
    accepts: new Set(accepts),
    ...changes,
  };
}

const answer = (...events: unknown[]) => JSON.stringify({ events });

describe("checking the model's reading of a staff message", () => {
  it('leaves out what the model marked as not said (null), as the rules do', () => {
    const checked = checkStaffAnswer(
      answer({ type: 'BLOCK_TIME', date: '2026-11-27', from: '16:00', to: null, wholeShop: null }),
      situation(),
    );
    expect(checked.events).toEqual([{ type: 'BLOCK_TIME', date: '2026-11-27', from: '16:00' }]);
    expect(checked.dropped).toBe(0);
  });

  it('keeps one command and counts the rest as too many', () => {
    const checked = checkStaffAnswer(
      answer({ type: 'SHOW_AGENDA', date: '2026-11-25' }, { type: 'HELP' }, { type: 'SET_NOTICES', on: false }),
      situation(),
    );
    expect(checked.events).toEqual([{ type: 'SHOW_AGENDA', date: '2026-11-25' }]);
    expect(checked.droppedBy).toEqual({ tooMany: 2 });
  });

  it('drops events the step does not take, customer events, and those naming a phone or an appointment', () => {
    for (const event of [
      { type: 'CONFIRM' },
      { type: 'SELECT_SERVICE', serviceId: 'corte' },
      { type: 'HAND_BACK', phone: '34600000001' },
      { type: 'PICK_APPOINTMENT', appointmentId: 'abcdefgh' },
      { type: 'SHOW_AGENDA', date: '2026-02-30' },
      { type: 'SET_LANGUAGE', language: 'fr' },
    ]) {
      expect(
        checkStaffAnswer(answer(event), situation([...MENU, 'PICK_APPOINTMENT'])).droppedBy,
        JSON.stringify(event),
      ).toEqual({
        notAllowed: 1,
      });
    }
  });

  it('drops every yes, even in the step that asks for it: cancelling, keeping or cancelling what a block holds, writing to a customer', () => {
    const yes: StaffEventType[] = ['CONFIRM', 'KEEP_APPOINTMENTS', 'CANCEL_APPOINTMENTS', 'ASK_TO_MOVE'];
    const asking = situation([...MENU, ...yes]);
    for (const type of yes) {
      const checked = checkStaffAnswer(answer({ type }), asking);
      expect(checked.events, type).toEqual([]);
      expect(checked.droppedBy, type).toEqual({ notAllowed: 1 });
      expect(allowedStaffEventTypes(asking)).not.toContain(type);
    }
  });

  it('drops a block of a day gone by, or one that ends before it starts', () => {
    for (const event of [
      { type: 'BLOCK_TIME', date: '2026-11-23' },
      { type: 'BLOCK_TIME', date: '2026-11-27', from: '18:00', to: '16:00' },
    ]) {
      expect(checkStaffAnswer(answer(event), situation()).droppedBy).toEqual({ impossible: 1 });
    }
    // Today is still to come.
    expect(
      checkStaffAnswer(answer({ type: 'BLOCK_TIME', date: '2026-11-24', from: '17:00' }), situation()).events,
    ).toHaveLength(1);
  });

  it('calls anything but an object with an events array malformed, so the next provider is asked', () => {
    for (const content of ['{"events": [', '[]', '{"event": {"type": "HELP"}}']) {
      expect(() => checkStaffAnswer(content, situation())).toThrow(MalformedAnswer);
    }
  });
});

describe('what the model is offered', () => {
  it('never a phone or an appointment, and only the answers the step on screen takes', () => {
    expect(allowedStaffEventTypes(situation([...MENU, 'PICK_APPOINTMENT', 'MORE_APPOINTMENTS']))).toEqual([
      'SHOW_AGENDA',
      'MORE_APPOINTMENTS',
      'BACK',
      'BLOCK_TIME',
      'SET_NOTICES',
      'HELP',
      'SET_LANGUAGE',
    ]);
    const deciding = staffSystemPrompt(situation([...MENU, 'KEEP_APPOINTMENTS', 'CANCEL_APPOINTMENTS']));
    expect(deciding).toContain('asked whether to keep them or cancel them');
    // Keeping or cancelling them writes the block: the staff member's own tap, never the model's answer.
    expect(deciding).not.toContain('- CANCEL_APPOINTMENTS');
    expect(deciding).not.toContain('- KEEP_APPOINTMENTS');
    expect(deciding).not.toContain('HAND_BACK');
  });
});
