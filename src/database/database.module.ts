import { Logger, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig, type DatabaseConfig } from '../config/index.js';
import { buildDataSourceOptions } from './data-source-options.js';
import { withMigrationLock } from './migration-lock.js';

/**
 * Runs pending migrations under the migration lock ({@link withMigrationLock}), on a DataSource of their
 * own without the per-request timeouts (a long `ALTER TABLE` is not a stalled request). Returns false
 * for an in-memory SQLite database, which only the app's own DataSource can see: it migrates that one.
 */
export async function runMigrationsLocked(db: DatabaseConfig): Promise<boolean> {
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

/**
 * The one DataSource of the app. Entities are registered by their feature modules (`autoLoadEntities`);
 * pending migrations run at start-up when `DB_MIGRATIONS_RUN` is true (the default), under a database
 * lock so that instances starting together never race (docs/faults.md "Migration lock").
 */
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [AppConfig],
      useFactory: async (config: AppConfig) => {
        const migrated =
          config.database.migrationsRun && (await runMigrationsLocked(config.database));
        return {
          ...buildDataSourceOptions(config.database),
          autoLoadEntities: true,
          migrationsRun: config.database.migrationsRun && !migrated,
          // main.ts waits for the database with backoff before the app is built (docs/faults.md).
          retryAttempts: 0,
        };
      },
    }),
  ],
})
export class DatabaseModule {}
