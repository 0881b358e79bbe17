import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CustomerEvent } from '../machines/events.ts';
import {
  acceptsIn,
  evaluate,
  evaluateWithLlm,
  FIGURES_FILE,
  type FiguresTable,
  figuresTable,
  parseCorpus,
  readCorpus,
  score,
  situationFor,
  TURN_CORPORA,
  turnOutcome,
} from '../src/cli/eval.ts';
import { ExpressionLine, expressionOutcome, readExpressions } from '../src/cli/eval-expressions.ts';
import { readmeWithEvalTable } from '../src/cli/eval-readme.ts';
import { readEnv } from '../src/env.ts';
import { responseFormatFor } from '../src/interpreter/llm/schema.ts';
import { ruleInterpreter } from '../src/interpreter/rule-interpreter.ts';
import { shop } from './support/cita.ts';
import { reply, startFakeOpenAI } from './support/fake-openai.ts';

const corpus = TURN_CORPORA.flatMap((file) => readCorpus(file));

describe('the interpreter evaluation corpus', () => {
  it('holds the first corpus and at least 300 more Spanish and 200 more English customer messages', () => {
    const [first, more] = TURN_CORPORA.map((file) => readCorpus(file));
    expect(first.length).toBeGreaterThanOrEqual(300);
    expect(more.filter((line) => line.language === 'es').length).toBeGreaterThanOrEqual(300);
    expect(more.filter((line) => line.language === 'en').length).toBeGreaterThanOrEqual(200);
  });

  it('labels every message with events the CustomerEvent schema accepts', () => {
    const invalid = corpus.flatMap((line) =>
      line.expected.filter((event) => !CustomerEvent.safeParse(event).success).map(() => line.text),
    );
    expect(invalid).toEqual([]);
  });

  it('labels every message with events its state has a transition for', () => {
    const refused = corpus.flatMap((line) => {
      const accepts = acceptsIn(line.state, shop);
      return line.expected
        .filter((event) => !accepts.has(event.type))
        .map((e) => `${line.text} [${line.state}] ${e.type}`);
    });
    expect(refused).toEqual([]);
  });

  it('has no message twice in the same situation', () => {
    const keys = corpus.map((line) =>
      JSON.stringify([line.text, line.state, line.now, line.language, line.date, line.shop]),
    );
    expect(keys.length - new Set(keys).size).toBe(0);
  });

  it('includes messages that should produce nothing', () => {
    expect(corpus.some((line) => line.expected.length === 0)).toBe(true);
  });
});

