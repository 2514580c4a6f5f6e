// Public surface of DatabaseModule: the connection module, the builder of TypeORM options it shares with
// ormconfig.ts and the CLI, the migration list and lock, and the start-up check. It imports no feature
// module, so a feature may import it (ClientRegistrationModule exports its migrations from here) without
// an import cycle; the list of every entity is the application's (src/entities.ts).
export { DatabaseModule } from './database.module.js';
export {
  DATABASE_DEFAULTS,
  type DatabaseModuleOptions,
  type DatabaseSettings,
} from './database.options.js';
export { buildDataSourceOptions } from './data-source-options.js';
export { MigrationLockTimeoutError, withMigrationLock } from './migration-lock.js';
export { DatabaseStartupError, waitForDatabase } from './startup-check.js';
export { CLIENT_REGISTRATION_MIGRATIONS, MIGRATIONS } from './migrations/index.js';
