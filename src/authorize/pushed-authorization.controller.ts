import { NoStore } from '../common/http/no-store.js';
import { Controller, HttpCode, Inject, Post, Req, UseGuards } from '@nestjs/common';
import {
  ApiBasicAuth,
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Request } from 'express';
import { OAuthError } from '../common/errors/oauth-error.js';
import { ApiOAuthErrors } from '../common/swagger/api-oauth-errors.decorator.js';
import { CLIENT_BASIC_SCHEME } from '../common/swagger/swagger.setup.js';
import { RateLimit } from '../rate-limit/index.js';
import {
  AuthenticatedClient,
  ClientAuthentication,
  DpopProofService,
  invalidDpopProof,
  OfferDpopNonceGuard,
  ResourceIndicatorPolicy,
  type ClientAuthenticationResult,
} from '../token/index.js';
import {
  AuthorizationPageError,
  validateAuthorizationRequest,
  resolveClient,
  scopesOfferedTo,
} from './authorization-request.js';
import { AUTHORIZE_SETTINGS, PAR_PATH } from './authorize.constants.js';
import type { AuthorizeSettings } from './authorize.options.js';
import {
  PushedAuthorizationRequest,
  PushedAuthorizationResponse,
} from './dto/pushed-authorization.dto.js';
import { PushedAuthorizationRequestsService } from './pushed-authorization-requests.service.js';

/** Client authentication parameters: checked, then never stored with the request. */
const CLIENT_AUTH_PARAMS = new Set(['client_secret', 'client_assertion', 'client_assertion_type']);

/**
 * The pushed authorization request endpoint (RFC 9126; oauth-service reference O3,
 * `POST /api/v1/oauth/pushed-authorization`). The client authenticates as at the token endpoint (RFC 9126
 * §2: same methods, same rules), the request is checked by the very rules of `/oauth/authorize`
 * (`resolveClient` and `validateAuthorizationRequest`), and the answer is a one-time `request_uri`.
 */
@ApiTags('OAuth')
@ApiBasicAuth(CLIENT_BASIC_SCHEME)
@Controller()
export class PushedAuthorizationController {
  constructor(
    @Inject(AUTHORIZE_SETTINGS) private readonly settings: AuthorizeSettings,
    private readonly resourcePolicy: ResourceIndicatorPolicy,
    private readonly pushed: PushedAuthorizationRequestsService,
    private readonly dpop: DpopProofService,
  ) {}

  @Post(PAR_PATH)
  @RateLimit('authorize')
  // RFC 9126 §2: the client authenticates as at the token endpoint; its URL is an assertion audience.
  @ClientAuthentication({ path: PAR_PATH, repeatable: ['resource'] })
  // Below, so that it runs first: a request with a DPoP proof learns the nonce on every answer, errors
  // included (RFC 9449 §8.2).
  @UseGuards(OfferDpopNonceGuard)
  @HttpCode(201)
  @NoStore()
  @ApiOperation({
    summary: 'Push Authorization Request (PAR)',
    description:
      'OAuth 2.0 Pushed Authorization Request endpoint (RFC 9126). The client pushes the parameters of an ' +
      'authorization request, authenticated as at the token endpoint, and gets a one-time `request_uri` ' +
      'to send to /oauth/authorize with its client_id. The request is validated as /oauth/authorize ' +
      'would. Returns flat JSON (no code/message envelope). A DPoP proof (RFC 9449 §10.1) in the `DPoP` ' +
      'header binds the authorization code to its key, as the dpop_jkt parameter does; when both are ' +
      'sent they must name the same key.',
  })
  @ApiConsumes('application/x-www-form-urlencoded', 'application/json')
  @ApiBody({ type: PushedAuthorizationRequest })
  @ApiCreatedResponse({
    description: 'PAR response (includes request_uri and expires_in)',
    type: PushedAuthorizationResponse,
  })
  @ApiOAuthErrors(
    [
      400,
      'invalid_request: request parameters missing or invalid (also a request_uri in the body, RFC 9126 ' +
        '§2.1); invalid_scope, unsupported_response_type, unauthorized_client, invalid_target; ' +
        'invalid_dpop_proof and use_dpop_nonce (RFC 9449 §10.1, §8). Reference: RFC 9126 §2.3.',
    ],
    [401, 'invalid_client: client authentication failed. Reference: RFC 9126 §2.3.'],
    [429, 'rate_limit_exceeded: too many requests from this IP (AUTHORIZE_RATE_LIMIT)'],
    [500, 'server_error: failed to store authorization request. Reference: RFC 9126.'],
  )
  async push(
    @Req() req: Request,
    @AuthenticatedClient() { client }: ClientAuthenticationResult,
  ): Promise<PushedAuthorizationResponse> {
    const params: Record<string, string | string[]> = {};
    // TokenParams.from has checked every value is a string (or a list of them, for `resource`).
    const body: unknown = req.body;
    const fields =
      typeof body === 'object' && body !== null && !Array.isArray(body)
        ? (body as Record<string, string | string[]>)
        : {};
    for (const [name, value] of Object.entries(fields)) {
      if (!CLIENT_AUTH_PARAMS.has(name)) params[name] = value;
    }
    // RFC 9126 §2.1: "The request_uri authorization request parameter is one exception, and it MUST
    // NOT be provided."
    if (params.request_uri !== undefined) {
      throw OAuthError.invalidRequest('request_uri must not be sent to the PAR endpoint');
    }
    // The authenticated client is the request's client (with Basic, client_id may be absent).
    params.client_id = client.clientId;
    let resolved: Awaited<ReturnType<typeof resolveClient>>;
    try {
      resolved = await resolveClient(params, () => Promise.resolve(client));
    } catch (e) {
      // RFC 9126 §2.3: errors of the PAR endpoint are token-endpoint style JSON, never redirects.
      if (e instanceof AuthorizationPageError) throw new OAuthError(e.error, 400, e.description);
      throw e;
    }
    // The scopes of /oauth/authorize, `admin` included for a client an operator allowed it (issue 8).
    const supported = scopesOfferedTo(resolved.client, this.settings.scopesSupported);
    const v = validateAuthorizationRequest(params, resolved, supported);
    this.resourcePolicy.assertAllowed(v.client, v.resources);
    // RFC 9449 §10.1: a proof sent with the pushed request binds the code to its key, like dpop_jkt;
    // with both, they must agree. The proof is checked as at the token endpoint (htu is this endpoint,
    // its jti is spent, the nonce required when DPOP_NONCE_REQUIRED).
    const proof = await this.dpop.verifyPost(req.headersDistinct.dpop, PAR_PATH);
    if (proof) {
      if (v.dpopJkt !== null && v.dpopJkt !== proof.jkt) {
        throw invalidDpopProof(
          'dpop_jkt does not match the key of the DPoP proof (RFC 9449 §10.1)',
        );
      }
      params.dpop_jkt = proof.jkt;
    }
    return this.pushed.push(client.clientId, params);
  }
}