describe('the evaluation', () => {
  const tiny = parseCorpus(
    [
      '{"text":"quiero un corte mañana a las 5","state":"greeting","language":"es","expected":[{"type":"SELECT_SERVICE","serviceId":"corte"},{"type":"PICK_DATE","date":"2026-11-25"},{"type":"PICK_TIME","time":"17:00"}],"category":"one-shot"}',
      '{"text":"sí","state":"confirming","language":"es","date":"2026-11-25","expected":[{"type":"CONFIRM"}],"category":"yes"}',
      // Labelled wrong on purpose: the parser reads a haircut, the label says a beard trim.
      '{"text":"corte","state":"choosingService","language":"es","expected":[{"type":"SELECT_SERVICE","serviceId":"barba"}],"category":"service"}',
    ].join('\n'),
  );

  it('scores a three-line corpus exactly: two right, one haircut labelled as a beard trim', async () => {
    const scores = await evaluate(tiny, ruleInterpreter, shop);
    expect(scores).toMatchObject({ messages: 3, exact: 2, exactAnyOrder: 2, accuracy: 0.667 });
    expect(scores.byType.SELECT_SERVICE).toEqual({ expected: 2, produced: 2, correct: 1, precision: 0.5, recall: 0.5 });
    expect(scores.byType.PICK_DATE).toEqual({ expected: 1, produced: 1, correct: 1, precision: 1, recall: 1 });
    expect(scores.byType.CONFIRM).toEqual({ expected: 1, produced: 1, correct: 1, precision: 1, recall: 1 });
    expect(scores.byCategory).toEqual({
      'one-shot': { messages: 1, exact: 1, accuracy: 1 },
      yes: { messages: 1, exact: 1, accuracy: 1 },
      service: { messages: 1, exact: 0, accuracy: 0 },
    });
    expect(scores.misses).toEqual([
      {
        text: 'corte',
        state: 'choosingService',
        category: 'service',
        expected: [{ type: 'SELECT_SERVICE', serviceId: 'barba' }],
        got: [{ type: 'SELECT_SERVICE', serviceId: 'corte' }],
      },
    ]);
  });

  it('counts the right events in the wrong order as right in some order only', () => {
    const [line] = tiny;
    const reversed = [...line.expected].reverse();
    expect(score([line], [reversed])).toMatchObject({ exact: 0, exactAnyOrder: 1 });
  });

  it('reads a "sí" as a yes only where the state asks a yes-or-no question', () => {
    expect(acceptsIn('confirming', shop).has('CONFIRM')).toBe(true);
    expect(acceptsIn('choosingService', shop).has('CONFIRM')).toBe(false);
  });

  it('names the line and the problem when a corpus line is invalid', () => {
    expect(() => parseCorpus('{"text":"hola","state":"greeting","language":"fr","expected":[]}', 'bad.jsonl')).toThrow(
      /bad\.jsonl:1/,
    );
    expect(() => acceptsIn('nowhere', shop)).toThrow(/not a state of the booking machine/);
  });

  it('runs the rule parser over the whole corpus in a few seconds', async () => {
    const started = performance.now();
    const scores = await evaluate(corpus, ruleInterpreter, shop);
    expect(scores.messages).toBe(corpus.length);
    expect(scores.exact + scores.misses.length).toBe(corpus.length);
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it('asks the LLM only for what the rules could not read, and counts the calls', async () => {
    const fake = await startFakeOpenAI();
    try {
      // "un mohicano" is a haircut the rules do not know; the fake model reads it.
      fake.script(reply.events({ type: 'SELECT_SERVICE', serviceId: 'corte' }));
      const lines = parseCorpus(
        [
          '{"text":"sí","state":"confirming","language":"es","expected":[{"type":"CONFIRM"}]}',
          '{"text":"un mohicano","state":"choosingService","language":"es","expected":[{"type":"SELECT_SERVICE","serviceId":"corte"}]}',
        ].join('\n'),
      );
      // The request must be buildable in a real state's situation, or every call fails before it is sent.
      expect(() => responseFormatFor(situationFor(lines[1], shop))).not.toThrow();
      const env = readEnv({ LLM_API_KEY: 'test', LLM_BASE_URL: fake.baseURL, LLM_MODEL: 'fake' });
      const run = await evaluateWithLlm(lines, env, shop);
      expect(run).toMatchObject({ llmCalls: 1, llmCallsPerMessage: 0.5, scores: { exact: 2 } });
      expect(fake.requests).toHaveLength(1);
      expect(await evaluateWithLlm(lines, readEnv({}), shop)).toBeUndefined();
    } finally {
      await fake.close();
    }
  });
});

describe('the figures per corpus and language', () => {
  const corte = { type: 'SELECT_SERVICE', serviceId: 'corte' } as const;
  const friday = { type: 'PICK_DATE', date: '2026-11-27' } as const;
  const saturday = { type: 'PICK_DATE', date: '2026-11-28' } as const;

  it('tells right, partly (nothing false, something missing), confidently wrong and nothing apart', () => {
    expect(turnOutcome([corte, friday], [corte, friday])).toBe('right');
    expect(turnOutcome([corte, friday], [corte])).toBe('partly');
    expect(turnOutcome([corte, friday], [corte, saturday])).toBe('wrong');
    expect(turnOutcome([], [saturday])).toBe('wrong');
    expect(turnOutcome([corte], [])).toBe('nothing');
    expect(turnOutcome([], [])).toBe('right');
  });

  it('scores a date-time expression against every reading its source accepts', () => {
    const line = ExpressionLine.parse({
      text: 'Volvere a las 7',
      now: '2016-11-07T00:00:00',
      language: 'es',
      time: ['07:00', '19:00'],
      source: 'Specs/DateTime/Spanish/TimeParser.json',
    });
    expect(expressionOutcome(line, { time: '19:00' })).toBe('right');
    expect(expressionOutcome(line, { time: '17:00' })).toBe('wrong');
    expect(expressionOutcome(line, { date: '2016-11-08', time: '19:00' })).toBe('wrong');
    expect(expressionOutcome(line, {})).toBe('nothing');
  });

  it('keeps expression sets that parse, each case naming the public file it comes from', () => {
    const dir = fileURLToPath(new URL('../eval/expressions/', import.meta.url));
    const files = readdirSync(dir).filter((file) => file.endsWith('.jsonl'));
    expect(files.length).toBeGreaterThanOrEqual(2);
    for (const file of files) {
      const lines = readExpressions(join(dir, file));
      expect(lines.length).toBeGreaterThan(50);
      expect(lines.every((line) => line.source.startsWith('Specs/DateTime/'))).toBe(true);
    }
  });

  it('reads a day and a time with the peer, Recognizers-Text, in the same process', async () => {
    const { peerWhen } = await import('../src/cli/eval-peer.ts');
    expect(peerWhen('mañana a las 5', shop, new Date('2026-11-24T09:00:00Z'), 'es')).toEqual({
      date: '2026-11-25',
      time: '17:00',
    });
  });

  it('prints the figures and writes no file unless asked to, and answers --help', () => {
    const cli = fileURLToPath(new URL('../src/cli/eval.ts', import.meta.url));
    const results = fileURLToPath(new URL('../eval/results/', import.meta.url));
    const before = existsSync(results) ? readdirSync(results) : [];
    const help = execFileSync(process.execPath, [cli, '--help'], { encoding: 'utf8' });
    expect(help).toMatch(/--write/);
    const run = execFileSync(process.execPath, [cli, '--no-peer', '--misses', '0', '--corpus', TURN_CORPORA[0]], {
      encoding: 'utf8',
      env: Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('LLM_'))),
    });
    expect(run).toMatch(/corpus\.jsonl\s+es\s+rules\s+\d+\s+\d+\.\d%/);
    expect(existsSync(results) ? readdirSync(results) : []).toEqual(before);
  });
});

describe("the README's evaluation table", () => {
  const saved = JSON.parse(readFileSync(FIGURES_FILE, 'utf8')) as { table: FiguresTable };
  /** What a run reads, without the milliseconds, which differ from run to run and machine to machine. */
  const counts = (table: FiguresTable) =>
    table.map(({ figures: { medianMs, p95Ms, ...figures }, ...row }) => ({ ...row, figures }));

  it('is the one of the saved figures (`npm run eval -- --write` writes both)', () => {
    const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');
    expect(readme).toBe(readmeWithEvalTable(readme, saved.table));
  });

  // The rules' rows only: the peer (Recognizers-Text) takes most of the eval's time and reads the same
  // whatever the rules do; a corpus change moves the rules' rows too, and `--write` redoes both.
  it('shows what `npm run eval` reads in the corpora now: rerun `npm run eval -- --write` after changing the rules', async () => {
    const { table } = await figuresTable(shop, { withPeer: false });
    const rules = (rows: FiguresTable) => rows.filter((row) => row.reader !== 'peer');
    expect(counts(table)).toEqual(counts(rules(saved.table)));
  }, 120_000);
});
