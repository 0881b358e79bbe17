import type { Interpreter } from './port.ts';
import { readRules } from './rules/index.ts';

/** The default interpreter: the built-in rule parser, no network, no cost. */
export const ruleInterpreter: Interpreter = {
  async interpret(text, situation) {
    return readRules(text, situation);
  },
};
