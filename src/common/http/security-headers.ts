import type { NextFunction, Request, RequestHandler, Response } from 'express';
import helmet from 'helmet';
import { CORS_PATHS } from './cors.js';

/**
 * The security headers of a JSON API response (ADR 0130; OWASP REST Security Cheat Sheet, "Security
 * headers"): no MIME sniffing (a JSON body is never run as script or styled as HTML), HTTPS only for a
 * year (RFC 6797), and nothing may render or frame it (`default-src 'none'; frame-ancestors 'none'`,
 * with `X-Frame-Options` for browsers without CSP level 2). `Cache-Control: no-store` is the routes' own
 * (RFC 6749 §5.1), and CORS is `cors.ts`'s.
 */
export const API_SECURITY_HEADERS: readonly (readonly [string, string])[] = [
  ['Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'"],
  ['Strict-Transport-Security', 'max-age=31536000; includeSubDomains'],
  ['X-Content-Type-Options', 'nosniff'],
  ['X-Frame-Options', 'DENY'],
];

/**
 * Paths that answer JSON only (or nothing): the CORS endpoints (discovery, JWKS, the token family,
 * userinfo, registration at both paths), health, the administration and internal APIs. Every other
 * path — the authorization endpoint, the login, consent and logout pages, their stylesheet, Swagger UI
 * — gets helmet's full set for HTML documents.
 */
export const JSON_API_PATHS: readonly RegExp[] = [
  ...CORS_PATHS,
  /^\/api\/v1\/(health|admin|internal)(\/|$)/,
];

/**
 * Security headers by kind of route (ADR 0130): helmet's dozen HTML-document headers (CSP with the
 * pages' sources, COOP, CORP, Origin-Agent-Cluster, Referrer-Policy, X-Download-Options, ...) on the
 * pages a browser renders, and {@link API_SECURITY_HEADERS} on the JSON API routes, where helmet's
 * document policies have nothing to govern and each header costs the server to validate and write on
 * every request (issue 11, docs/benchmarks.md candidate 2). Pages written by `sendHtml` set their own
 * stricter CSP on top.
 */
export function securityHeaders(): RequestHandler {
  const html = helmet({
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
  });
  return (req: Request, res: Response, next: NextFunction): void => {
    const path = req.path;
    if (!JSON_API_PATHS.some((re) => re.test(path))) return html(req, res, next);
    for (const [name, value] of API_SECURITY_HEADERS) res.setHeader(name, value);
    next();
  };
}
