import type { CustomerEvent } from '../../machines/events.ts';
import type { StaffEvent } from '../../machines/staff.events.ts';
import type { Situation } from './rules/index.ts';
import type { StaffSituation } from './staff-rules.ts';

/** Turns a customer's free text into machine events, given where the conversation stands. */
export interface Interpreter {
  interpret(text: string, situation: Situation): Promise<CustomerEvent[]>;
  /**
   * A staff member's text the staff rules could not read, as staff events the current staff state
   * accepts. Absent (the rule interpreter), staff text is read by the rules alone.
   */
  interpretStaff?(text: string, situation: StaffSituation): Promise<StaffEvent[]>;
}
