import { OAuthError } from '../errors/oauth-error.js';

/** The parts of the Express router (the `router` package behind Express 5) read here. */
interface RouteLayer {
  route?: { methods: Record<string, boolean> };
  match(path: string): unknown;
}
interface RoutedApp {
  router?: { stack: RouteLayer[] };
}

/** Nest answers 404 on the global-prefix exclusions with a route for every method: not an endpoint. */
const MANY_METHODS = 10;

/**
 * The methods the application's routes serve at `path` (upper case, with HEAD where GET is served), or
 * an empty set when no route matches. `app` is the Express instance (`req.app`). Catch-all handlers
 * (`all`, or a route for every method) are Nest's 404 handlers, not endpoints.
 */
export function allowedMethods(app: object, path: string): Set<string> {
  const methods = new Set<string>();
  for (const layer of (app as RoutedApp).router?.stack ?? []) {
    const route = layer.route;
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

/** The `Allow` header value for `methods` (OPTIONS is always answered). */
export function allowHeader(methods: ReadonlySet<string>): string {
  return [...methods, 'OPTIONS'].join(', ');
}

/**
 * 405 `invalid_request` with `Allow` (RFC 9110 §15.5.6) when `path` exists but not for `method`, else
 * `null`. Called for requests no route took, so the route table is scanned only on that path.
 */
export function methodNotAllowed(
  app: object,
  method: string,
  path: string,
  methods: ReadonlySet<string> = allowedMethods(app, path),
): OAuthError | null {
  if (methods.size === 0 || methods.has(method)) return null;
  const allow = allowHeader(methods);
  const name = /^[A-Z-]{1,16}$/.test(method) ? method : 'request';
  return new OAuthError(
    'invalid_request',
    405,
    `The ${name} method is not allowed here; allowed: ${allow}`,
    { Allow: allow },
  );
}
