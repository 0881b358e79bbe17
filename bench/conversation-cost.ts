import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { loadShopConfig } from '../config/load.ts';
import { CustomerEvent } from '../machines/events.ts';
import { layeredInterpreter } from '../src/interpreter/llm/layered.ts';
import type { Interpreter } from '../src/interpreter/port.ts';
import { readRules } from '../src/interpreter/rules/index.ts';
import { chat, inProcessCita } from './support/in-process.ts';
import type { BenchResult } from './support/record.ts';
import { round } from './support/stats.ts';

export const CONVERSATIONS_FILE = new URL('./conversations.json', import.meta.url);

/** A scripted conversation: what the customer types or taps, in order. */
const Script = z.object({
  name: z.string(),
  language: z.enum(['es', 'en']),
  style: z.enum(['buttons', 'typed', 'one-shot', 'correction']),
  steps: z.array(
    z.union([
      z.object({ tap: z.string() }).strict(),
      /** `llm`: what a correct LLM would read in the text, used only if the rules read nothing. */
      z.object({ say: z.string(), llm: z.array(CustomerEvent) }).strict(),
    ]),
  ),
});
export type Script = z.infer<typeof Script>;

export interface ConversationOutcome {
  name: string;
  language: string;
  style: string;
  messages: number;
  /** Messages the rules could not read, which would go to the LLM. */
  llmCalls: number;
  llmTexts: string[];
  /** The state the conversation rested in after each message. */
  states: (string | undefined)[];
  booked: boolean;
  finalState?: string;
  error?: string;
}

export function readScripts(file: URL = CONVERSATIONS_FILE): Script[] {
  return z.array(Script).parse(JSON.parse(readFileSync(file, 'utf8')));
}

/**
 * Plays one script against cita in this process with the real rule parser layered over a counting
 * stand-in for the LLM (as src/interpreter/llm/layered.ts layers the real one): a message reaches
 * it only when the rules read nothing in it, and it answers what the script says a correct LLM
 * would. No network, same result every run.
 */
export async function playScript(script: Script): Promise<ConversationOutcome> {
  const llmTexts: string[] = [];
  let oracle: CustomerEvent[] = [];
  const countingLlm: Interpreter = {
    async interpret(text) {
      llmTexts.push(text);
      return oracle;
    },
  };
  const cita = inProcessCita(loadShopConfig(), layeredInterpreter(readRules, countingLlm));
  const customer = chat(cita, '34600000001');
  const states: (string | undefined)[] = [];
  const outcome = { name: script.name, language: script.language, style: script.style, messages: 0, llmTexts, states };
  try {
    for (const step of script.steps) {
      outcome.messages += 1;
      if ('tap' in step) await customer.tap(step.tap);
      else {
        oracle = step.llm;
        await customer.say(step.say);
      }
      states.push(await customer.state());
    }
    const finalState = await customer.state();
    return { ...outcome, llmCalls: llmTexts.length, booked: finalState === 'booked', finalState };
  } catch (error) {
    return { ...outcome, llmCalls: llmTexts.length, booked: false, error: (error as Error).message };
  } finally {
    await cita.stop();
  }
}

/** Customer messages and LLM calls per completed booking, against one LLM call per message. */
export async function conversationCostBenchmark(command: string, scripts = readScripts()): Promise<BenchResult> {
  const outcomes: ConversationOutcome[] = [];
  for (const script of scripts) outcomes.push(await playScript(script));
  const total = (list: ConversationOutcome[]) => {
    const booked = list.filter((o) => o.booked).length;
    const messages = list.reduce((sum, o) => sum + o.messages, 0);
    const llmCalls = list.reduce((sum, o) => sum + o.llmCalls, 0);
    return {
      conversations: list.length,
      booked,
      messages,
      llmCalls,
      messagesPerBooking: round(messages / Math.max(1, booked)),
      llmCallsPerBooking: round(llmCalls / Math.max(1, booked)),
    };
  };
  const all = total(outcomes);
  const byStyle = Object.fromEntries(
    [...new Set(outcomes.map((o) => o.style))].map((style) => [
      style,
      total(outcomes.filter((o) => o.style === style)),
    ]),
  );
  return {
    name: 'conversation-cost',
    title: 'Conversation cost: messages and LLM calls per completed booking',
    command,
    method:
      `${scripts.length} scripted conversations (bench/conversations.json: Spanish and English; button-driven, typed, one-shot, ` +
      'with corrections, with typos) against cita in this process (config/barbershop.json, clock at Tue 24 Nov 2026 10:00 Madrid). ' +
      'The rule parser is layered over a counting stand-in for the LLM: a message counts as an LLM call when the rules read ' +
      'nothing in it; the stand-in then answers what the script says a correct LLM would. Taps must be options the bot offered. ' +
      'The "one LLM call per message" design asks the LLM for every customer message: calls = messages.',
    parameters: { conversations: scripts.length },
    figures: [
      { label: 'conversations booked / played', value: `${all.booked} / ${all.conversations}` },
      { label: 'customer messages per completed booking', value: all.messagesPerBooking },
      { label: 'LLM calls per completed booking (cita: rules first)', value: all.llmCallsPerBooking },
      { label: 'LLM calls per completed booking (one call per message)', value: all.messagesPerBooking },
      { label: 'LLM calls, cita ÷ one per message', value: round(all.llmCalls / Math.max(1, all.messages), 2) },
    ],
    details: { total: all, byStyle, conversations: outcomes },
  };
}
