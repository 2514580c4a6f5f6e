import 'reflect-metadata';
import { DataSource } from 'typeorm';
import type { Migration } from 'typeorm';
import { loadConfig } from './src/config/index.js';
import { buildDataSourceOptions, withMigrationLock } from './src/database/index.js';
import { ENTITIES } from './src/entities.js';

const database = loadConfig().database;

/** Takes the same migration lock as a starting server, so `migration:run` never races one (docs/faults.md). */
class LockedDataSource extends DataSource {
  override runMigrations(
    options?: Parameters<DataSource['runMigrations']>[0],
  ): Promise<Migration[]> {
    return withMigrationLock(database, () => super.runMigrations(options));
  }
}

/**
 * The DataSource used ONLY by the TypeORM CLI (`npm run migration:run`, `migration:revert`,
 * `migration:generate`). It reads the same validated configuration as the server, so `DB_TYPE`,
 * `DB_SQLITE_PATH` and `DB_*` apply alike, and lists every entity, so that `migration:generate` compares
 * them with the database (docs/extending.md "Changing an entity"). No per-request timeouts: a long
 * migration is not a stalled request.
 */
export default new LockedDataSource(
  buildDataSourceOptions(database, ENTITIES, { failFast: false }),
);
