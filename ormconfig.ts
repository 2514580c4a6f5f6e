import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadConfig } from './src/config/app-config.js';
import { buildDataSourceOptions } from './src/database/data-source-options.js';
import { ENTITIES } from './src/database/entities.js';

/**
 * The DataSource used ONLY by the TypeORM CLI (`npm run migration:run`, `migration:revert`,
 * `migration:generate`). It reads the same validated configuration as the server, so `DB_TYPE`,
 * `DB_SQLITE_PATH` and `DB_*` apply alike, and lists every entity, so that `migration:generate` compares
 * them with the database (docs/extending.md "Changing an entity").
 */
export default new DataSource(buildDataSourceOptions(loadConfig().database, ENTITIES));
