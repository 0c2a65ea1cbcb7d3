import { defineConfig } from 'vitest/config';

// One runner for the whole repo: fast unit tests per package, and integration tests that start
// real prometheus / node-exporter / alertmanager / chromium processes (run one file at a time).
export default defineConfig({
  test: {
    // CI also writes a JSON report that scripts/check-test-report.mjs reads to prove nothing was skipped
    reporters: process.env.CI ? ['default', 'json'] : ['default'],
    outputFile: { json: 'test-results/vitest.json' },
    projects: [
      {
        test: {
          name: 'exporter',
          include: ['exporter/src/**/*.test.ts', 'exporter/test/**/*.test.ts'],
          environment: 'node',
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          environment: 'node',
          testTimeout: 180_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      'grafana-plugin/vitest.config.ts',
    ],
  },
});
