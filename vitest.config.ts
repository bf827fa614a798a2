import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    // DASHBOARD_CI_TEST_CLOCK moves Date in every file (npm run test:future).
    setupFiles: ['test/support/clock-setup.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
    // chdb segfaults inside worker_threads at exit: each test file runs in a child process.
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
