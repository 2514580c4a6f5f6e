import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/index.js';
import { INTERNAL_API_SETTINGS } from './internal-api.constants.js';
import {
  ConfigurableModuleClass,
  INTERNAL_API_MODULE_OPTIONS,
} from './internal-api.module-definition.js';
import {
  resolveInternalApiSettings,
  type InternalApiModuleOptions,
} from './internal-api.options.js';
import { AdminUserTokensController } from './admin-user-tokens.controller.js';
import { InternalApiKeyGuard } from './internal-api-key.guard.js';
import { InternalOAuthController } from './internal-oauth.controller.js';
import { UserDataService } from './user-data.service.js';

/**
 * InternalApiModule: the service-to-service routes of the reference (O50-O52) under
 * `/api/v1/internal/oauth/`, authenticated by `X-API-Key`, the administrators' batch revocation of a
 * user's tokens (O42, `@AdminAuth()`), and what one user holds here, ended on request
 * ({@link UserDataService}), audited on each client concerned. Needs the application's configured TokenModule and AuthorizeModule in its
 * `imports` extra. Off (404) without keys.
 */
@Module({
  imports: [AuditModule],
  controllers: [InternalOAuthController, AdminUserTokensController],
  providers: [
    {
      provide: INTERNAL_API_SETTINGS,
      inject: [INTERNAL_API_MODULE_OPTIONS],
      useFactory: (options: InternalApiModuleOptions | undefined) =>
        resolveInternalApiSettings(options ?? {}),
    },
    InternalApiKeyGuard,
    UserDataService,
  ],
  exports: [UserDataService],
})
export class InternalApiModule extends ConfigurableModuleClass {}
