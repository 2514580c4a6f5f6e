import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { OAuthError } from '../common/errors/oauth-error.js';
import { schemeCredentials } from '../common/oauth/authorization-header.js';
import { noteClientId } from '../common/http/request-context.js';
import {
  ClientRegistrationService,
  type AuthenticatedRegistration,
} from './client-registration.service.js';

/**
 * Guards the client configuration endpoint (RFC 7592 §2) with the Registration Access Token: the token
 * is read by the one `Authorization` parser every bearer-protected route uses
 * (`common/oauth/authorization-header.ts`, RFC 6750 §2.1; never from the body or the query, which RFC
 * 7592 does not offer and which leaks into logs), and must be the one of the client named in the path,
 * read from the database on every request and compared by hash in constant time
 * ({@link ClientRegistrationService.authenticate}). A missing, malformed, wrong, other client's or
 * deleted client's token all give the same 401 `invalid_token` with
 * `WWW-Authenticate: Bearer error="invalid_token"` (RFC 6750 §3.1), so the endpoint reveals nothing about
 * which client ids exist; a database failure while checking is a 500. The registration is `req.user`
 * for the `RegistrationAuth` parameter decorator.
 *
 * A plain guard rather than a passport-http-bearer strategy: the same check without passport's
 * strategy machinery, 60–80 µs per request in the profiles (docs/benchmarks.md).
 */
@Injectable()
export class RegistrationAccessTokenGuard implements CanActivate {
  constructor(private readonly registrations: ClientRegistrationService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<Request & { user?: AuthenticatedRegistration }>();
    const token = schemeCredentials(req.headers.authorization, 'Bearer');
    if (typeof token !== 'string') throw OAuthError.invalidToken();
    const clientId = (req.params as Record<string, string | undefined>).client_id;
    let found: AuthenticatedRegistration | null;
    try {
      found = await this.registrations.authenticate(clientId, token);
    } catch (e) {
      throw e instanceof OAuthError ? e : OAuthError.serverError(e);
    }
    if (!found) throw OAuthError.invalidToken();
    // The request's log line names the client (docs/operations.md "Logs").
    if (typeof clientId === 'string') noteClientId(req, clientId);
    req.user = found;
    return true;
  }
}
