import { describe, expect, it } from 'vitest';
import { generatePaths, MAX_STEPS, UNREACHABLE } from '../../src/qa/paths.ts';
import { scenarioFor } from '../../src/qa/scenario.ts';
import { machineTransitions } from '../../src/qa/transitions.ts';
import { chainShop, shop, teamShop } from '../support/cita.ts';

// The one-chair shop never asks for a barber; the three-barber shop does; only a chain asks for the
// location: together they cover the machine.
const suites = [shop, teamShop, chainShop].map((config) => generatePaths(scenarioFor(config)).coverage);
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
