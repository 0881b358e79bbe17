import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { arch, cpus, platform, release, totalmem } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { loadShopConfig } from '../../config/load.ts';
import { CalendarDate, Language, type ShopConfig } from '../../config/schema.ts';
import { CUSTOMER_EVENT_TYPES, CustomerEvent, type CustomerEventType } from '../../machines/events.ts';
import { type Env, readEnv } from '../env.ts';
import { interpreterFromEnv, type LlmCounts } from '../interpreter/llm/index.ts';
import { asksLlm } from '../interpreter/llm/layered.ts';
import type { Interpreter } from '../interpreter/port.ts';
import { readRules } from '../interpreter/rules/index.ts';
import { type WhenReader, whenIn } from '../interpreter/rules/when.ts';
import { acceptsIn, situationFor } from '../interpreter/situation.ts';
import { log } from '../log.ts';
import { formattedJson } from '../qa/format-json.ts';
import { allDayShop, type Outcome, readAll, readExpressions } from './eval-expressions.ts';
import { readmeWithEvalTable } from './eval-readme.ts';

export { acceptsIn, situationFor };

/** Tuesday 24 November 2026, 10:00 in Madrid: the instant corpus lines are read at unless they say otherwise. */
export const DEFAULT_NOW = '2026-11-24T09:00:00Z';

const EVAL_DIR = fileURLToPath(new URL('../../eval/', import.meta.url));
const README = fileURLToPath(new URL('../../README.md', import.meta.url));
/** What `npm run eval -- --write` saves: the figures the README's table shows. */
export const FIGURES_FILE = join(EVAL_DIR, 'results', 'figures.json');
export const DEFAULT_CORPUS = join(EVAL_DIR, 'corpus.jsonl');

/** Messages read by the LLM at once: enough to finish a corpus in a minute, few enough not to be rate limited. */
const LLM_CONCURRENCY = 4;

/**
 * One labelled customer message: what they wrote, where the conversation stood, and the events
 * a careful human reads in it, in the order the machine should get them.
 */
export const CorpusLine = z
  .object({
    text: z.string(),
    /** The booking machine's state the message answers ("choosingSlot"); nested states as "a.b". */
    state: z.string().min(1),
    now: z.iso.datetime({ offset: true }).default(DEFAULT_NOW),
    language: Language,
    /** The day already chosen, when there is one. */
    date: CalendarDate.optional(),
    /** The options just shown, numbered in this order: "2" or a title picks one. */
    choices: z.array(z.object({ title: z.string(), event: CustomerEvent })).default([]),
    expected: z.array(CustomerEvent),
    /** What the line is about (one-shot, typo, junk...): accuracy is also reported by category. */
    category: z.string().default('other'),
    /** The shop the message is written to, a file of config/ without ".json" (default: SHOP_CONFIG's). */
    shop: z
      .string()
      .regex(/^[a-z0-9-]+$/)
      .optional(),
  })
  .strict();
export type CorpusLine = z.infer<typeof CorpusLine>;

/** Parses a JSONL corpus; an invalid line throws naming the file, the line number and what is wrong. */
export function parseCorpus(jsonl: string, source = 'corpus'): CorpusLine[] {
  return jsonl.split('\n').flatMap((raw, index) => {
    if (raw.trim() === '') return [];
    const where = `${source}:${index + 1}`;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch (error) {
      throw new Error(`${where} is not JSON (${(error as Error).message}): fix the line or remove it`);
    }
    const parsed = CorpusLine.safeParse(json);
    if (!parsed.success) throw new Error(`${where} is not a corpus line:\n${z.prettifyError(parsed.error)}`);
    return [parsed.data];
  });
}

export function readCorpus(path: string = DEFAULT_CORPUS): CorpusLine[] {
  return parseCorpus(readFileSync(path, 'utf8'), path);
}

