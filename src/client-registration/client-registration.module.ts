import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/index.js';
import { ClockModule } from '../common/time/clock.module.js';
import { provideRateLimit, RateLimitModule } from '../rate-limit/index.js';
import { REGISTRATION_POLICY, REGISTRATION_SETTINGS } from './client-registration.constants.js';
import {
  ClientRegistrationController,
  FlatClientRegistrationController,
} from './client-registration.controller.js';
import {
  CLIENT_REGISTRATION_OPTIONS,
  ConfigurableModuleClass,
} from './client-registration.module-definition.js';
import {
  ALLOW_ALL_POLICY,
  resolveRegistrationSettings,
  type ClientRegistrationModuleOptions,
  type RegistrationSettings,
} from './client-registration.options.js';
import { ClientAdministrationService } from './client-administration.service.js';
import { ClientRegistrationRepository } from './client-registration.repository.js';
import { ClientRegistrationService } from './client-registration.service.js';
import { ClientSecretsService } from './client-secrets.service.js';
import { ClientsModule } from './clients.module.js';
import { ClientSecretEntity } from './entities/client-secret.entity.js';
import { ClientEntity } from './entities/client.entity.js';
import { OpenRegistrationGuard } from './open-registration.guard.js';
import { RegistrationAccessTokenGuard } from './registration-access-token.guard.js';

/**
 * OAuth 2.0 Dynamic Client Registration (RFC 7591) and its management protocol (RFC 7592), in both
 * response styles at once: the contract's envelope at `{routePrefix}/oauth/register[/:client_id]` and
 * flat RFC bodies at `/connect/register[/:client_id]`. One service, one store, one validator.
 *
 * ```ts
 * ClientRegistrationModule.forRootAsync({
 *   inject: [MySettings],
 *   useFactory: (s: MySettings) => ({ issuer: s.publicUrl, rateLimit: s.registrationsPerHour }),
 * });
 * ```
 * It depends on its options only (omitted ones take their documented defaults), on a TypeORM
 * connection holding {@link CLIENT_REGISTRATION_ENTITIES} (created by
 * {@link CLIENT_REGISTRATION_MIGRATIONS}) and on `EventEmitterModule.forRoot()` for its events.
 * It re-exports `ClientsModule` (`ClientsService`) and offers `ClientAdministrationService` (the
 * administration API's operations on clients) and `ClientSecretsService` (secret rotation and the other
 * secret operations).
 */
@Module({
  imports: [
    ClientsModule,
    AuditModule,
    ClockModule,
    RateLimitModule,
    TypeOrmModule.forFeature([ClientEntity, ClientSecretEntity]),
  ],
  controllers: [ClientRegistrationController, FlatClientRegistrationController],
  providers: [
    {
      provide: REGISTRATION_SETTINGS,
      inject: [CLIENT_REGISTRATION_OPTIONS],
      useFactory: (options: ClientRegistrationModuleOptions | undefined) =>
        resolveRegistrationSettings(options ?? {}),
    },
    {
      provide: REGISTRATION_POLICY,
      inject: [CLIENT_REGISTRATION_OPTIONS],
      useFactory: (options: ClientRegistrationModuleOptions | undefined) =>
        options?.policy ?? ALLOW_ALL_POLICY,
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
    ClientSecretsService,
    RegistrationAccessTokenGuard,
    OpenRegistrationGuard,
    ClientAdministrationService,
  ],
  exports: [ClientsModule, ClientAdministrationService, ClientSecretsService],
})
export class ClientRegistrationModule extends ConfigurableModuleClass {}
