/**
 * The API's route prefix, the one definition that `configureApp`, the settings (`AppConfig.apiUrl`), the
 * authorize pages and redirects, and the `routePrefix` options of the token and registration modules use
 * (docs/adr/0022). Discovery documents, the JWK Set, `/metrics` and `/connect/*` are served outside it.
 */
export const API_PREFIX = '/api/v1';

/**
 * A module's `routePrefix` option as a path: `api/v1`, `/api/v1/` and `/api/v1` all mean `/api/v1`; `''`
 * and `/` mean no prefix.
 */
export function normalizeRoutePrefix(prefix: string): string {
  const trimmed = prefix.replace(/^\/+|\/+$/g, '');
  return trimmed ? `/${trimmed}` : '';
}

/**
 * Whether a normalised prefix is empty or path segments of RFC 3986 §2.3 unreserved characters (no
 * percent-encoding, query or fragment), so that it can be put in front of a route and into a URL as is.
 */
export function isRoutePrefix(prefix: string): boolean {
  return /^(\/[A-Za-z0-9._~-]+)*$/.test(prefix);
}
