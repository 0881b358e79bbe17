import type { CustomerEvent } from '../../machines/events.ts';
import type { Situation } from './rules/index.ts';

/** Turns a customer's free text into machine events, given where the conversation stands. */
export interface Interpreter {
  interpret(text: string, situation: Situation): Promise<CustomerEvent[]>;
}
