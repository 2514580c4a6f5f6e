import { RequestMethod, type INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { REGISTRATION_ROOT_ROUTES } from './client-registration/index.js';
import { API_PREFIX } from './common/http/route-prefix.js';
import { AppConfig } from './config/index.js';
import { setupSwagger } from './common/swagger/swagger.setup.js';
import { corsOptionsDelegate } from './common/http/cors.js';
import { httpSemantics } from './common/http/http-semantics.js';
import { bodyParsers } from './common/http/body-parsers.js';
import { securityHeaders } from './common/http/security-headers.js';
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
  // API responses are `no-store` (RFC 6749 §5.1) or carry their own version tag (RFC 7592 ETag): no
  // body hash per response (ADR 0130).
  http.set('etag', false);
  // helmet's HTML-document headers on the pages, a minimal set on the JSON API routes (ADR 0130).
  http.use(securityHeaders());
  // CORS for the fetch-callable endpoints only (`*`, never credentials); then 405 with Allow, OPTIONS,
  // JSON 404 outside /api. Both before the body parsers, so their refusals carry the CORS headers.
  const expressApp = http.getHttpAdapter().getInstance();
  app.enableCors(corsOptionsDelegate(expressApp));
  http.use(httpSemantics(expressApp));
  // JSON for registration and JSON-bodied endpoints; form bodies for the token family (RFC 6749 §3.2)
  // and the browser forms: one middleware, nothing to do without a Content-Type (ADR 0130).
  http.use(bodyParsers(config.bodyLimit));
  app.setGlobalPrefix(API_PREFIX.slice(1), {
    exclude: [
      ...ROOT_PATHS.map((path) => ({ path, method: RequestMethod.ALL })),
      ...REGISTRATION_ROOT_ROUTES,
    ],
  });
  setupSwagger(app, config);
}
