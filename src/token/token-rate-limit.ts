import type { Request } from 'express';
import { decodeJwt } from 'jose';
import { parseBasic } from './client-authentication.service.js';

/**
 * What the token endpoint's rate limit counts: the client the request claims to be, and its IP. Keyed by
 * client as well as IP so that many clients behind one address (a NAT, a load generator on 127.0.0.1)
 * do not share one budget, while one client looping from one place is held back. The claim is not
 * verified here (the limit runs before client authentication, RFC 6749 §2.3): the client_id of HTTP
 * Basic, else the `client_id` parameter, else the `sub` of a `client_assertion` (RFC 7523 §3); a
 * request naming none is counted per IP.
 */
export function tokenRateLimitTracker(req: Request): string {
  return `client:${claimedClientId(req) ?? '-'}|ip:${req.ip ?? 'unknown'}`;
}

function claimedClientId(req: Request): string | undefined {
  try {
    const basic = parseBasic(req.headers.authorization);
    if (basic) return basic.clientId;
  } catch {
    // A malformed Basic header is refused by client authentication; here it is simply per IP.
    return undefined;
  }
  const body = (req.body ?? {}) as Record<string, unknown>;
  if (typeof body.client_id === 'string') return body.client_id;
  if (typeof body.client_assertion === 'string') {
    try {
      const sub = decodeJwt(body.client_assertion).sub;
      return typeof sub === 'string' ? sub : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}
