import { DynamicModule, Module } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { registrationOptionsFrom } from '../app.module.js';
import { ClientRegistrationModule, ClientsModule } from '../client-registration/index.js';
import { AppConfig, AppConfigModule } from '../config/index.js';
import { DatabaseModule } from '../database/index.js';
import { KeyMaintenanceModule, KeysModule } from '../keys/index.js';
import { databaseOptionsFrom, keysOptionsFrom } from '../app.options.js';
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
        DatabaseModule.forRootAsync({ inject: [AppConfig], useFactory: databaseOptionsFrom }),
        KeysModule.forRootAsync({ inject: [AppConfig], useFactory: keysOptionsFrom }),
        UsersModule,
        ClientsModule,
      ],
    };
  }

  /**
   * For `client:create`: configuration, database, the client administration (with the registration
   * settings of the server, so the same metadata rules apply) and the audit trail it writes.
   */
  static forClientAdministration(env: Record<string, string | undefined>): DynamicModule {
    return {
      module: CliModule,
      imports: [
        AppConfigModule.forRoot(env),
        DatabaseModule.forRootAsync({ inject: [AppConfig], useFactory: databaseOptionsFrom }),
        EventEmitterModule.forRoot(),
        ClientRegistrationModule.forRootAsync({
          inject: [AppConfig],
          useFactory: registrationOptionsFrom,
        }),
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
      imports: [
        AppConfigModule.forRoot(env),
        DatabaseModule.forRootAsync({ inject: [AppConfig], useFactory: databaseOptionsFrom }),
        KeyMaintenanceModule.forRootAsync({ inject: [AppConfig], useFactory: keysOptionsFrom }),
      ],
    };
  }
}
