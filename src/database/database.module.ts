import { type DynamicModule, Logger, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from './data-source-options.js';
import {
  DATABASE_ASYNC_OPTIONS_TYPE,
  DATABASE_MODULE_OPTIONS,
  DATABASE_OPTIONS_TYPE,
  DatabaseConfigurableModule,
} from './database.module-definition.js';
import {
  resolveDatabaseSettings,
  type DatabaseModuleOptions,
  type DatabaseSettings,
} from './database.options.js';
import { withMigrationLock } from './migration-lock.js';

/**
 * Runs pending migrations under the migration lock ({@link withMigrationLock}), on a DataSource of their
 * own without the per-request timeouts (a long `ALTER TABLE` is not a stalled request). Returns false
 * for an in-memory SQLite database, which only the app's own DataSource can see: it migrates that one.
 */
export async function runMigrationsLocked(db: DatabaseSettings): Promise<boolean> {
  if (db.type === 'sqlite' && db.sqlitePath === ':memory:') return false;
  const logger = new Logger('Migrations');
  await withMigrationLock(
    db,
    async () => {
      const migrator = new DataSource({
        ...buildDataSourceOptions(db, [], { failFast: false }),
        migrationsRun: false,
      });
      await migrator.initialize();
      try {
        const done = await migrator.runMigrations();
        if (done.length > 0) logger.log(`ran ${done.length} migration(s)`);
      } finally {
        await migrator.destroy();
      }
    },
    (message) => logger.log(message),
  );
  return true;
}

/** Holds the module's options provider, so that TypeORM's root module can inject them. */
@Module({})
class DatabaseOptionsHolder {}

/** The TypeORM root module, configured from the options that `definition` provides. */
function typeOrmRoot(definition: DynamicModule): DynamicModule {
  const holder: DynamicModule = {
    module: DatabaseOptionsHolder,
    imports: definition.imports,
    providers: definition.providers,
    exports: [DATABASE_MODULE_OPTIONS],
  };
  return TypeOrmModule.forRootAsync({
    imports: [holder],
    inject: [DATABASE_MODULE_OPTIONS],
    useFactory: async (options: DatabaseModuleOptions | undefined) => {
      const db = resolveDatabaseSettings(options ?? {});
      const migrated = db.migrationsRun && (await runMigrationsLocked(db));
      return {
        ...buildDataSourceOptions(db),
        autoLoadEntities: true,
        migrationsRun: db.migrationsRun && !migrated,
        // main.ts waits for the database with backoff before the app is built (docs/faults.md).
        retryAttempts: 0,
      };
    },
  });
}

/**
 * The one DataSource of the app. Entities are registered by their feature modules (`autoLoadEntities`);
 * pending migrations run at start-up when `migrationsRun` is true (the default), under a database
 * lock so that instances starting together never race (docs/faults.md "Migration lock").
 *
 * Configured with its own options only (`DatabaseModule.forRoot({...})` / `forRootAsync(...)`, see
 * {@link DatabaseModuleOptions}, defaults `DATABASE_DEFAULTS`); the application fills them from
 * the `DB_*` settings.
 */
@Module({})
export class DatabaseModule extends DatabaseConfigurableModule {
  static override forRoot(options: typeof DATABASE_OPTIONS_TYPE = {}): DynamicModule {
    const definition = super.forRoot(options);
    return { module: DatabaseModule, imports: [typeOrmRoot(definition)] };
  }

  static override forRootAsync(options: typeof DATABASE_ASYNC_OPTIONS_TYPE): DynamicModule {
    const definition = super.forRootAsync(options);
    return { module: DatabaseModule, imports: [typeOrmRoot(definition)] };
  }
}
