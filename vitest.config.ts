import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Threads crash the Temporal native bridge and PGlite; one process per file.
    pool: 'forks',
    include: ['tests/**/*.test.ts'],
    reporters: ['default', './tests/support/summary-reporter.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    fileParallelism: true,
    maxWorkers: 2,
  },
});
