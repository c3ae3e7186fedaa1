import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts', 'src/**/*.spec.ts', 'pipelines/**/*.spec.ts'],
    // DuckDB builds DATE/TIMESTAMP values in the process's local zone; pin it (see docs/warehouse.md).
    env: { TZ: 'UTC' },
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: 'forks',
  },
});
