import { DynamicModule, Module, ModuleMetadata } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { AdminModule } from './admin/index.js';
import {
  AuthorizeModule,
  type AuthorizeModuleExtras,
  type AuthorizeModuleOptions,
} from './authorize/index.js';
import {
  ClientIdMetadataModule,
  ClientReapingModule,
  ClientRegistrationModule,
  type ClientIdMetadataOptions,
  type ClientRegistrationModuleOptions,
} from './client-registration/index.js';
import { OAuthExceptionFilter } from './common/errors/oauth-exception.filter.js';
import { API_PREFIX } from './common/http/route-prefix.js';
import { AppConfig, AppConfigModule } from './config/index.js';
import { DatabaseModule } from './database/index.js';
import { DiscoveryModule } from './discovery/index.js';
import { HealthModule } from './health/index.js';
import { InternalApiModule } from './internal/index.js';
import { ObservabilityModule } from './observability/index.js';
import type { DestinationStream } from 'pino';
import { KeysModule } from './keys/index.js';
import { UsersModule } from './users/index.js';
import { TokenModule, type TokenModuleOptions } from './token/index.js';
import {
  databaseOptionsFrom,
  discoveryOptionsFrom,
  keysOptionsFrom,
  observabilityOptionsFrom,
} from './app.options.js';

/** Options for composing the application (tests and embedders use them; `main.ts` passes none). */
export interface AppModuleOptions {
  /** Environment values merged over `process.env` before validation. */
  env?: Record<string, string | undefined>;
  /** Extra modules, e.g. one that replaces the login step (see docs/extending.md). */
  imports?: ModuleMetadata['imports'];
  /**
   * Replaces the default `ClientRegistrationModule.forRootAsync(...)` (filled from the `REGISTRATION_*`
   * settings), e.g. with one built by `ClientRegistrationModule.forRoot({...})`.
   */
  registration?: DynamicModule;
  /**
   * How AuthorizeModule is composed, e.g. a replacement login handler and the modules it needs
   * (docs/extending.md "Login handlers"). Its settings still come from the environment.
   */
  authorize?: Pick<AuthorizeModuleExtras, 'loginHandler' | 'imports'>;
  /** Where the log lines go instead of stdout (tests capture them; docs/operations.md "Logs"). */
  logDestination?: DestinationStream;
}

/**
 * Composes the authorization server: configuration, database, and the feature modules. No providers of
 * its own beyond the global exception filter.
 */
@Module({})
export class AppModule {
  static forRoot(options: AppModuleOptions = {}): DynamicModule {
    // One configured TokenModule, imported here and handed to AuthorizeModule (the same object, so
    // Nest builds it once).
    const token = TokenModule.forRootAsync({ inject: [AppConfig], useFactory: tokenOptionsFrom });
    const registration = options.registration ?? AppModule.defaultRegistration();
    const authorize = AuthorizeModule.forRootAsync({
      token,
      loginHandler: options.authorize?.loginHandler,
      imports: options.authorize?.imports,
      inject: [AppConfig],
      useFactory: authorizeOptionsFrom,
    });
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(options.env),
        DatabaseModule.forRootAsync({ inject: [AppConfig], useFactory: databaseOptionsFrom }),
        EventEmitterModule.forRoot(),
        ObservabilityModule.forRootAsync({
          logDestination: options.logDestination,
          inject: [AppConfig],
          useFactory: observabilityOptionsFrom,
        }),
        HealthModule,
        KeysModule.forRootAsync({ inject: [AppConfig], useFactory: keysOptionsFrom }),
        UsersModule,
        DiscoveryModule.forRootAsync({ inject: [AppConfig], useFactory: discoveryOptionsFrom }),
        token,
        authorize,
        // The internal API (O50-O52) works through the same configured token and authorize modules.
        InternalApiModule.forRootAsync({
          imports: [token, authorize, registration],
          inject: [AppConfig],
          useFactory: (config: AppConfig) => ({ apiKeys: config.internalApiKeys }),
        }),
        registration,
        AdminModule.forRoot({ token, registration }),
        ClientIdMetadataModule.forRootAsync({
          inject: [AppConfig],
          useFactory: clientIdMetadataOptionsFrom,
        }),
        // Idle-client reaping: off unless CLIENT_REAP_*_AFTER_DAYS is set.
        ClientReapingModule.forRootAsync({
          inject: [AppConfig],
          useFactory: (config: AppConfig) => ({ ...config.clientReaping }),
        }),
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
    secretRotationGraceSeconds: r.secretRotationGraceSeconds,
    allowHttpLoopback: r.allowHttpLoopback,
    allowedRedirectHosts: r.allowedRedirectHosts,
  };
}

