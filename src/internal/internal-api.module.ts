import { Module } from '@nestjs/common';
import { INTERNAL_API_SETTINGS } from './internal-api.constants.js';
import {
  ConfigurableModuleClass,
  INTERNAL_API_MODULE_OPTIONS,
} from './internal-api.module-definition.js';
import {
  resolveInternalApiSettings,
  type InternalApiModuleOptions,
} from './internal-api.options.js';
import { InternalApiKeyGuard } from './internal-api-key.guard.js';
import { InternalOAuthController } from './internal-oauth.controller.js';
import { UserDataService } from './user-data.service.js';

/**
 * InternalApiModule: the service-to-service routes of the reference (O50-O52) under
 * `/api/v1/internal/oauth/`, authenticated by `X-API-Key`, and what one user holds here, ended on request
 * ({@link UserDataService}). Needs the application's configured TokenModule and AuthorizeModule in its
 * `imports` extra. Off (404) without keys.
 */
@Module({
  controllers: [InternalOAuthController],
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
