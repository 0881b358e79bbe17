import type { CustomerEvent, CustomerEventType } from '../../../machines/events.ts';
import type { Interpreter } from '../port.ts';
import type { Situation } from '../rules/index.ts';

/** The rule parser's shape: synchronous, free, and [] when it understood nothing. */
export type RuleReader = (text: string, situation: Situation) => CustomerEvent[] | Promise<CustomerEvent[]>;

/** Events about the conversation rather than the request: alone, they leave a longer message unread. */
const ABOUT_THE_TALK: ReadonlySet<CustomerEventType> = new Set(['SET_LANGUAGE', 'GREET', 'THANKS']);

/** A message this long that the rules read only as "hello" or a language says more than that. */
const WORDS_THAT_SAY_MORE = 4;

/**
 * Whether cita asks the LLM about a message the rules read as `events`: when they read nothing,
 * or only "hello" or a language in a longer message.
 */
export function asksLlm(text: string, events: CustomerEvent[]): boolean {
  const saysMore = text.trim().split(/\s+/).length >= WORDS_THAT_SAY_MORE;
  const readOnlyTheTalk = events.every((event) => ABOUT_THE_TALK.has(event.type));
  return events.length === 0 || (saysMore && readOnlyTheTalk);
}

/**
 * Rules first, the LLM only for what the rules could not read. Most messages ("2", "sí", "mañana
 * a las 5") never cost a call or wait on a network. The LLM is also asked when the rules read only
 * part of a longer message: "hey, can i get a hiarcut" is more than a greeting.
 *
 * @example
 * const interpreter = layeredInterpreter(readRules, new LlmInterpreter({ providers }));
 */
export function layeredInterpreter(rules: RuleReader, llm: Interpreter): Interpreter {
  return {
    // The staff flow runs the staff rules first itself, and asks only about what they left unread.
    ...(llm.interpretStaff && { interpretStaff: (text, situation) => llm.interpretStaff!(text, situation) }),
    async interpret(text, situation) {
      const events = await rules(text, situation);
      if (!asksLlm(text, events)) return events;
      // A short answer never switches the language of a conversation under way, whoever read it.
      const settled = (situation.recentTurns ?? []).length > 0;
      const saysMore = text.trim().split(/\s+/).length >= WORDS_THAT_SAY_MORE;
      const asked = (await llm.interpret(text, situation)).filter(
        (event) => !(event.type === 'SET_LANGUAGE' && settled && !saysMore),
      );
      // The model's reading replaces the partial one, keeping a language switch it did not repeat.
      const language = events.filter((e) => e.type === 'SET_LANGUAGE' && !asked.some((a) => a.type === e.type));
      return asked.length > 0 ? [...language, ...asked] : events;
    },
  };
}
