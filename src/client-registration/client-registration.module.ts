import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config/app-config.js';
import { provideRateLimit, RateLimitModule } from '../rate-limit/index.js';
import { REGISTRATION_POLICY, REGISTRATION_SETTINGS } from './client-registration.constants.js';
import {
  CLIENT_REGISTRATION_OPTIONS,
  ConfigurableModuleClass,
  REGISTRATION_RESPONSE_STYLE,
} from './client-registration.module-definition.js';
import {
  ALLOW_ALL_POLICY,
  resolveRegistrationSettings,
  type ClientRegistrationModuleOptions,
  type RegistrationResponseStyle,
  type RegistrationSettings,
} from './client-registration.options.js';
import { ClientRegistrationRepository } from './client-registration.repository.js';
import { ClientRegistrationService } from './client-registration.service.js';
import { ClientsModule } from './clients.module.js';
import { ClientEntity } from './entities/client.entity.js';
import { OpenRegistrationGuard } from './open-registration.guard.js';
import { RegistrationAccessTokenGuard } from './registration-access-token.guard.js';
import { RegistrationAccessTokenStrategy } from './registration-access-token.strategy.js';

/**
 * OAuth 2.0 Dynamic Client Registration (RFC 7591) and its management protocol (RFC 7592):
 * `POST /oauth/register`, `GET|PUT|DELETE /oauth/register/:client_id`.
 *
 * ```ts
 * ClientRegistrationModule.forRootAsync({
 *   inject: [AppConfig],
 *   useFactory: (config: AppConfig) => ({ rotateAccessToken: config.registration.rotateAccessToken }),
 *   responseStyle: 'flat',
 * });
 * ```
 * Options left out take their value from `AppConfig.registration`. It re-exports `ClientsModule`.
 */
@Module({
  imports: [ClientsModule, RateLimitModule, TypeOrmModule.forFeature([ClientEntity])],
  providers: [
    {
      provide: REGISTRATION_SETTINGS,
      inject: [CLIENT_REGISTRATION_OPTIONS, REGISTRATION_RESPONSE_STYLE, AppConfig],
      useFactory: (
        options: ClientRegistrationModuleOptions,
        style: RegistrationResponseStyle,
        config: AppConfig,
      ) => resolveRegistrationSettings(options ?? {}, style, config),
    },
    {
      provide: REGISTRATION_POLICY,
      inject: [CLIENT_REGISTRATION_OPTIONS],
      useFactory: (options: ClientRegistrationModuleOptions) => options?.policy ?? ALLOW_ALL_POLICY,
    },
    // The contract's "10 per hour per IP" (REGISTRATION_RATE_LIMIT / REGISTRATION_RATE_WINDOW or the
    // rateLimit / rateWindowSeconds options), declared on POST /oauth/register.
    provideRateLimit('register', {
      inject: [REGISTRATION_SETTINGS],
      useFactory: (s: RegistrationSettings) => ({
        limit: s.rateLimit,
        windowSeconds: s.rateWindowSeconds,
      }),
    }),
    ClientRegistrationRepository,
    ClientRegistrationService,
    RegistrationAccessTokenStrategy,
    RegistrationAccessTokenGuard,
    OpenRegistrationGuard,
  ],
  exports: [ClientsModule, ClientRegistrationService, REGISTRATION_SETTINGS, REGISTRATION_POLICY],
})
export class ClientRegistrationModule extends ConfigurableModuleClass {}
