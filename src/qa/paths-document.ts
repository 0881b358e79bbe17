import { formattedJson } from './format-json.ts';
import type { Coverage } from './paths.ts';
import { type Plan, planJson } from './plans.ts';
import type { Scenario } from './scenario.ts';

/** Where `npm run paths -- --write` keeps the booking machine's plans. */
export const PATHS_FILE = 'docs/paths.json';

/** The plans as JSON, byte for byte as the repo commits them. */
export function pathsDocument(generated: { scenario: Scenario; coverage: Coverage; plans: Plan[] }): string {
  const { scenario, coverage, plans } = generated;
  return formattedJson({ now: scenario.now, coverage, plans: plans.map(planJson) }, PATHS_FILE);
}
