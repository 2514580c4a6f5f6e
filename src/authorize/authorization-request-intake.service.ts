import { Inject, Injectable } from '@nestjs/common';
import { ClientsService } from '../client-registration/index.js';
import { OAuthError } from '../common/errors/oauth-error.js';
import { ResourceIndicatorPolicy } from '../token/index.js';
import {
  AuthorizationPageError,
  echoableState,
  readParam,
  resolveClient,
  scopesOfferedTo,
  validateAuthorizationRequest,
  type RawParams,
  type ValidatedAuthorizationRequest,
} from './authorization-request.js';
import { AUTHORIZE_SETTINGS } from './authorize.constants.js';
import type { AuthorizeSettings } from './authorize.options.js';
import { PushedAuthorizationRequestsService } from './pushed-authorization-requests.service.js';

/** The client and redirect URI of a request, once known: from here on, errors may be redirected. */
export type ResolvedClient = Awaited<ReturnType<typeof resolveClient>>;

/**
 * What validation of an authorization request found:
 * - `refused`: before the client and its redirect URI are known; never redirected (RFC 6749 §4.1.2.1).
 * - `invalid`: after; `error` goes to the client (or on the error page with a link).
 *
 * `state` is what an error response may echo (RFC 6749 §4.1.2.1).
 * - `valid`: the request, ready for the login and consent decision.
 */
export type Intake =
  | { outcome: 'refused'; error: unknown }
  | { outcome: 'invalid'; resolved: ResolvedClient; state: string | null; error: unknown }
  | {
      outcome: 'valid';
      resolved: ResolvedClient;
      state: string | null;
      request: ValidatedAuthorizationRequest;
    };

/**
 * The checks of an authorization request (RFC 6749 §4.1.1, RFC 7636, OIDC Core §3.1.2, RFC 8707, RFC 9126),
 * pushed or not, apart from the user's session: the first half of `/oauth/authorize`.
 */
@Injectable()
export class AuthorizationRequestIntakeService {
  constructor(
    @Inject(AUTHORIZE_SETTINGS) private readonly settings: AuthorizeSettings,
    private readonly clients: ClientsService,
    private readonly pushed: PushedAuthorizationRequestsService,
    private readonly resourcePolicy: ResourceIndicatorPolicy,
  ) {}

  /** Validates the parameters the browser brought (or those pushed for its `request_uri`). */
  async check(received: RawParams): Promise<Intake> {
    let params: RawParams;
    let resolved: ResolvedClient;
    const pushed = readParam(received, 'request_uri').present;
    try {
      params = pushed ? await this.redeemPushed(received) : received;
      resolved = await resolveClient(params, (id) => this.clients.findActiveById(id));
    } catch (e) {
      return { outcome: 'refused', error: e };
    }
    try {
      // RFC 9126 §5 / §6: the server, or the client's registration, requires pushed requests.
      if (
        !pushed &&
        (this.settings.requirePushedAuthorizationRequests ||
          resolved.client.requirePushedAuthorizationRequests)
      ) {
        throw OAuthError.invalidRequest(
          'This client must push its authorization requests to the pushed authorization request ' +
            'endpoint (RFC 9126) and send the request_uri',
        );
      }
      // `admin` is not a public scope: only a client an operator allowed it may ask for it (issue 8).
      const supported = scopesOfferedTo(resolved.client, this.settings.scopesSupported);
      const request = validateAuthorizationRequest(params, resolved, supported);
      // RFC 8707 §2: a resource this client may not obtain tokens for is invalid_target (redirected).
      this.resourcePolicy.assertAllowed(request.client, request.resources);
      return { outcome: 'valid', resolved, state: echoableState(params), request };
    } catch (e) {
      return { outcome: 'invalid', resolved, state: echoableState(params), error: e };
    }
  }

  /**
   * RFC 9126 §4: an authorization request made of `client_id` and a `request_uri` from the PAR endpoint.
   * The pushed parameters replace everything else the browser brought (they were authenticated; the
   * query was not). The request_uri is consumed here, once; an unknown, reused or expired one, or one
   * pushed by another client, is `invalid_request_uri` (RFC 9101 §10.2), shown and never redirected:
   * the redirect URI is in the pushed request, which cannot be trusted then.
   */
  private async redeemPushed(received: RawParams): Promise<RawParams> {
    const uri = readParam(received, 'request_uri');
    const id = readParam(received, 'client_id');
    if (!id.present || !('value' in id) || id.value === '') {
      throw new AuthorizationPageError(
        'invalid_request',
        'The client_id parameter is required with request_uri (RFC 9126 §4).',
      );
    }
    if (!uri.present || !('value' in uri) || uri.value === '') {
      throw new AuthorizationPageError(
        'invalid_request',
        'The request_uri parameter is malformed.',
      );
    }
    const redeemed = await this.pushed.redeem(uri.value, id.value);
    if (!redeemed.ok) {
      throw new AuthorizationPageError(
        'invalid_request_uri',
        redeemed.reason === 'expired'
          ? 'The request_uri has expired. Return to the application and start again.'
          : redeemed.reason === 'wrong_client'
            ? 'The request_uri was not issued to this client.'
            : 'The request_uri is unknown or was already used. Return to the application and start again.',
      );
    }
    return redeemed.params;
  }
}
