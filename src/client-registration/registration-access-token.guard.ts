import { Injectable } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { OAuthError } from '../common/errors/oauth-error.js';
import { REGISTRATION_ACCESS_TOKEN } from './client-registration.constants.js';

/**
 * Guards the client configuration endpoint (RFC 7592 §2) with the Registration Access Token, through
 * the `registration-access-token` Passport strategy. A missing, malformed, wrong, other client's or
 * deleted client's token all give the same 401 `invalid_token` with
 * `WWW-Authenticate: Bearer error="invalid_token"` (RFC 6750 §3.1), so the endpoint reveals nothing about
 * which client ids exist. `handleRequest` is overridden because `@nestjs/passport`'s default throws a
 * bare `UnauthorizedException` without the challenge. A database failure while checking is a 500.
 */
@Injectable()
export class RegistrationAccessTokenGuard extends AuthGuard(REGISTRATION_ACCESS_TOKEN) {
  override handleRequest<T>(err: unknown, client: T | false): T {
    if (err instanceof OAuthError) throw err;
    if (err) throw OAuthError.serverError(err);
    if (!client) throw OAuthError.invalidToken();
    return client;
  }
}
