import { defineConfig } from 'vitest/config';

// Unit specs sit beside the code; e2e specs boot the whole app over real HTTP against a real database
// (SQLite by default, MariaDB/MySQL with DB_TYPE=mysql). Decorator metadata is emitted by the transform,
// so Nest's DI by type and class-validator work as in the compiled build.
export default defineConfig({
  test: {
    pool: 'forks',
    // Two cores: two files at a time keeps MariaDB and the CPU busy without thrashing. Set once here:
    // Vitest refuses projects with different maxWorkers in the same run.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['src/**/*.spec.ts'], environment: 'node' },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/**/*.e2e-spec.ts'],
          environment: 'node',
        },
      },
    ],
  },
});
