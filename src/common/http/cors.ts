import type {
  CorsOptions,
  CorsOptionsDelegate,
} from '@nestjs/common/interfaces/external/cors-options.interface.js';
import type { Request } from 'express';
import { allowedMethods, allowHeader } from './allowed-methods.js';

/**
 * Endpoints that browsers may call cross-origin (CORS, `Access-Control-Allow-Origin: *`): discovery and
 * JWKS, and the endpoints a browser-based public client or an MCP client calls with `fetch` — token,
 * refresh, revoke, introspect, userinfo, the DPoP nonce (RFC 9449 §8: its `DPoP-Nonce` header is
 * exposed) and registration. They authenticate with the `Authorization`
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
const PREFLIGHT_MAX_AGE = 600;

/** Not a CORS path: the `cors` middleware adds nothing. */
const NO_CORS: CorsOptions = Object.freeze({ origin: false });
/**
 * A CORS path: `*`, the exposed headers, never credentials. For an `OPTIONS` that is not a preflight
 * the empty `methods` and `allowedHeaders` keep `cors` from adding preflight headers (it would send its
 * default method list and reflect any requested headers). `preflightContinue`: the 204 with `Allow` and
 * `no-store` is `httpSemantics`'s, the same for every path.
 */
const CORS: CorsOptions = Object.freeze({
  origin: '*',
  exposedHeaders: EXPOSED_HEADERS,
  methods: '',
  allowedHeaders: [],
  preflightContinue: true,
});

/**
 * The per-route CORS policy for Nest's `app.enableCors` (the `cors` package): {@link CORS_PATHS} get
 * `Access-Control-Allow-Origin: *` on every response (so a shared cache of the public discovery
 * documents never serves a copy without it) and expose `WWW-Authenticate`, `Retry-After`, `DPoP-Nonce`
 * and the rate-limit headers; other paths get nothing. A preflight (`OPTIONS` with `Origin` and
 * `Access-Control-Request-Method`) on a CORS path that serves methods is answered with those methods
 * (as in `Allow`), the requested headers when they are a well-formed list (else a fixed list), and a
 * 10-minute max age. Never `Access-Control-Allow-Credentials`.
 *
 * The responses of a non-preflight request reuse frozen option objects: the token and registration
 * endpoints pay one regular-expression scan of the path, as with the middleware this replaces.
 * `app` is the Express instance; its routes are read when preflights come.
 */
export function corsOptionsDelegate(app: object): CorsOptionsDelegate<Request> {
  return (req, callback) => {
    const path = req.path;
    if (!CORS_PATHS.some((re) => re.test(path))) return callback(null, NO_CORS);
    if (
      req.method !== 'OPTIONS' ||
      req.headers.origin === undefined ||
      req.headers['access-control-request-method'] === undefined
    ) {
      return callback(null, CORS);
    }
    const methods = allowedMethods(app, path);
    if (methods.size === 0) return callback(null, CORS);
    const wanted = req.headers['access-control-request-headers'];
    callback(null, {
      ...CORS,
      methods: allowHeader(methods),
      allowedHeaders:
        typeof wanted === 'string' && wanted.length <= 1024 && HEADER_LIST.test(wanted.trim())
          ? wanted.trim()
          : DEFAULT_ALLOWED_HEADERS,
      maxAge: PREFLIGHT_MAX_AGE,
    });
  };
}
