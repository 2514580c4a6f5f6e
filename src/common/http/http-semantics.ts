import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { OAuthError } from '../errors/oauth-error.js';
import { sendOAuthError } from '../errors/oauth-exception.filter.js';

/**
 * Endpoints that browsers may call cross-origin (CORS, `Access-Control-Allow-Origin: *`): discovery and
 * JWKS, and the endpoints a browser-based public client or an MCP client calls with `fetch` — token,
 * refresh, revoke, introspect, userinfo and registration. They authenticate with the `Authorization`
 * header or body parameters, never with cookies, so any origin may call them and credentials mode is
 * never allowed. The authorization endpoint and the login and consent pages are cookie-based
 * top-level navigations: they get no CORS headers at all.
 */
export const CORS_PATHS: readonly RegExp[] = [
  /^\/\.well-known\//,
  /^\/api\/v1\/oauth\/(token|refresh|revoke|introspect|userinfo)\/?$/,
  /^\/api\/v1\/oauth\/register(\/[^/]*)?\/?$/,
];

/** Response headers a cross-origin caller may read besides the safelisted ones. */
const EXPOSED_HEADERS = 'WWW-Authenticate, Retry-After, RateLimit-Limit, RateLimit-Remaining';
/** Request headers allowed when the preflight does not list acceptable ones. */
const DEFAULT_ALLOWED_HEADERS = 'Authorization, Content-Type, Accept, DPoP';
/** A preflight's `Access-Control-Request-Headers`: a comma-separated list of header names. */
const HEADER_LIST = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+(?:[ \t]*,[ \t]*[A-Za-z0-9!#$%&'*+.^_`|~-]+)*$/;
const PREFLIGHT_MAX_AGE = '600';
const MANY_METHODS = 10;

/** The parts of the Express router (the `router` package behind Express 5) read here. */
interface RouteLayer {
  route?: { methods: Record<string, boolean> };
  match(path: string): unknown;
}
interface RoutedApp {
  router?: { stack: RouteLayer[] };
}

/**
 * The methods the application's routes serve at `path` (upper case, with HEAD where GET is served), or
 * an empty set when no route matches. Catch-all handlers are Nest's 404 handlers, not routes.
 */
export function allowedMethods(app: object, path: string): Set<string> {
  const methods = new Set<string>();
  for (const layer of (app as RoutedApp).router?.stack ?? []) {
    const route = layer.route;
    // Nest answers 404 on the global-prefix exclusions (`/.well-known/...`) with a route for every
    // method, and elsewhere with `all`: neither is an endpoint. No endpoint serves ten methods.
    if (!route || route.methods._all || Object.keys(route.methods).length >= MANY_METHODS) continue;
    let matched: unknown;
    try {
      matched = layer.match(path);
    } catch {
      // A parameter with broken percent-encoding: the route itself answers 400 for it.
      matched = true;
    }
    if (!matched) continue;
    for (const [m, on] of Object.entries(route.methods)) if (on) methods.add(m.toUpperCase());
  }
  if (methods.has('GET')) methods.add('HEAD');
  return methods;
}

/**
 * HTTP method semantics and CORS in front of every route (RFC 9110 §9.3.7, §15.5.6; Fetch CORS):
 *
 * - A known path with a method it does not serve answers `405` with `Allow` and the OAuth error body
 *   (`invalid_request`), not a 404 — e.g. `GET /oauth/token` or `PATCH /oauth/register/{id}`.
 * - `OPTIONS` on a known path answers `204` with `Allow`; on the {@link CORS_PATHS} a CORS preflight
 *   also gets `Access-Control-Allow-Methods`, the requested headers and a max age.
 * - Responses of the {@link CORS_PATHS} carry `Access-Control-Allow-Origin: *` (always, so a shared
 *   cache of the public discovery documents never serves a copy without it) and expose
 *   `WWW-Authenticate` and `Retry-After`. No `Access-Control-Allow-Credentials`, ever.
 * - A path outside `/api` that no route serves (e.g. `/.well-known/oauth-protected-resource`) answers
 *   the JSON 404 of the API instead of Express's HTML page.
 *
 * `app` is the Express instance; its routes are read per request, so the middleware can be installed
 * before Nest registers them.
 */
export function httpSemantics(app: object): RequestHandler {
  return (req: Request, res: Response, next: NextFunction): void => {
    const path = req.path;
    const cors = CORS_PATHS.some((re) => re.test(path));
    if (cors) {
      res.setHeader('Access-Control-Allow-Origin', '*');
      res.setHeader('Access-Control-Expose-Headers', EXPOSED_HEADERS);
    }
    const methods = allowedMethods(app, path);
    if (methods.size === 0) {
      if (path.startsWith('/api/')) return next(); // Nest's own 404 (and Swagger UI's assets)
      sendOAuthError(
        res,
        new OAuthError('not_found', 404, 'The requested resource does not exist'),
      );
      return;
    }
    methods.add('OPTIONS');
    const allow = [...methods].join(', ');
    if (req.method === 'OPTIONS') {
      res.setHeader('Allow', allow);
      const requested = req.headers['access-control-request-method'];
      if (cors && req.headers.origin !== undefined && requested !== undefined) {
        res.setHeader('Access-Control-Allow-Methods', allow);
        const wanted = req.headers['access-control-request-headers'];
        res.setHeader(
          'Access-Control-Allow-Headers',
          typeof wanted === 'string' && wanted.length <= 1024 && HEADER_LIST.test(wanted.trim())
            ? wanted.trim()
            : DEFAULT_ALLOWED_HEADERS,
        );
        res.setHeader('Access-Control-Max-Age', PREFLIGHT_MAX_AGE);
        res.vary('Access-Control-Request-Headers');
      }
      res.setHeader('Cache-Control', 'no-store');
      res.status(204).end();
      return;
    }
    if (!methods.has(req.method)) {
      res.setHeader('Allow', allow);
      sendOAuthError(
        res,
        new OAuthError(
          'invalid_request',
          405,
          `The ${/^[A-Z]{1,16}$/.test(req.method) ? req.method : 'request'} method is not allowed here; allowed: ${allow}`,
        ),
      );
      return;
    }
    next();
  };
}
