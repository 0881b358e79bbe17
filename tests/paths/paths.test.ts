import { describe, it } from 'vitest';
import { generatePaths } from '../../src/qa/paths.ts';
import { scenarioFor } from '../../src/qa/scenario.ts';
import { shop, teamShop } from '../support/cita.ts';
import { runPlan } from './run-plan.ts';

/**
 * Every plan generated from the booking machine's graph, played against the whole engine. A plan
 * failing means the engine (parser, views, actors, adapters) does not do what the machine says.
 */
for (const [name, config] of [
  ['one chair', shop],
  ['three barbers', teamShop],
] as const) {
  const { scenario, plans } = generatePaths(scenarioFor(config));
  for (const kind of ['state', 'transition', 'variant', 'main flow'] as const) {
    describe(`generated paths (${name}): ${kind}`, () => {
      for (const plan of plans.filter((p) => p.kind === kind)) {
        it(`${plan.goal}: ${plan.turns.map((turn) => turn.says).join(', ')}`, () => runPlan(plan, scenario));
      }
    });
  }
}
