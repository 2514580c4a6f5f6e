import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ClientsModule } from '../client-registration/index.js';
import { AppConfig } from '../config/app-config.js';
import { provideRateLimit, RateLimitModule } from '../rate-limit/index.js';
import { TokenModule } from '../token/index.js';
import { UsersModule } from '../users/index.js';
import { AuthorizationFlowService } from './authorization-flow.service.js';
import { AuthorizationRequestsService } from './authorization-requests.service.js';
import { LOGIN_HANDLER } from './authorize.constants.js';
import { AuthorizeController } from './authorize.controller.js';
import type { AuthorizeModuleOptions } from './authorize.options.js';
import { AuthorizeClientDeletedListener } from './client-deleted.listener.js';
import { ConsentsService } from './consents.service.js';
import { AuthorizationRequestEntity } from './entities/authorization-request.entity.js';
import { ConsentEntity } from './entities/consent.entity.js';
import { LoginSessionEntity } from './entities/login-session.entity.js';
import { InteractionController } from './interaction.controller.js';
import { LoginSessionsService } from './login-sessions.service.js';
import { PasswordLoginHandler } from './password-login.handler.js';

/**
 * AuthorizeModule: the authorization endpoint (RFC 6749 §3.1, §4.1) with its login and consent pages,
 * login sessions and remembered consent. The login step is the {@link LoginHandler} bound to
 * {@link LOGIN_HANDLER}; `forRoot({ loginHandler, imports })` replaces it without touching this module.
 * Exports {@link AuthorizationFlowService} so a replacement handler can resume a request from its own
 * routes (e.g. an upstream IdP callback).
 */
@Module({})
export class AuthorizeModule {
  static forRoot(options: AuthorizeModuleOptions = {}): DynamicModule {
    const handler = options.loginHandler ?? PasswordLoginHandler;
    return {
      module: AuthorizeModule,
      imports: [
        TypeOrmModule.forFeature([AuthorizationRequestEntity, LoginSessionEntity, ConsentEntity]),
        ClientsModule,
        UsersModule,
        TokenModule,
        RateLimitModule,
        ...(options.imports ?? []),
      ],
      controllers: [AuthorizeController, InteractionController],
      providers: [
        // AUTHORIZE_RATE_LIMIT and LOGIN_RATE_LIMIT per IP (docs/rate-limits.md).
        provideRateLimit('authorize', {
          inject: [AppConfig],
          useFactory: (config: AppConfig) => config.rateLimits.authorize,
        }),
        provideRateLimit('login', {
          inject: [AppConfig],
          useFactory: (config: AppConfig) => config.rateLimits.login,
        }),
        handler,
        { provide: LOGIN_HANDLER, useExisting: handler },
        AuthorizationFlowService,
        AuthorizationRequestsService,
        LoginSessionsService,
        ConsentsService,
        AuthorizeClientDeletedListener,
      ],
      exports: [AuthorizationFlowService, LOGIN_HANDLER],
    };
  }
}
