import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // tests/cluster/ needs the cluster topology: only under `npm test -- --cluster` (ORGLIFE_CLUSTER=1).
    exclude: ['**/node_modules/**', ...(process.env.ORGLIFE_CLUSTER === '1' ? [] : ['tests/cluster/**'])],
    globalSetup: ['tests/setup/servers.ts'],
    // Time-skipping servers keep one clock each and the integration tests share one dev server and database:
    // files run one after another, which also keeps a 2-core machine responsive.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // Stopping the cluster topology (ORGLIFE_CLUSTER=1) drains two workers and stops Temporal's server gracefully.
    teardownTimeout: 60_000,
    pool: 'forks',
  },
});
