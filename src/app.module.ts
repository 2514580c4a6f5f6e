import { DynamicModule, Module, ModuleMetadata } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { OAuthExceptionFilter } from './common/errors/oauth-exception.filter.js';
import { AppConfigModule } from './config/config.module.js';
import { DatabaseModule } from './database/database.module.js';
import { HealthModule } from './health/health.module.js';

/** Options for composing the application (tests and embedders use them; `main.ts` passes none). */
export interface AppModuleOptions {
  /** Environment values merged over `process.env` before validation. */
  env?: Record<string, string | undefined>;
  /** Extra modules, e.g. one that replaces the login step (see README "Extending"). */
  imports?: ModuleMetadata['imports'];
}

/**
 * Composes the authorization server: configuration, database, and the feature modules. No providers of
 * its own beyond the global exception filter.
 */
@Module({})
export class AppModule {
  static forRoot(options: AppModuleOptions = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(options.env),
        DatabaseModule,
        EventEmitterModule.forRoot(),
        HealthModule,
        ...(options.imports ?? []),
      ],
      providers: [{ provide: APP_FILTER, useClass: OAuthExceptionFilter }],
    };
  }
}
