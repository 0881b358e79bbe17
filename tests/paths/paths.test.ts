import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generatePaths } from '../../src/qa/paths.ts';
import { PATHS_FILE, pathsDocument } from '../../src/qa/paths-document.ts';
import type { Plan } from '../../src/qa/plans.ts';
import { scenarioFor } from '../../src/qa/scenario.ts';
import { chainShop, shop, teamShop } from '../support/cita.ts';
import { runPlan } from './run-plan.ts';

/**
 * Every plan generated from the booking machine's graph, played against the whole engine. A plan
 * failing means the engine (parser, views, actors, adapters) does not do what the machine says.
 */
/** A chain's plans are one location's plans again but for the location step: only those through it are played. */
const throughTheLocation = (plan: Plan) =>
  plan.turns.some((turn) => turn.event.type === 'SELECT_LOCATION' || turn.state === 'choosingLocation');

for (const [name, config] of [
  ['one chair', shop],
  ['three barbers', teamShop],
  ['a chain of two', chainShop],
] as const) {
  const generated = generatePaths(scenarioFor(config));
  const { scenario } = generated;
  const plans = config === chainShop ? generated.plans.filter(throughTheLocation) : generated.plans;
  if (config === shop) {
    it(`${PATHS_FILE} is what \`npm run paths -- --write\` writes: run it after changing the machine`, () => {
      expect(readFileSync(PATHS_FILE, 'utf8')).toBe(pathsDocument(generated));
    });
  }
  for (const kind of ['state', 'transition', 'variant', 'main flow'] as const) {
    describe(`generated paths (${name}): ${kind}`, () => {
      for (const plan of plans.filter((p) => p.kind === kind)) {
        it(`${plan.goal}: ${plan.turns.map((turn) => turn.says).join(', ')}`, () => runPlan(plan, scenario));
      }
    });
  }
}
