import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import { Strategy } from 'passport-http-bearer';
import { noteClientId } from '../common/http/request-context.js';
import { REGISTRATION_ACCESS_TOKEN } from './client-registration.constants.js';
import type { AuthenticatedRegistration } from './client-registration.service.js';

/** Checks a token for the client in the path; attached to the request by the guard. */
export type RegistrationTokenVerifier = (
  clientId: unknown,
  token: string,
) => Promise<AuthenticatedRegistration | null>;

/** Request property through which the guard hands this app's verifier to the strategy. */
export const REGISTRATION_TOKEN_VERIFIER = Symbol('registrationTokenVerifier');

export type RequestWithVerifier = Request & {
  [REGISTRATION_TOKEN_VERIFIER]?: RegistrationTokenVerifier;
};

/**
 * The named passport-http-bearer strategy for the Registration Access Token (RFC 7592 §1, RFC 6750 §2.1).
 * Only the `Authorization: Bearer` header is accepted: a token in the query or in the body is refused,
 * since RFC 7592 says the client uses it "as an OAuth 2.0 Bearer Token" and the query leaks into logs.
 *
 * Passport keeps strategies in one process-wide registry, so when several Nest applications share a
 * process (tests, embedders) the last one registered would answer for all. The strategy therefore holds
 * no dependencies: the guard attaches its own application's verifier to the request.
 */
@Injectable()
export class RegistrationAccessTokenStrategy extends PassportStrategy(
  Strategy,
  REGISTRATION_ACCESS_TOKEN,
) {
  constructor() {
    super({ passReqToCallback: true });
  }

  async validate(
    req: RequestWithVerifier,
    token: string,
  ): Promise<AuthenticatedRegistration | false> {
    const verify = req[REGISTRATION_TOKEN_VERIFIER];
    const header = req.headers.authorization ?? '';
    const fromHeader = /^Bearer ([^ ]+)$/i.exec(header)?.[1];
    if (!verify || fromHeader !== token) return false;
    const params = req.params as Record<string, string | undefined>;
    const found = await verify(params.client_id, token);
    if (!found) return false;
    // The request's log line names the client (docs/operations.md "Logs").
    if (typeof params.client_id === 'string') noteClientId(req, params.client_id);
    return found;
  }
}
