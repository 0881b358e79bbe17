import type { CustomerEvent } from '../../../machines/events.ts';
import type { Interpreter } from '../port.ts';
import type { Situation } from '../rules/index.ts';

/** The rule parser's shape: synchronous, free, and [] when it understood nothing. */
export type RuleReader = (text: string, situation: Situation) => CustomerEvent[] | Promise<CustomerEvent[]>;

/**
 * Rules first, the LLM only for what the rules could not read. Most messages ("2", "sí", "mañana
 * a las 5") never cost a call or wait on a network.
 *
 * @example
 * const interpreter = layeredInterpreter(readRules, new LlmInterpreter({ providers }));
 */
export function layeredInterpreter(rules: RuleReader, llm: Interpreter): Interpreter {
  return {
    async interpret(text, situation) {
      const events = await rules(text, situation);
      if (events.length > 0) return events;
      return llm.interpret(text, situation);
    },
  };
}
