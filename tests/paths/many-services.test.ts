import { describe, expect, it } from 'vitest';
import { generatePaths } from '../../src/qa/paths.ts';
import { scenarioFor } from '../../src/qa/scenario.ts';
import { shopWith14Services } from '../support/many-services.ts';
import { runPlan } from './run-plan.ts';

/**
 * The plans that page through the service list, generated for a shop with 14 services (two pages)
 * and played against the whole engine: the default shop's list fits on one page.
 */
// The paging plans are a few steps deep: a walk of 4 finds the same ones as the full walk of
// MAX_STEPS, in a twentieth of the time.
const { scenario, plans } = generatePaths(scenarioFor(shopWith14Services()), { maxSteps: 4 });
const paging = plans.filter((plan) => plan.turns.some((turn) => turn.event.type === 'MORE_SERVICES'));

describe('generated paths through a list of 14 services', () => {
  it('has plans that page through the services, tapping the "more services" row', () => {
    expect(paging.length).toBeGreaterThan(0);
    expect(paging.flatMap((plan) => plan.turns).find((turn) => turn.event.type === 'MORE_SERVICES')?.says).toBe(
      'taps “Más servicios”',
    );
  });
  for (const plan of paging) {
    it(`${plan.goal}: ${plan.turns.map((turn) => turn.says).join(', ')}`, () => runPlan(plan, scenario));
  }
});
