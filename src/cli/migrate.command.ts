import { parseArgs } from 'node:util';
import { DataSource } from 'typeorm';
import { loadConfig } from '../config/index.js';
import { buildDataSourceOptions, withMigrationLock } from '../database/index.js';
import { ENTITIES } from '../entities.js';
import { errorMessage, type CliIo } from './cli-io.js';

const USAGE = `Usage: authms migrate [--revert]

Runs the pending database migrations (npm run migration:run runs this), with the settings of the
server (DB_TYPE, DB_*), under the migration lock the servers take at start-up. With --revert, undoes the last one. Needs only the runtime dependencies, so
it runs on a production host after npm prune --omit=dev. Prints one line per migration run.
`;

/**
 * `authms migrate`: the deployment step that applies the schema migrations before the new version starts
 * (docs/operations.md, docs/database.md "Migrations"), from the built code and runtime dependencies
 * only. Returns the exit code: 0 done, 1 failed, 2 bad command line.
 */
export async function runMigrate(argv: string[], io: CliIo): Promise<number> {
  let revert: boolean;
  try {
    const { values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: { revert: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    });
    if (values.help) {
      io.stdout.write(USAGE);
      return 0;
    }
    revert = values.revert ?? false;
  } catch (e) {
    io.stderr.write(`${errorMessage(e)}\n\n${USAGE}`);
    return 2;
  }
  try {
    const db = loadConfig(io.env).database;
    // The lock the servers take at start-up (docs/faults.md "Migration lock"): a deployment step and
    // an instance starting meanwhile never migrate at once.
    await withMigrationLock(
      db,
      async () => {
        const dataSource = new DataSource({
          ...buildDataSourceOptions(db, ENTITIES, { failFast: false }),
          migrationsRun: false,
        });
        await dataSource.initialize();
        try {
          if (revert) {
            await dataSource.undoLastMigration();
            io.stdout.write('reverted the last migration\n');
          } else {
            const ran = await dataSource.runMigrations();
            for (const m of ran) io.stdout.write(`${m.name}\n`);
            io.stderr.write(
              ran.length === 0 ? 'no pending migrations\n' : `${ran.length} migrations run\n`,
            );
          }
        } finally {
          await dataSource.destroy();
        }
      },
      (message) => io.stderr.write(`${message}\n`),
    );
    return 0;
  } catch (e) {
    io.stderr.write(`migrate failed: ${errorMessage(e)}\n`);
    return 1;
  }
}