export interface TypeScore {
  /** Events of this type in the labels. */
  expected: number;
  /** Events of this type the interpreter produced. */
  produced: number;
  /** Produced events equal to an expected one (type and payload). */
  correct: number;
  /** correct / produced; null when nothing of the type was produced. */
  precision: number | null;
  /** correct / expected; null when nothing of the type was expected. */
  recall: number | null;
}

export interface Miss {
  text: string;
  state: string;
  category: string;
  expected: CustomerEvent[];
  got: CustomerEvent[];
}

export interface Scores {
  messages: number;
  /** Messages whose events are exactly the expected list, in order. */
  exact: number;
  /** Messages whose events are the expected ones in some order. */
  exactAnyOrder: number;
  accuracy: number;
  accuracyAnyOrder: number;
  byType: Partial<Record<CustomerEventType, TypeScore>>;
  byCategory: Record<string, { messages: number; exact: number; accuracy: number }>;
  misses: Miss[];
}

const key = (event: CustomerEvent) => JSON.stringify(event, Object.keys(event).sort());
const ratio = (part: number, whole: number) => (whole === 0 ? null : Math.round((part / whole) * 1000) / 1000);

/** How many of `got` are in `expected`, each expected event matched at most once. */
function matched(expected: CustomerEvent[], got: CustomerEvent[]): CustomerEvent[] {
  const left = expected.map(key);
  return got.filter((event) => {
    const at = left.indexOf(key(event));
    if (at === -1) return false;
    left.splice(at, 1);
    return true;
  });
}

/** Scores what an interpreter produced for each line against the labels. */
export function score(lines: CorpusLine[], outputs: CustomerEvent[][]): Scores {
  const counts = new Map<CustomerEventType, { expected: number; produced: number; correct: number }>();
  const count = (type: CustomerEventType) => {
    const entry = counts.get(type) ?? { expected: 0, produced: 0, correct: 0 };
    counts.set(type, entry);
    return entry;
  };
  const categories: Scores['byCategory'] = {};
  const misses: Miss[] = [];
  let exact = 0;
  let exactAnyOrder = 0;
  lines.forEach((line, i) => {
    const got = outputs[i];
    for (const event of line.expected) count(event.type).expected += 1;
    for (const event of got) count(event.type).produced += 1;
    const right = matched(line.expected, got);
    for (const event of right) count(event.type).correct += 1;
    const sameSet = right.length === got.length && right.length === line.expected.length;
    const sameList = sameSet && line.expected.every((event, at) => key(event) === key(got[at]));
    if (sameSet) exactAnyOrder += 1;
    if (sameList) exact += 1;
    else misses.push({ text: line.text, state: line.state, category: line.category, expected: line.expected, got });
    categories[line.category] ??= { messages: 0, exact: 0, accuracy: 0 };
    const category = categories[line.category];
    category.messages += 1;
    if (sameList) category.exact += 1;
  });
  for (const category of Object.values(categories)) category.accuracy = ratio(category.exact, category.messages) ?? 0;
  const byType: Scores['byType'] = {};
  for (const type of CUSTOMER_EVENT_TYPES) {
    const entry = counts.get(type);
    if (!entry) continue;
    byType[type] = {
      ...entry,
      precision: ratio(entry.correct, entry.produced),
      recall: ratio(entry.correct, entry.expected),
    };
  }
  return {
    messages: lines.length,
    exact,
    exactAnyOrder,
    accuracy: ratio(exact, lines.length) ?? 0,
    accuracyAnyOrder: ratio(exactAnyOrder, lines.length) ?? 0,
    byType,
    byCategory: categories,
    misses,
  };
}

/**
 * Reads every corpus line with the interpreter and scores the result.
 *
 * @example
 * const scores = await evaluate(readCorpus(), ruleInterpreter, loadShopConfig());
 * console.log(scores.accuracy); // 0.8
 */
