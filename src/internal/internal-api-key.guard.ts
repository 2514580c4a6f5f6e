import { createHash, timingSafeEqual } from 'node:crypto';
import {
  createParamDecorator,
  Inject,
  Injectable,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import type { Request } from 'express';
import { OAuthError } from '../common/errors/oauth-error.js';
import { INTERNAL_API_KEY_HEADER, INTERNAL_API_SETTINGS } from './internal-api.constants.js';
import type { InternalApiSettings } from './internal-api.options.js';

/** Which key authenticated a request, kept beside the request rather than written onto it. */
const callers = new WeakMap<Request, string>();

/**
 * Authenticates service-to-service calls by `X-API-Key` (the reference's InternalAPIKeyAuth). The
 * presented key is hashed and compared with every configured hash in constant time, without stopping at
 * the first match, so the answer time says nothing about which key or how much of it matched. Without
 * configured keys the routes answer 404 (they are off); a missing or wrong key is 401 `invalid_client`.
 */
@Injectable()
export class InternalApiKeyGuard implements CanActivate {
  constructor(@Inject(INTERNAL_API_SETTINGS) private readonly settings: InternalApiSettings) {}

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<Request>();
    if (this.settings.apiKeys.length === 0) {
      throw OAuthError.notFound();
    }
    const presented = req.headers[INTERNAL_API_KEY_HEADER];
    if (typeof presented !== 'string' || presented.length === 0 || presented.length > 512) {
      throw unauthorized();
    }
    const hash = createHash('sha256').update(presented, 'utf8').digest();
    let match: string | undefined;
    for (const key of this.settings.apiKeys) {
      // Every key is compared, whatever matched before.
      if (timingSafeEqual(hash, key.hash) && match === undefined) match = key.id;
    }
    if (match === undefined) throw unauthorized();
    callers.set(req, match);
    return true;
  }
}

function unauthorized(): OAuthError {
  return new OAuthError('invalid_client', 401, 'A valid X-API-Key header is required');
}

/** The id of the internal API key that authenticated this request (for the audit trail). */
export const InternalCaller = createParamDecorator((_data: unknown, ctx: ExecutionContext) => {
  const id = callers.get(ctx.switchToHttp().getRequest<Request>());
  if (id === undefined) {
    throw OAuthError.serverError('InternalCaller used without InternalApiKeyGuard');
  }
  return id;
});
