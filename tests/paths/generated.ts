import type { ShopConfig } from '../../config/schema.ts';
import { generatePaths, type PathSuite } from '../../src/qa/paths.ts';
import { scenarioFor } from '../../src/qa/scenario.ts';

// Generating a shop's plans walks hundreds of thousands of graph steps (tens of seconds): the plans
// played and the coverage checked come from one walk per shop.
const generated = new Map<ShopConfig, PathSuite>();

/** The plans generated from the booking machine's graph for a shop, generated once per test worker. */
export function generatedPaths(config: ShopConfig): PathSuite {
  const suite = generated.get(config) ?? generatePaths(scenarioFor(config));
  generated.set(config, suite);
  return suite;
}