export async function evaluate(
  lines: CorpusLine[],
  interpreter: Interpreter,
  shop: ShopConfig,
  concurrency = 1,
): Promise<Scores> {
  const outputs: CustomerEvent[][] = new Array(lines.length);
  let next = 0;
  const worker = async () => {
    while (next < lines.length) {
      const at = next++;
      outputs[at] = await interpreter.interpret(lines[at].text, situationFor(lines[at], shopOf(lines[at], shop)));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  return score(lines, outputs);
}

/** The computer a run was measured on, saved with its results. */
export function machineDescription() {
  return {
    os: `${platform()} ${release()} ${arch()}`,
    cpus: `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown'}`,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  };
}

function percent(value: number | null): string {
  return value === null ? '   –  ' : `${(value * 100).toFixed(1).padStart(5)}%`;
}

/** The scores as a few lines of text for the terminal. */
export function formatScores(mode: string, scores: Scores, extra = ''): string {
  const lines = [
    `${mode}: ${scores.exact}/${scores.messages} messages exactly right (${percent(scores.accuracy).trim()}), ` +
      `${scores.exactAnyOrder} in some order (${percent(scores.accuracyAnyOrder).trim()})${extra}`,
    '',
    `  ${'event'.padEnd(18)} expected produced correct precision recall`,
    ...Object.entries(scores.byType).map(
      ([type, s]) =>
        `  ${type.padEnd(18)} ${String(s.expected).padStart(8)} ${String(s.produced).padStart(8)} ${String(s.correct).padStart(7)} ${percent(s.precision).padStart(9)} ${percent(s.recall)}`,
    ),
    '',
    `  ${'category'.padEnd(18)} messages exact accuracy`,
    ...Object.entries(scores.byCategory)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(
        ([name, c]) =>
          `  ${name.padEnd(18)} ${String(c.messages).padStart(8)} ${String(c.exact).padStart(5)} ${percent(c.accuracy).padStart(8)}`,
      ),
  ];
  return lines.join('\n');
}

function save(name: string, figures: Record<string, unknown>): string {
  const path = join(EVAL_DIR, 'results', `${name}.json`);
  mkdirSync(dirname(path), { recursive: true });
  const result = { timestamp: new Date().toISOString(), machine: machineDescription(), ...figures };
  writeFileSync(path, formattedJson(result, relative(join(EVAL_DIR, '..'), path)));
  return relative(process.cwd(), path);
}

function totalCalls(counts: LlmCounts): number {
  return Object.values(counts.calls).reduce(
    (sum, byOutcome) => sum + Object.values(byOutcome).reduce((a, b) => a + (b ?? 0), 0),
    0,
  );
}

const USAGE = `Usage: npm run eval -- [--corpus file.jsonl] [--misses 15] [--no-peer] [--write]

Reads the labelled customer messages (eval/corpus.jsonl, eval/whatsapp.jsonl) with the rule
parser, and the date and time expression sets (eval/expressions/*.jsonl) with the rules' reader of
days and times; then the same with the peer, Microsoft's Recognizers-Text, in the same process.
Prints, per corpus and language: right, partly (nothing false, something missing), confidently
wrong, nothing; the median and 95th-percentile milliseconds per message; and the LLM calls cita
would make (messages the rules leave unread). With LLM_API_KEY set, also rules then LLM.

  --corpus FILE  only this turn corpus
  --misses N     show the first N misreadings of the rules per corpus (default 15)
  --no-peer      skip the peer (faster)
  --write        save the figures to eval/results/*.json, and (a run of every corpus with the peer)
                 the table in README.md; tests/eval.test.ts fails when the two no longer agree
                 with the corpora`;

/** Turn corpora read by default: the team's first corpus and the WhatsApp phrasing written for the coverage issue. */
export const TURN_CORPORA = ['corpus.jsonl', 'whatsapp.jsonl', 'customers.jsonl'].map((file) => join(EVAL_DIR, file));
const EXPRESSIONS_DIR = join(EVAL_DIR, 'expressions');

type Outcomes = Record<Outcome, number>;

/** A reader's figures on one corpus and language. */
export interface Figures extends Outcomes {
  messages: number;
  medianMs: number;
  p95Ms: number;
  /** Messages cita would hand to the LLM (turn corpora only). */
  llmCalls?: number;
}

/** right: exactly the labels; partly: only labelled events, some missing; wrong: an event not labelled; nothing: none. */
export function turnOutcome(expected: CustomerEvent[], got: CustomerEvent[]): Outcome {
  const right = matched(expected, got);
  if (right.length === got.length && got.length === expected.length) {
    return expected.every((event, at) => key(event) === key(got[at])) ? 'right' : 'partly';
  }
  if (got.length === 0) return 'nothing';
  return right.length === got.length ? 'partly' : 'wrong';
}

function quantile(values: number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] * 1000) / 1000;
}

