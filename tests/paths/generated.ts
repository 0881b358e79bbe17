import type { ShopConfig } from '../../config/schema.ts';
import { generatePaths, type PathSuite } from '../../src/qa/paths.ts';
import { scenarioFor } from '../../src/qa/scenario.ts';

// Generating a shop's plans walks hundreds of thousands of graph steps (tens of seconds): files that
// run in the same test worker (vitest keeps a worker's modules from one file to the next) share them.
const generated = new Map<ShopConfig, PathSuite>();

/** The plans generated from the booking machine's graph for a shop, generated once per worker. */
export function generatedPaths(config: ShopConfig): PathSuite {
  const suite = generated.get(config) ?? generatePaths(scenarioFor(config));
  generated.set(config, suite);
  return suite;
}
