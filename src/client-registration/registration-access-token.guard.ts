import { Injectable, type ExecutionContext } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { OAuthError } from '../common/errors/oauth-error.js';
import { REGISTRATION_ACCESS_TOKEN } from './client-registration.constants.js';
import { ClientRegistrationService } from './client-registration.service.js';
import {
  REGISTRATION_TOKEN_VERIFIER,
  type RequestWithVerifier,
} from './registration-access-token.strategy.js';

/**
 * Guards the client configuration endpoint (RFC 7592 §2) with the Registration Access Token. A missing,
 * malformed, wrong, other client's or deleted client's token all give the same 401 `invalid_token` with
 * `WWW-Authenticate: Bearer error="invalid_token"` (RFC 6750 §3.1), so the endpoint reveals nothing about
 * which client ids exist. A database failure while checking is a 500, not a 401.
 */
@Injectable()
export class RegistrationAccessTokenGuard extends AuthGuard(REGISTRATION_ACCESS_TOKEN) {
  constructor(private readonly registrations: ClientRegistrationService) {
    super();
  }

  override canActivate(context: ExecutionContext) {
    const req = context.switchToHttp().getRequest<RequestWithVerifier>();
    // RFC 6750 §2.1: credentials = "Bearer" 1*SP b64token; passport-http-bearer takes one space only.
    const auth = req.headers.authorization;
    if (auth !== undefined) req.headers.authorization = auth.replace(/^Bearer {2,}/i, 'Bearer ');
    req[REGISTRATION_TOKEN_VERIFIER] = (clientId, token) =>
      this.registrations.authenticate(clientId, token);
    return super.canActivate(context);
  }

  override handleRequest<T>(err: unknown, client: T | false): T {
    if (err instanceof OAuthError) throw err;
    if (err) throw OAuthError.serverError(err);
    if (!client) throw OAuthError.invalidToken();
    return client;
  }
}