function figuresOf(rows: { outcome: Outcome; ms: number; llm?: boolean }[], withLlm: boolean): Figures {
  const count = (outcome: Outcome) => rows.filter((row) => row.outcome === outcome).length;
  const ms = rows.map((row) => row.ms);
  return {
    messages: rows.length,
    right: count('right'),
    partly: count('partly'),
    wrong: count('wrong'),
    nothing: count('nothing'),
    medianMs: quantile(ms, 0.5),
    p95Ms: quantile(ms, 0.95),
    ...(withLlm ? { llmCalls: rows.filter((row) => row.llm).length } : {}),
  };
}

/** Reads each line of a turn corpus with `read`, timing it, and tells how it went. */
export function readTurns(lines: CorpusLine[], read: RuleReader, shop: ShopConfig) {
  return lines.map((line) => {
    const situation = situationFor(line, shopOf(line, shop));
    const started = performance.now();
    const got = read(line.text, situation);
    const ms = performance.now() - started;
    return { line, got, ms, outcome: turnOutcome(line.expected, got), llm: asksLlm(line.text, got) };
  });
}

const NAMED_SHOPS = new Map<string, ShopConfig>();
/** The shop a line is written to: one of the example shops of config/ (read once), else `shop`. */
export function shopOf(line: Pick<CorpusLine, 'shop'>, shop: ShopConfig): ShopConfig {
  if (!line.shop) return shop;
  let named = NAMED_SHOPS.get(line.shop);
  if (!named) {
    named = loadShopConfig(fileURLToPath(new URL(`../../config/${line.shop}.json`, import.meta.url)));
    NAMED_SHOPS.set(line.shop, named);
  }
  return named;
}

type RuleReader = (text: string, situation: ReturnType<typeof situationFor>) => CustomerEvent[];

const rulesReader: RuleReader = (text, situation) => readRules(text, situation);

/** The corpus whose categories are the kinds of turn of issue 26: reported kind by kind. */
const KINDS_CORPUS = 'customers.jsonl';

interface KindRow {
  kind: string;
  language: string;
  reader: string;
  figures: Figures;
}

/** One row per kind of turn and language. */
function kindRows(rows: ReturnType<typeof readTurns>, reader: string): KindRow[] {
  const keys = [...new Set(rows.map((row) => `${row.line.category}\t${row.line.language}`))].sort();
  return keys.map((key) => {
    const [kind, language] = key.split('\t');
    const mine = rows.filter((row) => row.line.category === kind && row.line.language === language);
    return { kind, language, reader, figures: figuresOf(mine, false) };
  });
}

