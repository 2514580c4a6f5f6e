import { DynamicModule, Module, ModuleMetadata } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { AuthorizeModule, type AuthorizeModuleOptions } from './authorize/index.js';
import {
  ClientRegistrationModule,
  type ClientRegistrationModuleOptions,
} from './client-registration/index.js';
import { OAuthExceptionFilter } from './common/errors/oauth-exception.filter.js';
import { API_PREFIX, AppConfig } from './config/app-config.js';
import { AppConfigModule } from './config/config.module.js';
import { DatabaseModule } from './database/database.module.js';
import { DiscoveryModule } from './discovery/index.js';
import { HealthModule } from './health/health.module.js';
import { KeysModule } from './keys/index.js';
import { UsersModule } from './users/index.js';
import { TokenModule } from './token/index.js';

/** Options for composing the application (tests and embedders use them; `main.ts` passes none). */
export interface AppModuleOptions {
  /** Environment values merged over `process.env` before validation. */
  env?: Record<string, string | undefined>;
  /** Extra modules, e.g. one that replaces the login step (see README "Extending"). */
  imports?: ModuleMetadata['imports'];
  /**
   * Replaces the default `ClientRegistrationModule.forRootAsync(...)` (filled from the `REGISTRATION_*`
   * settings), e.g. with one built by `ClientRegistrationModule.forRoot({...})`.
   */
  registration?: DynamicModule;
  /** Options of `AuthorizeModule.forRoot`, e.g. a replacement login handler (README "Extending"). */
  authorize?: AuthorizeModuleOptions;
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
        KeysModule,
        UsersModule,
        DiscoveryModule,
        TokenModule,
        AuthorizeModule.forRoot(options.authorize),
        options.registration ?? AppModule.defaultRegistration(),
        ...(options.imports ?? []),
      ],
      providers: [{ provide: APP_FILTER, useClass: OAuthExceptionFilter }],
    };
  }

  /**
   * Registration (RFC 7591/7592) configured by the `REGISTRATION_*` settings: the module gets them as its
   * own options, it never reads the application's configuration itself.
   */
  private static defaultRegistration(): DynamicModule {
    return ClientRegistrationModule.forRootAsync({
      inject: [AppConfig],
      useFactory: registrationOptionsFrom,
    });
  }
}

/**
 * The options AuthMS gives `ClientRegistrationModule`, from its validated settings. A replacement
 * registration module (`AppModule.forRoot({ registration })`, e.g. one with a policy) starts from these
 * so it keeps honouring the `REGISTRATION_*` settings (docs/extending.md).
 */
export function registrationOptionsFrom(config: AppConfig): ClientRegistrationModuleOptions {
  const r = config.registration;
  return {
    issuer: config.issuer,
    routePrefix: API_PREFIX,
    scopesSupported: config.scopesSupported,
    defaultScope: r.defaultScope,
    rotateAccessToken: r.rotateAccessToken,
    rateLimit: r.rateLimit,
    rateWindowSeconds: r.rateWindowSeconds,
    initialAccessTokens: r.initialAccessTokens,
    secretTtlSeconds: r.secretTtlSeconds,
    allowHttpLoopback: r.allowHttpLoopback,
  };
}
