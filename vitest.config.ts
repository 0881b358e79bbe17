import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 20_000,
    // Servers rarely run in the shop's timezone: tests run far from both UTC and Madrid, so code
    // that reads the wall clock in the server's own timezone fails here rather than in production.
    env: { TZ: 'Asia/Tokyo' },
  },
});
