// First: the settings in .env must be in the environment before any module reads them.
import '../env-file.ts';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadShopConfig } from '../../config/load.ts';
import { type Coverage, generatePaths } from '../qa/paths.ts';
import { PATHS_FILE, pathsDocument } from '../qa/paths-document.ts';
import { printPlan } from '../qa/plans.ts';
import { scenarioFor } from '../qa/scenario.ts';
import { generateStaffPaths, staffScenarioFor } from '../qa/staff-paths.ts';

const USAGE = `Usage: npm run paths -- [--write] [--out docs/paths.json] [--machine staff]
Walks the booking machine's graph and prints numbered test plans (what the customer sends, how the
world must be, the state that follows, the bot's first line) and the coverage they reach. With
--write, also writes the plans as JSON to --out (default docs/paths.json), formatted as committed
(tests/paths/paths.test.ts fails when docs/paths.json no longer matches the machine). tests/paths/
plays every plan. --machine staff prints the staff machine's plans instead.`;

/**
 * `npm run paths [-- --write [--out file.json]]`: prints the test plans generated from the booking
 * machine and the coverage they reach, and with --write writes the plans as JSON.
 */
const { values } = parseArgs({
  options: {
    write: { type: 'boolean' },
    out: { type: 'string', default: PATHS_FILE },
    machine: { type: 'string', default: 'booking' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

if (values.machine === 'staff') {
  const { plans, coverage } = generateStaffPaths(staffScenarioFor(loadShopConfig(process.env.SHOP_CONFIG)));
  for (const [i, plan] of plans.entries()) {
    console.log(`${i + 1}. ${plan.goal}`);
    for (const [j, turn] of plan.turns.entries()) {
      console.log(
        `   ${j + 1}. staff ${turn.says} → ${turn.state} · bot: ${turn.replies[0]?.body.split('\n')[0] ?? ''}`,
      );
    }
  }
  const missed = [...coverage.states.missed, ...coverage.transitions.missed, ...coverage.variants.missed];
  console.log(
    `\n${plans.length} plans; ${coverage.transitions.total} transitions; not covered: ${missed.join(', ') || 'nothing'}`,
  );
  process.exit(0);
}

const started = performance.now();
const generated = generatePaths(scenarioFor(loadShopConfig(process.env.SHOP_CONFIG)));
const { plans, coverage } = generated;
const seconds = ((performance.now() - started) / 1000).toFixed(1);

console.log(plans.map(printPlan).join('\n\n'));
console.log(`\n${coverageReport(coverage)}\n(${plans.length} plans in ${seconds} s)`);

if (values.write) {
  const out = resolve(values.out);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, pathsDocument(generated));
  console.log(`written to ${values.out}`);
}

export function coverageReport(coverage: Coverage): string {
  const { states, transitions, variants, graph } = coverage;
  return [
    `Coverage: states ${states.reached.length}/${states.total}, transitions ${transitions.covered}/${transitions.total}, payloads and outcomes ${variants.covered}/${variants.total} (graph: ${graph.states} states, ${graph.edges} edges)`,
    ...states.missed.map((s) => `  state not reached: ${s}`),
    ...transitions.missed.map((t) => `  transition not covered: ${t}`),
    ...transitions.allowed.map((t) => `  allowed as unreachable: ${t}`),
    ...variants.missed.map((v) => `  payload or outcome not used: ${v}`),
  ].join('\n');
}
