import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MAX_STEPS, UNREACHABLE } from '../../src/qa/paths.ts';
import { PATHS_FILE, pathsDocument } from '../../src/qa/paths-document.ts';
import type { Plan } from '../../src/qa/plans.ts';
import { machineTransitions } from '../../src/qa/transitions.ts';
import { chainShop, shop, teamShop } from '../support/cita.ts';
import { generatedPaths } from './generated.ts';
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
  const generated = generatedPaths(config);
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

// The one-chair shop never asks for a barber; the three-barber shop does; only a chain asks for the
// location: together they cover the machine.
const suites = [shop, teamShop, chainShop].map((config) => generatedPaths(config).coverage);
const missedByAll = (missed: (c: (typeof suites)[number]) => string[]) =>
  missed(suites[0]).filter((item) => suites.every((suite) => missed(suite).includes(item)));
const coverage = {
  states: { missed: missedByAll((c) => c.states.missed) },
  transitions: {
    missed: missedByAll((c) => c.transitions.missed),
    allowed: missedByAll((c) => c.transitions.allowed),
  },
  variants: {
    missed: missedByAll((c) => c.variants.missed),
    total: Math.max(...suites.map((c) => c.variants.total)),
  },
};
const hint = `cover it (payloads in src/qa/events.ts, MAX_STEPS = ${MAX_STEPS} in src/qa/paths.ts) or explain it in UNREACHABLE`;

describe('coverage of the booking machine by the generated paths', () => {
  it('reaches every state of the machine', () => {
    expect(coverage.states.missed).toEqual([]);
  });

  it(`takes every transition, except those explained as unreachable (${hint})`, () => {
    expect(coverage.transitions.missed).toEqual([]);
  });

  it('explains only transitions the machine still has, and that the paths really miss', () => {
    const keys = new Set(machineTransitions().map((t) => t.key));
    for (const key of Object.keys(UNREACHABLE)) expect(keys, `stale UNREACHABLE entry ${key}`).toContain(key);
    expect(coverage.transitions.allowed).toHaveLength(Object.keys(UNREACHABLE).length);
  });

  it('uses every payload and actor outcome the event tables offer', () => {
    expect(coverage.variants.missed).toEqual([]);
    expect(coverage.variants.total).toBeGreaterThan(0);
  });
});
