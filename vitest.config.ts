import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The files that generate plans from the machines' graphs spend most of a minute doing so before
 * their first test: started last (a fresh clone orders files by size), the longest of them ran alone
 * at the end of the suite. They start first, the longest first; the rest keep Vitest's order.
 */
const GENERATING = ['tests/paths/paths.test.ts', 'tests/config-change.test.ts', 'tests/paths/'];
class GeneratedPlansFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (file: TestSpecification) => {
      const at = GENERATING.findIndex((path) => file.moduleId.includes(path));
      return at === -1 ? GENERATING.length : at;
    };
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 20_000,
    // Servers rarely run in the shop's timezone: tests run far from both UTC and Madrid, so code
    // that reads the wall clock in the server's own timezone fails here rather than in production.
    env: { TZ: 'Asia/Tokyo' },
    // Most of the suite's time went to importing: every file re-imported the whole app through
    // Vite's module runner in a fresh worker. Node runs the TypeScript itself (as `npm start` does),
    // and a worker keeps its imports from one file to the next. No test mutates globals or the
    // environment or mocks modules (keep it so: a test that must would need a project of its own
    // with `isolate: true`); each builds its own cita, servers, temp folders and Redis prefixes.
    experimental: { viteModuleRunner: false, nodeLoader: false },
    isolate: false,
    // Vitest's default on 2 cores is 1 worker; many tests wait on processes, sockets and timers.
    maxWorkers: 2,
    sequence: { sequencer: GeneratedPlansFirst },
  },
});
