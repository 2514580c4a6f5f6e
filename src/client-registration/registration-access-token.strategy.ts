import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import { Strategy } from 'passport-http-bearer';
import { schemeCredentials } from '../common/oauth/authorization-header.js';
import { noteClientId } from '../common/http/request-context.js';
import { REGISTRATION_ACCESS_TOKEN } from './client-registration.constants.js';
import {
  ClientRegistrationService,
  type AuthenticatedRegistration,
} from './client-registration.service.js';

/**
 * The action functions Passport binds to a strategy for each request (passport-strategy's contract:
 * `success`, `fail`, `error`); the passport-http-bearer typings leave them out.
 */
interface StrategyActions {
  success(user: AuthenticatedRegistration): void;
  fail(status?: number): void;
  error(err: unknown): void;
}

/**
 * The named passport-http-bearer strategy for the Registration Access Token (RFC 7592 §1, RFC 6750 §2.1),
 * with {@link ClientRegistrationService} injected: the token must be the one of the client named in the
 * path. `RegistrationAccessTokenGuard` (`AuthGuard('registration-access-token')`) runs it.
 *
 * The token is read by the one `Authorization` parser every bearer-protected route uses
 * (`common/oauth/authorization-header.ts`): passport-http-bearer's own reading splits the header on a
 * single space (RFC 6750 §2.1 allows `1*SP`) and also takes `access_token` from the body or the query,
 * which RFC 7592 does not (the query leaks into logs). So `authenticate` takes the token from the shared
 * parser and passes it to {@link validate}, without touching the request.
 *
 * Passport keeps named strategies in one process-wide registry: in a process running several Nest
 * applications, the strategy of the one created last serves all of them (docs/adr/0022).
 */
@Injectable()
export class RegistrationAccessTokenStrategy extends PassportStrategy(
  Strategy,
  REGISTRATION_ACCESS_TOKEN,
) {
  constructor(private readonly registrations: ClientRegistrationService) {
    super({ passReqToCallback: true });
  }

  override authenticate(req: Request): void {
    const actions = this as unknown as StrategyActions;
    const token = schemeCredentials(req.headers.authorization, 'Bearer');
    // Missing, another scheme or malformed: the guard answers 401 invalid_token (RFC 6750 §3.1).
    if (typeof token !== 'string') return actions.fail(401);
    this.validate(req, token).then(
      (found) => (found ? actions.success(found) : actions.fail(401)),
      (err: unknown) => actions.error(err),
    );
  }

  /** The registration of the path's `client_id` whose token `token` is, or `false`. */
  async validate(req: Request, token: string): Promise<AuthenticatedRegistration | false> {
    const clientId = (req.params as Record<string, string | undefined>).client_id;
    const found = await this.registrations.authenticate(clientId, token);
    if (!found) return false;
    // The request's log line names the client (docs/operations.md "Logs").
    if (typeof clientId === 'string') noteClientId(req, clientId);
    return found;
  }
}
