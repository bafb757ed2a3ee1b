import { defineConfig } from 'vitest/config';

// Three lanes, each runnable alone (`npm run test:unit` / `test:integration` / `test:infra`);
// `npm test` runs them together. Only the lanes that talk to S3 or Secrets Manager start moto.
const withMoto = ['test/support/global-setup.ts'];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Most tests wait on simulated rate limits, child processes or moto rather than the CPU: more
    // workers than cores keeps both cores busy (vitest's default on 2 cores is one worker).
    maxWorkers: 4,
    reporters: ['default', './test/support/summary-reporter.ts'],
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      { extends: true, test: { name: 'integration', include: ['test/integration/**/*.test.ts', 'test/interop/**/*.test.ts'], globalSetup: withMoto } },
      { extends: true, test: { name: 'infra', include: ['test/infra/**/*.test.ts'], globalSetup: withMoto } },
    ],
  },
});