/** "kind lang n rules right / wrong, peer right / wrong", a line each. */
export function formatKinds(rows: KindRow[]): string {
  const pct = (part: number, whole: number) => `${((part / Math.max(1, whole)) * 100).toFixed(0)}%`;
  const cell = (row?: KindRow) =>
    row ? `${pct(row.figures.right, row.figures.messages)} / ${pct(row.figures.wrong, row.figures.messages)}` : '–';
  const header = ['kind', 'lang', 'n', 'rules right / wrong', 'peer right / wrong'];
  const body = rows
    .filter((row) => row.reader === 'rules')
    .map((row) => {
      const peer = rows.find((p) => p.reader === 'peer' && p.kind === row.kind && p.language === row.language);
      return [row.kind, row.language, String(row.figures.messages), cell(row), cell(peer)];
    });
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  return [header, ...body]
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** The table of figures: one row per corpus, language and reader. */
export function formatFigures(rows: { corpus: string; language: string; reader: string; figures: Figures }[]): string {
  const pct = (part: number, whole: number) => `${((part / Math.max(1, whole)) * 100).toFixed(1)}%`;
  const header = [
    'corpus',
    'lang',
    'reader',
    'n',
    'right',
    'partly',
    'wrong',
    'nothing',
    'median ms',
    'p95 ms',
    'LLM calls',
  ];
  const body = rows.map(({ corpus, language, reader, figures: f }) => [
    corpus,
    language,
    reader,
    String(f.messages),
    pct(f.right, f.messages),
    pct(f.partly, f.messages),
    pct(f.wrong, f.messages),
    pct(f.nothing, f.messages),
    f.medianMs.toFixed(3),
    f.p95Ms.toFixed(3),
    f.llmCalls === undefined ? '–' : `${f.llmCalls} (${pct(f.llmCalls, f.messages)})`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const line = (cells: string[]) =>
    cells.map((cell, i) => (i < 3 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  return [line(header), ...body.map(line)].join('\n');
}

export type FiguresTable = { corpus: string; language: string; reader: string; figures: Figures }[];

/**
 * The figures `npm run eval` prints and saves: each corpus read by the rules (and by the peer), per
 * language; with showMisses, prints the rules' first misreadings of each corpus.
 */
export async function figuresTable(
  shop: ShopConfig,
  options: { turnFiles?: string[]; withExpressions?: boolean; withPeer?: boolean; showMisses?: number } = {},
): Promise<{ table: FiguresTable; details: Record<string, unknown>; kinds: KindRow[] }> {
  const { turnFiles = TURN_CORPORA, withExpressions = true, withPeer = true, showMisses = 0 } = options;
  const peer = withPeer ? await import('./eval-peer.ts') : undefined;
  const table: FiguresTable = [];
  const details: Record<string, unknown> = {};

  const kinds: KindRow[] = [];
  for (const file of turnFiles) {
    const lines = readCorpus(file);
    const name = relative(EVAL_DIR, file);
    const readers: [string, RuleReader][] = [['rules', rulesReader]];
    if (peer) readers.push(['peer', (text, situation) => readRules(text, situation, peer.peerWhen)]);
    for (const [reader, read] of readers) {
      const rows = readTurns(lines, read, shop);
      if (name === KINDS_CORPUS) kinds.push(...kindRows(rows, reader));
      for (const language of Language.options) {
        const mine = rows.filter((row) => row.line.language === language);
        if (mine.length > 0) table.push({ corpus: name, language, reader, figures: figuresOf(mine, true) });
      }
      const scores = score(
        lines,
        rows.map((row) => row.got),
      );
      details[`${name} ${reader}`] = scores;
      if (reader === 'rules') printMisses(name, scores.misses, showMisses);
    }
  }

  if (withExpressions) {
    const everyDay = allDayShop(shop);
    for (const file of readdirSync(EXPRESSIONS_DIR)
      .filter((f) => f.endsWith('.jsonl'))
      .sort()) {
      const lines = readExpressions(join(EXPRESSIONS_DIR, file));
      const readers: [string, WhenReader][] = [['rules', whenIn]];
      if (peer) readers.push(['peer', peer.peerWhen]);
      for (const [reader, read] of readers) {
        const rows = readAll(lines, read, everyDay);
        for (const language of Language.options) {
          const mine = rows.filter((row) => row.line.language === language);
          if (mine.length > 0)
            table.push({ corpus: `expressions/${file}`, language, reader, figures: figuresOf(mine, false) });
        }
        if (reader === 'rules') {
          const wrong = rows.filter((row) => row.outcome !== 'right').slice(0, showMisses);
          if (wrong.length > 0)
            console.log(`\n  expressions/${file}: first ${wrong.length} not right (got → expected):`);
          for (const row of wrong) {
            console.log(
              `  ${JSON.stringify(row.line.text)} @${row.line.now}: ${row.got.date ?? '–'} ${row.got.time ?? '–'} → ${row.line.date ?? '–'} ${row.line.time?.join('|') ?? '–'}`,
            );
          }
        }
      }
    }
  }

  return { table, details, kinds };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      corpus: { type: 'string' },
      misses: { type: 'string', default: '15' },
      'no-peer': { type: 'boolean', default: false },
      write: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const env = readEnv();
  // One log line per LLM call would bury the table; failures still show.
  if (!process.env.LOG_LEVEL) log.level = 'warn';
  const shop = loadShopConfig(env.SHOP_CONFIG);
  const turnFiles = values.corpus ? [values.corpus] : TURN_CORPORA;
  const { table, details, kinds } = await figuresTable(shop, {
    turnFiles,
    withExpressions: !values.corpus,
    withPeer: !values['no-peer'],
    showMisses: Number(values.misses),
  });
  if (kinds.length > 0) console.log(`\n${KINDS_CORPUS}, per kind of turn:\n${formatKinds(kinds)}`);
  console.log(`\n${formatFigures(table)}`);
  if (values.write) {
    console.log(`\nsaved ${save('figures', { table, kinds, details })}`);
    // The README's table shows the whole evaluation: only a run of every corpus with the peer rewrites it.
    if (!values.corpus && !values['no-peer']) {
      writeFileSync(README, readmeWithEvalTable(readFileSync(README, 'utf8'), table));
      console.log(`and the table in ${relative(process.cwd(), README)}`);
    }
  }

  const llm = await evaluateWithLlm(
    turnFiles.flatMap((file) => readCorpus(file)),
    env,
    shop,
  );
  if (!llm) {
    console.log('\nLLM_API_KEY is not set: rules only. Set it (and LLM_BASE_URL, LLM_MODEL) to evaluate rules + LLM.');
    return;
  }
  const { scores, ...run } = llm;
  const summary = `, ${run.ms} ms, ${run.llmCalls} LLM calls, ${run.llmCallsPerMessage} per message`;
  console.log(`\n${formatScores(`rules+llm (${run.model})`, scores, summary)}`);
  if (values.write) console.log(`\nsaved ${save('rules-llm', { ...run, ...scores })}`);
}

/**
 * Reads the corpus with rules then LLM, as cita does with LLM_API_KEY set, and counts the LLM
 * calls; undefined without a key.
 */
export async function evaluateWithLlm(lines: CorpusLine[], env: Env, shop: ShopConfig) {
  const layered = interpreterFromEnv(env);
  if (!layered) return undefined;
  const started = performance.now();
  const scores = await evaluate(lines, layered, shop, LLM_CONCURRENCY);
  const llm = layered.llm.metrics.snapshot();
  const llmCalls = totalCalls(llm);
  return {
    scores,
    ms: Math.round(performance.now() - started),
    model: env.LLM_MODEL,
    baseURL: env.LLM_BASE_URL,
    llmCalls,
    llmCallsPerMessage: ratio(llmCalls, lines.length) ?? 0,
    llm,
  };
}

function printMisses(corpus: string, misses: Miss[], count: number): void {
  if (count <= 0 || misses.length === 0) return;
  console.log(
    `\n  ${corpus}: first ${Math.min(count, misses.length)} of ${misses.length} misses (text [state]: got → expected):`,
  );
  const show = (events: CustomerEvent[]) =>
    events.length === 0 ? '∅' : events.map((e) => Object.values(e).join(':')).join(' ');
  for (const miss of misses.slice(0, count)) {
    console.log(`  ${JSON.stringify(miss.text)} [${miss.state}]: ${show(miss.got)} → ${show(miss.expected)}`);
  }
}

if (import.meta.main) await main();
