import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { Request, Response } from 'express';
import { safeEqual } from '../common/crypto/tokens.js';
import { OAuthError } from '../common/errors/oauth-error.js';
import { RateLimitService } from '../rate-limit/index.js';
import { REGISTRATION_SETTINGS } from './client-registration.constants.js';
import type { RegistrationSettings } from './client-registration.options.js';

/**
 * Marks `POST /oauth/register` as public on purpose and enforces what protects it:
 * 1. the per-IP rate limit, counted in the database for every attempt (429 `rate_limit_exceeded` with
 *    `Retry-After`), before anything else so it also slows down guessing of initial access tokens;
 * 2. when initial access tokens are configured, `Authorization: Bearer <token>` with one of them
 *    (RFC 7591 §3, compared in constant time), else 401 `invalid_token`.
 */
@Injectable()
export class OpenRegistrationGuard implements CanActivate {
  constructor(
    private readonly rateLimit: RateLimitService,
    @Inject(REGISTRATION_SETTINGS) private readonly settings: RegistrationSettings,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<Request>();
    const res = context.switchToHttp().getResponse<Response>();
    const { rateLimit, rateWindowSeconds, initialAccessTokens } = this.settings;
    if (rateLimit > 0) {
      const result = await this.rateLimit.hit(
        `register:ip:${req.ip ?? 'unknown'}`,
        rateLimit,
        rateWindowSeconds,
      );
      if (!result.allowed) throw OAuthError.rateLimited(result.retryAfterSeconds);
      res.setHeader('RateLimit-Limit', String(rateLimit));
      res.setHeader('RateLimit-Remaining', String(result.remaining));
    }
    if (initialAccessTokens.length > 0) {
      const presented = /^Bearer +([^ ]+)$/i.exec(req.headers.authorization ?? '')?.[1];
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
