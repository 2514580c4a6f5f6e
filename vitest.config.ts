import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

// Unit specs sit beside the code; e2e specs boot the whole app over real HTTP against a real database
// (SQLite by default, MariaDB/MySQL with DB_TYPE=mysql). Decorator metadata is emitted by the transform,
// so Nest's DI by type and class-validator work as in the compiled build.
//
// Speed (docs/testing.md): almost all of a run used to be spent importing Nest, TypeORM and the app again
// for every file. Files now share their worker's module graph (`isolate: false`), so each worker imports
// them once. Process-wide state that one file could leave to the next is reset per file by
// test/setup/per-file.ts. A file that mocks a module (`vi.mock`) needs a fresh module graph — a module
// another file already loaded keeps its real imports — so such files are found here and run isolated.

/** `*.ts` files under `dir` whose name ends with `suffix`, as paths relative to the repository. */
function specs(dir: string, suffix: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith(suffix))
    .map((f) => join(dir, f));
}

/** The spec files that mock modules, which must not share a module graph with others. */
function mockingModules(files: string[]): string[] {
  return files.filter((f) => /\bvi\s*\.\s*(mock|doMock)\s*\(/.test(readFileSync(f, 'utf8')));
}

/**
 * The spec files that start processes (the built server, the CLI, load generators). They are the
 * longest files and mostly wait for their children, so they start first: a long file started last
 * would leave one worker running it alone at the end.
 */
function spawningProcesses(files: string[]): string[] {
  return files.filter((f) =>
    /\b(spawnServer|spawn|spawnSync|execFile|fork)\s*\(/.test(readFileSync(f, 'utf8')),
  );
}

const spawning = new Set(spawningProcesses(specs('test', '.e2e-spec.ts')));

/**
 * Vitest's order (projects by name, then the longest files of the last run first, unknown or larger
 * files first without one), with the files that spawn processes moved to the front. The last run's
 * durations alone are not enough: CI starts without them (`npm ci`), and a run of a few files replaces
 * them.
 */
class SpawningFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const spawns = (f: TestSpecification) => spawning.has(relative(process.cwd(), f.moduleId));
    return [...sorted.filter(spawns), ...sorted.filter((f) => !spawns(f))];
  }
}

const unitMocking = mockingModules(specs('src', '.spec.ts'));
const e2eMocking = mockingModules(specs('test', '.e2e-spec.ts'));

/** A project that shares modules between its files, and its isolated twin for the files that mock. */
function projects(
  name: string,
  include: string[],
  mocking: string[],
): TestProjectInlineConfiguration[] {
  const shared: TestProjectInlineConfiguration = {
    extends: true,
    test: { name, include, exclude: mocking, isolate: false },
  };
  if (mocking.length === 0) return [shared];
  return [shared, { extends: true, test: { name: `${name}-isolated`, include: mocking } }];
}

export default defineConfig({
  test: {
    pool: 'forks',
    // Two cores: two files at a time keeps MariaDB and the CPU busy without thrashing. Set once here:
    // Vitest refuses projects with different maxWorkers in the same run.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    environment: 'node',
    setupFiles: ['test/setup/per-file.ts'],
    sequence: { sequencer: SpawningFirst },
    experimental: { fsModuleCache: true },
    projects: [
      ...projects('unit', ['src/**/*.spec.ts'], unitMocking),
      ...projects('e2e', ['test/**/*.e2e-spec.ts'], e2eMocking),
    ],
  },
});