/**
 * The options AuthorizeModule gets from the validated settings (`ISSUER`, `SCOPES_SUPPORTED`, `SESSION_TTL`,
 * `AUTHORIZE_RATE_*`, `LOGIN_RATE_*`, `PAR_REQUEST_URI_TTL`, `REQUIRE_PUSHED_AUTHORIZATION_REQUESTS`).
 */
export function authorizeOptionsFrom(config: AppConfig): AuthorizeModuleOptions {
  return {
    issuer: config.issuer,
    scopesSupported: config.scopesSupported,
    sessionTtlSeconds: config.sessionTtlSeconds,
    rateLimit: config.rateLimits.authorize.limit,
    rateWindowSeconds: config.rateLimits.authorize.windowSeconds,
    loginRateLimit: config.rateLimits.login.limit,
    loginRateWindowSeconds: config.rateLimits.login.windowSeconds,
    untrustedErrorPage: config.authorize.untrustedErrorPage,
    maxRequestBytes: config.authorize.maxRequestBytes,
    pendingPerIp: config.authorize.pendingPerIp,
    loginLockoutThreshold: config.authorize.loginLockoutThreshold,
    loginLockoutWindowSeconds: config.authorize.loginLockoutWindowSeconds,
    loginIpLockoutThreshold: config.authorize.loginIpLockoutThreshold,
    loginDelayAfter: config.authorize.loginDelayAfter,
    loginDelayBaseMs: config.authorize.loginDelayBaseMs,
    loginDelayMaxMs: config.authorize.loginDelayMaxMs,
    passwordCheckConcurrency: config.authorize.passwordCheckConcurrency,
    passwordCheckQueue: config.authorize.passwordCheckQueue,
    parRequestUriTtlSeconds: config.par.requestUriTtlSeconds,
    requirePushedAuthorizationRequests: config.par.required,
  };
}

/**
 * The options TokenModule gets from the validated settings (`ISSUER`, `TOKEN_*`, `INTROSPECT_RATE_*`, `JWKS_URI_*`,
 * `BACKCHANNEL_LOGOUT_*`,
 * `CLIENT_ASSERTION_*`, `DPOP_NONCE_REQUIRED`, `RESOURCE_INDICATORS_ALLOWED`).
 */
export function tokenOptionsFrom(config: AppConfig): TokenModuleOptions {
  const t = config.token;
  return {
    issuer: config.issuer,
    routePrefix: API_PREFIX,
    accessTtlSeconds: t.accessTtlSeconds,
    refreshTtlSeconds: t.refreshTtlSeconds,
    idTokenTtlSeconds: t.idTokenTtlSeconds,
    idTokenAlg: t.idTokenAlg,
    authCodeTtlSeconds: t.authCodeTtlSeconds,
    rateLimit: config.rateLimits.token.limit,
    rateWindowSeconds: config.rateLimits.token.windowSeconds,
    introspectRateLimit: config.rateLimits.introspect.limit,
    introspectRateWindowSeconds: config.rateLimits.introspect.windowSeconds,
    jwksFetch: { ...config.jwksFetch },
    backchannelLogout: { ...config.backchannelLogout },
    clientAssertion: {
      audience: t.clientAssertionAudience,
      maxLifetimeSeconds: t.clientAssertionMaxLifetimeSeconds,
    },
    dpopNonceRequired: t.dpopNonceRequired,
    resourceIndicators: {
      allowed: config.resourceIndicatorsAllowed,
      // In production an unrestricted RFC 8707 resource is worth a warning at every start.
      warnWhenUnrestricted: config.nodeEnv === 'production',
    },
  };
}

/**
 * The options of Client ID Metadata Documents from the validated settings (`CLIENT_ID_METADATA_*`), with
 * the registration rules (`SCOPES_SUPPORTED`, `REGISTRATION_DEFAULT_SCOPE`,
 * `REGISTRATION_ALLOW_HTTP_LOOPBACK`) the documents are validated with.
 */
export function clientIdMetadataOptionsFrom(config: AppConfig): ClientIdMetadataOptions {
  return {
    ...config.clientIdMetadata,
    rules: {
      scopesSupported: config.scopesSupported,
      defaultScope: config.registration.defaultScope,
      allowHttpLoopback: config.registration.allowHttpLoopback,
    },
  };
}
