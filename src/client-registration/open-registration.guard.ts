import { schemeCredentials } from '../common/oauth/authorization-header.js';
import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { safeEqual } from '../common/crypto/tokens.js';
import { OAuthError } from '../common/errors/oauth-error.js';
import { REGISTRATION_SETTINGS } from './client-registration.constants.js';
import type { RegistrationSettings } from './client-registration.options.js';

/**
 * Marks `POST /oauth/register` as public on purpose and enforces what protects it: when initial access
 * tokens are configured, `Authorization: Bearer <token>` with one of them (RFC 7591 §3, compared in
 * constant time), else 401 `invalid_token`. The per-IP rate limit (`@RateLimit('register')` on the route)
 * is counted before this guard runs, for every attempt, so it also slows down guessing of the tokens.
 */
@Injectable()
export class OpenRegistrationGuard implements CanActivate {
  constructor(@Inject(REGISTRATION_SETTINGS) private readonly settings: RegistrationSettings) {}

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<Request>();
    const { initialAccessTokens } = this.settings;
    if (initialAccessTokens.length > 0) {
      // RFC 6750 §2.1 (RFC 7591 §3: the initial access token is an OAuth 2.0 Bearer token).
      const presented = schemeCredentials(req.headers.authorization, 'Bearer') ?? undefined;
      // Compare against every configured token so timing does not tell which one nearly matched.
      let ok = false;
      for (const t of initialAccessTokens) {
        ok = (presented !== undefined && safeEqual(presented, t)) || ok;
      }
      if (!ok) {
        throw OAuthError.invalidToken('A valid initial access token is required to register');
      }
    }
    return true;
  }
}
