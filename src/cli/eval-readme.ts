import { Language } from '../../config/schema.ts';
import type { Figures, FiguresTable } from './eval.ts';

/** The README's evaluation table sits between these lines; `npm run eval -- --write` rewrites it. */
const START = '<!-- eval table: written by `npm run eval -- --write` from eval/results/figures.json -->';
const END = '<!-- /eval table -->';

const HEADER = [
  '| corpus | lang | n | rules: right / wrong / nothing | peer: right / wrong / nothing | ms per message, rules / peer (median) | LLM calls, rules / peer |',
  '| --- | --- | --- | --- | --- | --- | --- |',
];

/**
 * The README's table of `npm run eval`'s figures: one row per corpus and language, the rules beside
 * the peer, the better "right" in bold.
 */
export function readmeEvalTable(table: FiguresTable): string {
  const corpora = [...new Set(table.map((row) => row.corpus))];
  const rows = corpora.flatMap((corpus) =>
    Language.options.flatMap((language) => {
      const of = (reader: string) =>
        table.find((row) => row.corpus === corpus && row.language === language && row.reader === reader)?.figures;
      const rules = of('rules');
      if (!rules) return [];
      const peer = of('peer');
      const rulesBest = !peer || rules.right >= peer.right;
      return [
        `| ${corpusLabel(corpus)} | ${language} | ${rules.messages} | ${outcomes(rules, rulesBest)} | ${peer ? outcomes(peer, !rulesBest) : '–'} | ${rules.medianMs.toFixed(2)} / ${peer ? peer.medianMs.toFixed(1) : '–'} | ${rules.llmCalls === undefined ? '–' : `${rules.llmCalls} / ${peer?.llmCalls ?? '–'}`} |`,
      ];
    }),
  );
  return [...HEADER, ...rows].join('\n');
}

/** The README with its evaluation table replaced by the one of these figures. */
export function readmeWithEvalTable(readme: string, table: FiguresTable): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README.md has no evaluation table between "${START}" and "${END}"`);
  return `${readme.slice(0, start)}${START}\n${readmeEvalTable(table)}\n${readme.slice(end)}`;
}

function corpusLabel(corpus: string): string {
  if (corpus.startsWith('expressions/recognizers-')) return 'Recognizers-Text specs';
  return corpus.startsWith('expressions/') ? `${corpus} (expressions)` : `${corpus} (turns)`;
}

function outcomes(f: Figures, best: boolean): string {
  const pct = (part: number) => {
    const value = (part / Math.max(1, f.messages)) * 100;
    return value === 100 ? '100%' : `${value.toFixed(1)}%`;
  };
  const right = best ? `**${pct(f.right)}**` : pct(f.right);
  return `${right} / ${pct(f.wrong)} / ${pct(f.nothing)}`;
}
