import cookieParser from 'cookie-parser';
import type { Request, Response } from 'express';

/** cookie-parser without a secret: AuthorizeModule's cookies are random values checked against the database. */
const parseCookies = cookieParser();

/**
 * The request's cookies (RFC 6265 §5.4) as cookie-parser reads them: the first value of a name wins,
 * values are URI-decoded. AuthorizeModule installs cookie-parser on its browser routes only
 * (`AuthorizeModule.configure`), so the token and registration endpoints never pay for it; on another
 * route (a login handler's own callback) the header is parsed here, once, with the same parser. Only
 * string values count (cookie-parser turns `j:` values into objects; none of ours is JSON).
 */
export function cookiesOf(req: Request): Readonly<Record<string, string>> {
  if (req.cookies === undefined) parseCookies(req, undefined as never, () => undefined);
  const parsed = (req.cookies ?? {}) as Record<string, unknown>;
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [name, value] of Object.entries(parsed)) {
    if (typeof value === 'string') out[name] = value;
  }
  return out;
}

/**
 * The CSP source a form-submission redirect to `uri` needs: its origin for http(s), its scheme for a
 * private-use scheme (RFC 8252 §7.1). Chromium enforces `form-action` on the redirect after a form post.
 */
export function formActionSource(uri: string): string | null {
  try {
    const u = new URL(uri);
    if (u.protocol === 'http:' || u.protocol === 'https:') return u.origin;
    return /^[a-z][a-z0-9+.-]*:$/.test(u.protocol) ? u.protocol : null;
  } catch {
    return null;
  }
}

/**
 * Writes a server-rendered page: `Cache-Control: no-store` (credentials and CSRF tokens must not be
 * cached), a strict page CSP (no scripts at all, styles from this server, https images for client
 * logos), no framing (clickjacking, RFC 6749 §10.13).
 */
export function sendHtml(
  res: Response,
  status: number,
  html: string,
  opts: { redirectTarget?: string } = {},
): void {
  const formAction = ["'self'"];
  const extra = opts.redirectTarget ? formActionSource(opts.redirectTarget) : null;
  if (extra) formAction.push(extra);
  res.status(status);
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Pragma', 'no-cache');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader(
    'Content-Security-Policy',
    [
      "default-src 'none'",
      "style-src 'self'",
      "img-src 'self' data: https:",
      `form-action ${formAction.join(' ')}`,
      "frame-ancestors 'none'",
      "base-uri 'none'",
    ].join('; '),
  );
  res.send(html);
}

/** A redirect: 303 after a POST (so the browser follows with GET, RFC 9110 §15.4.4), else 302. */
export function sendRedirect(req: Request, res: Response, location: string): void {
  res.status(req.method === 'POST' ? 303 : 302);
  res.setHeader('Location', location);
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Pragma', 'no-cache');
  res.end();
}

/** Whether the caller prefers JSON over HTML (an API client rather than a browser). */
export function wantsJson(req: Request): boolean {
  return req.accepts(['text/html', 'application/json']) === 'application/json';
}
