import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration tests start servers on loopback ports; keep parallelism modest on 2-core machines.
    pool: 'forks',
    maxWorkers: 2,
  },
});
