import { RequestMethod, type INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import express from 'express';
import helmet from 'helmet';
import { REGISTRATION_ROOT_ROUTES } from './client-registration/index.js';
import { API_PREFIX } from './common/http/route-prefix.js';
import { AppConfig } from './config/index.js';
import { setupSwagger } from './common/swagger/swagger.setup.js';
import { corsOptionsDelegate } from './common/http/cors.js';
import { httpSemantics } from './common/http/http-semantics.js';
import { PinoNestLogger, RequestObserver } from './observability/index.js';

/**
 * Paths served at the host root rather than under `/api/v1` (RFC 8414 §3, OIDC Discovery §4); the
 * standard registration endpoint (`/connect/register`, {@link REGISTRATION_ROOT_ROUTES}) is too.
 */
export const ROOT_PATHS = [
  '.well-known/oauth-authorization-server',
  '.well-known/openid-configuration',
  '.well-known/jwks.json',
  'metrics',
];

/**
 * Applies everything `main.ts` needs beyond module composition, so that e2e tests run the very same
 * setup: logger and request observer, global prefix, security headers, body parsers with limits, proxy
 * trust, Swagger. Signals are handled by `main.ts` (`installGracefulShutdown`, docs/faults.md), not here.
 * The app must be created with `{ bodyParser: false }` so that the limits here are the only ones.
 */
export function configureApp(app: INestApplication): void {
  const config = app.get(AppConfig);
  const http = app as NestExpressApplication;
  // Structured logs (docs/operations.md "Logs"): Nest's logger writes pino lines from here on.
  app.useLogger(app.get(PinoNestLogger));
  // First of all, so that every response (body-parser refusals included) has a request id and a line.
  http.use(app.get(RequestObserver).first);
  http.disable('x-powered-by');
  // TRUST_PROXY: a hop count or the proxies' addresses, never `true` (refused by the validation: the
  // leftmost X-Forwarded-For entry is the client's own claim).
  http.set('trust proxy', config.trustProxy);
  http.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          // Client logos on the consent page come from the client's registered https logo_uri.
          'img-src': ["'self'", 'data:', 'https:'],
          // Forms post back to this server only; the authorization response redirect is a 302/303.
          'form-action': ["'self'"],
        },
      },
      // Consent and login pages must not be framed (clickjacking).
      frameguard: { action: 'deny' },
    }),
  );
  // CORS for the fetch-callable endpoints only (`*`, never credentials); then 405 with Allow, OPTIONS,
  // JSON 404 outside /api. Both before the body parsers, so their refusals carry the CORS headers.
  const expressApp = http.getHttpAdapter().getInstance();
  app.enableCors(corsOptionsDelegate(expressApp));
  http.use(httpSemantics(expressApp));
  // JSON for registration and JSON-bodied endpoints; form bodies for the token family (RFC 6749 §3.2).
  http.use(
    express.json({
      limit: config.bodyLimit,
      strict: true,
      type: ['application/json', 'application/*+json'],
    }),
  );
  http.use(express.urlencoded({ limit: config.bodyLimit, extended: false, parameterLimit: 100 }));
  app.setGlobalPrefix(API_PREFIX.slice(1), {
    exclude: [
      ...ROOT_PATHS.map((path) => ({ path, method: RequestMethod.ALL })),
      ...REGISTRATION_ROOT_ROUTES,
    ],
  });
  setupSwagger(app, config);
}
