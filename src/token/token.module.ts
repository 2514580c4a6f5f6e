import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ClientsModule } from '../client-registration/index.js';
import { ClockModule } from '../common/time/clock.module.js';
import { provideRateLimit, RateLimitModule } from '../rate-limit/index.js';
import { UsersModule } from '../users/index.js';
import { AccessTokenService } from './access-token.service.js';
import { AuthorizationCodeService } from './authorization-code.service.js';
import { ClientAuthenticationService } from './client-authentication.service.js';
import { ClientDeletedListener } from './client-deleted.listener.js';
import { AccessTokenEntity } from './entities/access-token.entity.js';
import { AuthorizationCodeEntity } from './entities/authorization-code.entity.js';
import { BackchannelLogoutDeliveryEntity } from './entities/backchannel-logout-delivery.entity.js';
import { BackchannelLogoutService } from './backchannel-logout.service.js';
import { ClientAssertionJtiEntity } from './entities/client-assertion-jti.entity.js';
import { DpopNonceService } from './dpop-nonce.service.js';
import { DpopProofService } from './dpop-proof.service.js';
import { DpopProofJtiEntity } from './entities/dpop-proof-jti.entity.js';
import { ClientTokenUsageEntity } from './entities/client-token-usage.entity.js';
import { RefreshTokenEntity } from './entities/refresh-token.entity.js';
import { ClientUsageService } from './client-usage.service.js';
import { TokenUsageRecorder } from './token-usage.recorder.js';
import { IdTokenService } from './id-token.service.js';
import { JwksFetcher } from './jwks-fetcher.service.js';
import { RefreshTokenService } from './refresh-token.service.js';
import { ResourceIndicatorPolicy } from './resource-indicator-policy.service.js';
import { TokenController } from './token.controller.js';
import { TokenGrantService } from './token-grant.service.js';
import { TokenIntrospectionService } from './token-introspection.service.js';
import { TOKEN_SETTINGS } from './token.constants.js';
import { ConfigurableModuleClass, TOKEN_MODULE_OPTIONS } from './token.module-definition.js';
import {
  resolveTokenSettings,
  type TokenModuleOptions,
  type TokenSettings,
} from './token.options.js';
import { TokenPurgeService } from './token-purge.service.js';
import { tokenRateLimitTracker } from './token-rate-limit.js';
import { UserInfoController } from './userinfo.controller.js';
import { UserTokensService } from './user-tokens.service.js';

/**
 * TokenModule: the token endpoint (RFC 6749 §3.2) and `/oauth/refresh`, client authentication
 * (RFC 6749 §2.3, RFC 7523), revocation (RFC 7009), introspection (RFC 7662) and userinfo (OIDC Core
 * §5.3). Exports {@link AuthorizationCodeService} for AuthorizeModule and {@link AccessTokenService}
 * for modules that protect their own routes with this server's access tokens.
 *
 * Configured with its own options only (`TokenModule.forRoot({...})` / `forRootAsync(...)`, see
 * {@link TokenModuleOptions}); the application fills them from its settings. Import the configured
 * module once and hand the same object to `AuthorizeModule` (`token` option), which issues codes with it.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([
      AuthorizationCodeEntity,
      RefreshTokenEntity,
      AccessTokenEntity,
      ClientAssertionJtiEntity,
      BackchannelLogoutDeliveryEntity,
      DpopProofJtiEntity,
      ClientTokenUsageEntity,
    ]),
    ClientsModule,
    ClockModule,
    UsersModule,
    RateLimitModule,
    ClockModule,
  ],
  controllers: [TokenController, UserInfoController],
  providers: [
    {
      provide: TOKEN_SETTINGS,
      inject: [TOKEN_MODULE_OPTIONS],
      useFactory: (options: TokenModuleOptions | undefined) => resolveTokenSettings(options ?? {}),
    },
    // The contract's 429 on /oauth/token: `rateLimit` per `rateWindowSeconds` per client and IP
    // (TOKEN_RATE_LIMIT / TOKEN_RATE_WINDOW in the application).
    provideRateLimit('token', {
      inject: [TOKEN_SETTINGS],
      useFactory: (s: TokenSettings) => ({
        limit: s.rateLimit,
        windowSeconds: s.rateWindowSeconds,
        tracker: tokenRateLimitTracker,
      }),
    }),
    // RFC 7662 §4: introspection is rate limited per client and IP as well (issue 7 item 4), with its
    // own budget (INTROSPECT_RATE_LIMIT / INTROSPECT_RATE_WINDOW in the application).
    provideRateLimit('introspect', {
      inject: [TOKEN_SETTINGS],
      useFactory: (s: TokenSettings) => ({
        limit: s.introspectRateLimit,
        windowSeconds: s.introspectRateWindowSeconds,
        tracker: tokenRateLimitTracker,
      }),
    }),
    AuthorizationCodeService,
    AccessTokenService,
    TokenUsageRecorder,
    ClientUsageService,
    RefreshTokenService,
    IdTokenService,
    ClientAuthenticationService,
    JwksFetcher,
    TokenGrantService,
    DpopProofService,
    DpopNonceService,
    TokenIntrospectionService,
    TokenPurgeService,
    ClientDeletedListener,
    ResourceIndicatorPolicy,
    UserTokensService,
    BackchannelLogoutService,
  ],
  // ClientAuthenticationService: the PAR endpoint (AuthorizeModule) authenticates clients as here.
  exports: [
    AuthorizationCodeService,
    AccessTokenService,
    ResourceIndicatorPolicy,
    ClientAuthenticationService,
    ClientUsageService,
    UserTokensService,
    TokenIntrospectionService,
    IdTokenService,
    BackchannelLogoutService,
    DpopProofService,
  ],
})
export class TokenModule extends ConfigurableModuleClass {}
