import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadConfig } from './src/config/app-config.js';
import { buildDataSourceOptions } from './src/database/data-source-options.js';

/**
 * The DataSource used ONLY by the TypeORM CLI (`npm run migration:run`, `migration:revert`). It reads the
 * same validated configuration as the server, so `DB_TYPE`, `DB_SQLITE_PATH` and `DB_*` apply alike.
 */
export default new DataSource(buildDataSourceOptions(loadConfig().database));
