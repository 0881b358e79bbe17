// First: the settings in .env must be in the environment before any module reads them.
import '../env-file.ts';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { loadShopConfig } from '../../config/load.ts';
import { Language, type ShopConfig } from '../../config/schema.ts';
import type { CustomerEvent } from '../../machines/events.ts';
import { readEnv } from '../env.ts';
import { interpreterFromEnv } from '../interpreter/llm/index.ts';
import type { Interpreter } from '../interpreter/port.ts';
import { ruleInterpreter } from '../interpreter/rule-interpreter.ts';
import { situationFor } from '../interpreter/situation.ts';
import { log, setLogDestination } from '../log.ts';

/** Where a message is read when the caller does not say: the first question a customer meets. */
export const DEFAULT_STATE = 'greeting';

const USAGE = `Usage: npm run interpret -- [--now ISO] [--lang es|en] [--state STATE] "text"
Prints the events cita reads in the text as JSON: rules alone, or rules then LLM when LLM_API_KEY
is set. Without text, reads JSON lines {"text": ..., "now": ..., "state": ..., "lang": ...} from
standard input and writes one result line for each; --now, --lang and --state then apply to the
lines that do not say.`;

/** One request: a line of standard input, or the command line's options. */
export const InterpretRequest = z.strictObject({
  text: z.string(),
  now: z.iso.datetime({ offset: true }).optional(),
  state: z.string().min(1).optional(),
  lang: Language.optional(),
});
export type InterpretRequest = z.infer<typeof InterpretRequest>;

export interface InterpretResult {
  text: string;
  state: string;
  now: string;
  lang: Language;
  events: CustomerEvent[];
}

/**
 * The events the interpreter reads in one message, with the situation it was read in spelled out.
 *
 * @example
 * await interpretOne({ text: 'un corte mañana a las 5' }, ruleInterpreter, shop, new Date());
 */
export async function interpretOne(
  request: InterpretRequest,
  interpreter: Interpreter,
  shop: ShopConfig,
  defaultNow: Date,
): Promise<InterpretResult> {
  const spec = {
    state: request.state ?? DEFAULT_STATE,
    now: request.now ?? defaultNow.toISOString(),
    language: request.lang ?? shop.languages.default,
  };
  const events = await interpreter.interpret(request.text, situationFor(spec, shop));
  return { text: request.text, state: spec.state, now: spec.now, lang: spec.language, events };
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      now: { type: 'string' },
      lang: { type: 'string' },
      state: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  // Standard output carries the results: logs go to standard error, and only warnings unless asked.
  setLogDestination(process.stderr);
  if (!process.env.LOG_LEVEL) log.level = 'warn';
  const env = readEnv();
  const shop = loadShopConfig(env.SHOP_CONFIG);
  const interpreter = interpreterFromEnv(env) ?? ruleInterpreter;
  const defaultNow = new Date(env.CITA_NOW ?? Date.now());

  const options = InterpretRequest.omit({ text: true }).safeParse({
    now: values.now,
    state: values.state,
    lang: values.lang,
  });
  if (!options.success) throw new Error(`${z.prettifyError(options.error)}\n\n${USAGE}`);

  if (positionals.length > 0) {
    const request = { text: positionals.join(' '), ...options.data };
    const result = await interpretOne(request, interpreter, shop, defaultNow);
    console.log(JSON.stringify(result, null, 2));
    return;
  }

  // One result line per input line, in order; a bad line answers with its error and the rest go on.
  // The command line's options fill in what a line leaves out, so `--now` fixes the clock here too.
  for await (const line of createInterface({ input: process.stdin })) {
    if (line.trim() === '') continue;
    console.log(JSON.stringify(await answerLine(line, options.data, interpreter, shop, defaultNow)));
  }
}

async function answerLine(
  line: string,
  defaults: Omit<InterpretRequest, 'text'>,
  interpreter: Interpreter,
  shop: ShopConfig,
  defaultNow: Date,
) {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return { error: 'not JSON: expected {"text": ..., "now"?: ..., "state"?: ..., "lang"?: ...}', line };
  }
  const request = InterpretRequest.safeParse(json);
  if (!request.success) return { error: z.prettifyError(request.error), line };
  try {
    const { text, now, state, lang } = request.data;
    return await interpretOne(
      { text, now: now ?? defaults.now, state: state ?? defaults.state, lang: lang ?? defaults.lang },
      interpreter,
      shop,
      defaultNow,
    );
  } catch (error) {
    return { error: (error as Error).message, line };
  }
}

if (import.meta.main) {
  await main().catch((error: Error) => {
    console.error(`interpret: ${error.message}`);
    process.exit(1);
  });
}
