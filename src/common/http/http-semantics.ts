import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { OAuthError } from '../errors/oauth-error.js';
import { sendOAuthError } from '../errors/oauth-exception.filter.js';
import { allowedMethods, allowHeader, methodNotAllowed } from './allowed-methods.js';

/**
 * Endpoints that browsers may call cross-origin (CORS, `Access-Control-Allow-Origin: *`): discovery and
 * JWKS, and the endpoints a browser-based public client or an MCP client calls with `fetch` — token,
 * refresh, revoke, introspect, userinfo, the DPoP nonce (RFC 9449 §8: its `DPoP-Nonce` header is exposed)
 * and registration. They authenticate with the `Authorization`
 * header or body parameters, never with cookies, so any origin may call them and credentials mode is
 * never allowed. The authorization endpoint and the login and consent pages are cookie-based
 * top-level navigations: they get no CORS headers at all.
 */
export const CORS_PATHS: readonly RegExp[] = [
  /^\/\.well-known\//,
  /^\/api\/v1\/oauth\/(token|refresh|revoke|introspect|userinfo|dpop\/nonce)\/?$/,
  /^\/api\/v1\/oauth\/register(\/[^/]*)?\/?$/,
  /^\/connect\/register(\/[^/]*)?\/?$/,
];

/** Response headers a cross-origin caller may read besides the safelisted ones. */
const EXPOSED_HEADERS =
  'WWW-Authenticate, Retry-After, RateLimit-Limit, RateLimit-Remaining, DPoP-Nonce';
/** Request headers allowed when the preflight does not list acceptable ones. */
const DEFAULT_ALLOWED_HEADERS = 'Authorization, Content-Type, Accept, DPoP';
/** A preflight's `Access-Control-Request-Headers`: a comma-separated list of header names. */
const HEADER_LIST = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+(?:[ \t]*,[ \t]*[A-Za-z0-9!#$%&'*+.^_`|~-]+)*$/;
const PREFLIGHT_MAX_AGE = '600';
/** Root paths seen recently: a handful of real ones; cleared when full, so it cannot grow. */
const ROOT_CACHE_SIZE = 64;

/**
 * HTTP method semantics and CORS in front of every route (RFC 9110 §9.3.7, §15.5.6; Fetch CORS):
 *
 * - A known path with a method it does not serve answers `405` with `Allow` and the OAuth error body
 *   (`invalid_request`), not a 404 — e.g. `GET /oauth/token` or `PATCH /oauth/register/{id}`. Under
 *   `/api` the exception filter turns Nest's 404 into that 405 (see {@link methodNotAllowed}), so
 *   requests that reach a route never pay for a scan of the route table.
 * - `OPTIONS` on a known path answers `204` with `Allow`; on the {@link CORS_PATHS} a CORS preflight
 *   also gets `Access-Control-Allow-Methods`, the requested headers and a max age.
 * - Responses of the {@link CORS_PATHS} carry `Access-Control-Allow-Origin: *` (always, so a shared
 *   cache of the public discovery documents never serves a copy without it) and expose
 *   `WWW-Authenticate`, `Retry-After` and the rate-limit headers. Never
 *   `Access-Control-Allow-Credentials`.
 * - A path outside `/api` that no route serves (e.g. `/.well-known/oauth-protected-resource`) answers
 *   the JSON 404 of the API instead of Express's HTML page.
 *
 * `app` is the Express instance; its routes are read when requests come, so the middleware can be
 * installed before Nest registers them.
 */
export function httpSemantics(app: object): RequestHandler {
  const rootMethods = new Map<string, Set<string>>();
  const methodsAtRoot = (path: string): Set<string> => {
    let methods = rootMethods.get(path);
    if (!methods) {
      if (rootMethods.size >= ROOT_CACHE_SIZE) rootMethods.clear();
      methods = allowedMethods(app, path);
      rootMethods.set(path, methods);
    }
    return methods;
  };
  return (req: Request, res: Response, next: NextFunction): void => {
    const path = req.path;
    const cors = CORS_PATHS.some((re) => re.test(path));
    if (cors) {
      res.setHeader('Access-Control-Allow-Origin', '*');
      res.setHeader('Access-Control-Expose-Headers', EXPOSED_HEADERS);
    }
    const api = path.startsWith('/api/');
    if (req.method !== 'OPTIONS' && api) return next();
    const methods = api ? allowedMethods(app, path) : methodsAtRoot(path);
    if (methods.size === 0) {
      if (api) return next(); // Nest's own 404 (and Swagger UI's assets)
      sendOAuthError(
        res,
        new OAuthError('not_found', 404, 'The requested resource does not exist'),
      );
      return;
    }
    if (req.method === 'OPTIONS') {
      const allow = allowHeader(methods);
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
    const notAllowed = methodNotAllowed(app, req.method, path, methods);
    if (notAllowed) {
      sendOAuthError(res, notAllowed);
      return;
    }
    next();
  };
}
