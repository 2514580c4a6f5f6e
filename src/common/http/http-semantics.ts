import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { OAuthError } from '../errors/oauth-error.js';
import { sendOAuthError } from '../errors/oauth-exception.filter.js';
import { allowedMethods, allowHeader, methodNotAllowed } from './allowed-methods.js';

/** Root paths seen recently: a handful of real ones; cleared when full, so it cannot grow. */
const ROOT_CACHE_SIZE = 64;

/**
 * HTTP method semantics in front of every route (RFC 9110 §9.3.7, §15.5.6), after the CORS headers of
 * `app.enableCors` (`corsOptionsDelegate`, cors.ts):
 *
 * - A known path with a method it does not serve answers `405` with `Allow` and the OAuth error body
 *   (`invalid_request`), not a 404 — e.g. `GET /oauth/token` or `PATCH /oauth/register/{id}`. Under
 *   `/api` the exception filter turns Nest's 404 into that 405 (see {@link methodNotAllowed}), so
 *   requests that reach a route never pay for a scan of the route table.
 * - `OPTIONS` on a known path answers `204` with `Allow` and `no-store` (a CORS preflight's headers are
 *   already set by then).
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
      // The answer depends on the requested headers when the CORS policy echoed them.
      if (res.hasHeader('Access-Control-Allow-Headers')) res.vary('Access-Control-Request-Headers');
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
