import { describe, it } from 'vitest';
import { generatePaths } from '../../src/qa/paths.ts';
import { scenarioFor } from '../../src/qa/scenario.ts';
import { shop } from '../support/cita.ts';
import { runPlan } from './run-plan.ts';

/**
 * Every plan generated from the booking machine's graph, played against the whole engine. A plan
 * failing means the engine (parser, views, actors, adapters) does not do what the machine says.
 */
const { scenario, plans } = generatePaths(scenarioFor(shop));

for (const kind of ['state', 'transition', 'variant', 'main flow'] as const) {
  describe(`generated paths: ${kind}`, () => {
    for (const plan of plans.filter((p) => p.kind === kind)) {
      it(`${plan.goal}: ${plan.turns.map((turn) => turn.says).join(', ')}`, () => runPlan(plan, scenario));
    }
  });
}
