import { Module, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import cookieParser from 'cookie-parser';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ClientsModule } from '../client-registration/index.js';
import { provideRateLimit, RateLimitModule } from '../rate-limit/index.js';
import { UsersModule } from '../users/index.js';
import { AuthorizationEndpointService } from './authorization-endpoint.service.js';
import { AuthorizationFlowService } from './authorization-flow.service.js';
import { AuthorizationRequestIntakeService } from './authorization-request-intake.service.js';
import { AuthorizationResponder } from './authorization-responder.js';
import { AuthorizationResponsesService } from './authorization-responses.service.js';
import { InteractionService } from './interaction.service.js';
import { AuthorizationRequestsService } from './authorization-requests.service.js';
import { AUTHORIZE_SETTINGS, LOGIN_HANDLER } from './authorize.constants.js';
import { AuthorizeController } from './authorize.controller.js';
import {
  AUTHORIZE_MODULE_OPTIONS,
  ConfigurableModuleClass,
} from './authorize.module-definition.js';
import {
  resolveAuthorizeSettings,
  type AuthorizeModuleOptions,
  type AuthorizeSettings,
} from './authorize.options.js';
import { AuthorizeClientDeletedListener } from './client-deleted.listener.js';
import { ConsentsService } from './consents.service.js';
import { AuthorizationRequestEntity } from './entities/authorization-request.entity.js';
import { ConsentEntity } from './entities/consent.entity.js';
import { LoginSessionClientEntity } from './entities/login-session-client.entity.js';
import { LoginSessionEntity } from './entities/login-session.entity.js';
import { PushedAuthorizationRequestEntity } from './entities/pushed-authorization-request.entity.js';
import { PushedAuthorizationController } from './pushed-authorization.controller.js';
import { PushedAuthorizationRequestsService } from './pushed-authorization-requests.service.js';
import { InteractionController } from './interaction.controller.js';
import { LoginSessionsService } from './login-sessions.service.js';
import { LoginThrottleService } from './login-throttle.service.js';
import { UserConsentsController } from './user-consents.controller.js';
import { UserConsentsService } from './user-consents.service.js';
import { LogoutController } from './logout.controller.js';
import { LogoutService } from './logout.service.js';

/**
 * AuthorizeModule: the authorization endpoint (RFC 6749 §3.1, §4.1) with its login and consent pages,
 * login sessions and remembered consent, and sign-out (OIDC RP-Initiated Logout 1.0 at `/oauth/logout`). The login step is the {@link LoginHandler} bound to
 * {@link LOGIN_HANDLER}; `forRoot({ token, loginHandler, imports, ...options })` (or `forRootAsync`)
 * replaces it without touching this module. It takes its own options only ({@link
 * AuthorizeModuleOptions}). Exports {@link AuthorizationFlowService} so a replacement handler can resume
 * a request from its own routes (e.g. an upstream IdP callback).
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([
      AuthorizationRequestEntity,
      LoginSessionEntity,
      LoginSessionClientEntity,
      ConsentEntity,
      PushedAuthorizationRequestEntity,
    ]),
    ClientsModule,
    UsersModule,
    RateLimitModule,
  ],
  controllers: [
    AuthorizeController,
    InteractionController,
    UserConsentsController,
    PushedAuthorizationController,
    LogoutController,
  ],
  providers: [
    {
      provide: AUTHORIZE_SETTINGS,
      inject: [AUTHORIZE_MODULE_OPTIONS],
      useFactory: (options: AuthorizeModuleOptions | undefined) =>
        resolveAuthorizeSettings(options ?? {}),
    },
    // Declared on GET|POST /oauth/authorize and POST /oauth/login, per IP (docs/rate-limits.md).
    provideRateLimit('authorize', {
      inject: [AUTHORIZE_SETTINGS],
      useFactory: (s: AuthorizeSettings) => ({
        limit: s.rateLimit,
        windowSeconds: s.rateWindowSeconds,
      }),
    }),
    provideRateLimit('login', {
      inject: [AUTHORIZE_SETTINGS],
      useFactory: (s: AuthorizeSettings) => ({
        limit: s.loginRateLimit,
        windowSeconds: s.loginRateWindowSeconds,
      }),
    }),
    AuthorizationRequestIntakeService,
    AuthorizationEndpointService,
    InteractionService,
    AuthorizationResponsesService,
    AuthorizationResponder,
    AuthorizationFlowService,
    AuthorizationRequestsService,
    PushedAuthorizationRequestsService,
    LoginSessionsService,
    ConsentsService,
    LoginThrottleService,
    LogoutService,
    AuthorizeClientDeletedListener,
    UserConsentsService,
  ],
  exports: [
    AuthorizationFlowService,
    LOGIN_HANDLER,
    ConsentsService,
    LoginSessionsService,
    LoginThrottleService,
  ],
})
export class AuthorizeModule extends ConfigurableModuleClass implements NestModule {
  /**
   * cookie-parser (unsigned: the cookies are random values checked against the database) on the
   * cookie-based browser routes only, so that `/oauth/token` and `/oauth/register` never parse cookies.
   */
  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(cookieParser())
      .forRoutes(AuthorizeController, InteractionController, LogoutController);
  }
}
