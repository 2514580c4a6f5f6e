import { DynamicModule, Module } from '@nestjs/common';
import { ClientsModule } from '../client-registration/index.js';
import { AppConfigModule } from '../config/config.module.js';
import { DatabaseModule } from '../database/database.module.js';
import { KeyMaintenanceModule, KeysModule } from '../keys/index.js';
import { UsersModule } from '../users/index.js';

/**
 * What the maintenance CLIs need: the same validated configuration and database as the server (pending
 * migrations run, as at server start-up), plus the keys, users and clients services. No HTTP, no other modules.
 */
@Module({})
export class CliModule {
  static forRoot(env: Record<string, string | undefined>): DynamicModule {
    return {
      module: CliModule,
      imports: [
        AppConfigModule.forRoot(env),
        DatabaseModule,
        KeysModule,
        UsersModule,
        ClientsModule,
      ],
    };
  }

  /**
   * For `keys:reencrypt`: configuration, database and the key maintenance service only. Not KeysModule,
   * whose start-up check refuses to run while signing keys are under the development key, which is
   * exactly what this command repairs.
   */
  static forKeyMaintenance(env: Record<string, string | undefined>): DynamicModule {
    return {
      module: CliModule,
      imports: [AppConfigModule.forRoot(env), DatabaseModule, KeyMaintenanceModule],
    };
  }
}
