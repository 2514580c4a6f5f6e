import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { OAuthError } from '../common/errors/oauth-error.js';
import { noteClientId } from '../observability/request-context.js';
import {
  ClientRegistrationService,
  type AuthenticatedRegistration,
} from './client-registration.service.js';

/**
 * RFC 6750 §2.1 `Authorization: Bearer <token>` (b64token, one or more spaces after the scheme). The
 * token is accepted in this header only: RFC 6750 §2.2 (form body) and §2.3 (query) are not offered.
 */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i;

/**
 * Authenticates the client-configuration endpoint's requests by the registration access token (RFC
 * 7592 §1): the client in the path, read from the database on every request, with the hash of the token
 * compared in constant time ({@link ClientRegistrationService.authenticate}). Every failure is 401
 * `invalid_token` (RFC 6750 §3.1) with the same body, whether the client exists or not. The result is
 * `req.user` for the `RegistrationAuth` parameter decorator.
 *
 * A plain guard rather than passport-http-bearer: the same check without passport's strategy machinery
 * (about 60–80 µs per request in the profile, docs/benchmarks.md).
 */
@Injectable()
export class RegistrationAccessTokenGuard implements CanActivate {
  constructor(private readonly registrations: ClientRegistrationService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<Request & { user?: AuthenticatedRegistration }>();
    const token = BEARER.exec(req.headers.authorization ?? '')?.[1];
    // A token also sent in the query or the body is ambiguous (RFC 6750 §2: one method per request).
    if (token === undefined || hasAccessTokenParam(req.query) || hasAccessTokenParam(req.body)) {
      throw OAuthError.invalidToken();
    }
    const clientId = (req.params as Record<string, string | undefined>).client_id;
    const found = await this.registrations.authenticate(clientId, token);
    if (!found) throw OAuthError.invalidToken();
    // The request's log line names the client (docs/operations.md "Logs").
    if (typeof clientId === 'string') noteClientId(req, clientId);
    req.user = found;
    return true;
  }
}

function hasAccessTokenParam(v: unknown): boolean {
  return typeof v === 'object' && v !== null && 'access_token' in v;
}
