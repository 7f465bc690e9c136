import { defineConfig } from 'vitest/config';

// Two projects: "unit" needs nothing but Node; "integration" talks to the real kind cluster
// (scripts/test.ts brings it up first). Run one with `vitest run --project unit`.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/__tests__/**/*.test.ts', 'scripts/__tests__/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          environment: 'node',
          testTimeout: 300_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
