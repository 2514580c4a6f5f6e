import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config/app-config.js';
import { buildDataSourceOptions } from './data-source-options.js';

/**
 * The one DataSource of the app. Entities are registered by their feature modules (`autoLoadEntities`);
 * pending migrations run at start-up when `DB_MIGRATIONS_RUN` is true (the default).
 */
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        ...buildDataSourceOptions(config.database),
        autoLoadEntities: true,
        migrationsRun: config.database.migrationsRun,
        retryAttempts: config.nodeEnv === 'test' ? 0 : 5,
      }),
    }),
  ],
})
export class DatabaseModule {}
