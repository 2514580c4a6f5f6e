import { Controller, Get, Header, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import {
  ApiBasicAuth,
  ApiBody,
  ApiConsumes,
  ApiOkResponse,
  ApiOperation,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { OAuthError } from '../common/errors/oauth-error.js';
import { ApiOAuthErrors } from '../common/swagger/api-oauth-errors.decorator.js';
import { CLIENT_BASIC_SCHEME } from '../common/swagger/swagger.setup.js';
import { RateLimit } from '../rate-limit/index.js';
import { ClientAuthenticationService } from './client-authentication.service.js';
import { DPOP_NONCE_HEADER } from './dpop-nonce.service.js';
import {
  DpopProofService,
  invalidDpopProof,
  type VerifiedDpopProof,
} from './dpop-proof.service.js';
import type { AuthenticatedClient } from './client-authentication.service.js';
import { OAuthTokenRequest } from './dto/oauth-token-request.dto.js';
import { OAuthTokenResponse } from './dto/oauth-token-response.dto.js';
import { RefreshTokenRequest } from './dto/refresh-token-request.dto.js';
import { TokenIntrospectionRequest } from './dto/token-introspection-request.dto.js';
import { TokenIntrospectionResponse } from './dto/token-introspection-response.dto.js';
import { TokenRevocationRequest } from './dto/token-revocation-request.dto.js';
import { TokenGrantService, type TokenResponseBody } from './token-grant.service.js';
import {
  TokenIntrospectionService,
  type IntrospectionBody,
} from './token-introspection.service.js';
import { TokenParams } from './token-params.js';
import { TOKEN_SETTINGS } from './token.constants.js';
import type { TokenSettings } from './token.options.js';
import { noteClientId } from '../common/http/request-context.js';

const FORM = 'application/x-www-form-urlencoded';
const JSON_BODY = 'application/json';

/**
 * The OAuth protocol endpoints of TokenModule. Flat RFC JSON (no envelope), `Cache-Control: no-store`
 * and `Pragma: no-cache` on every answer (RFC 6749 §5.1), errors per RFC 6749 §5.2. Parameters are
 * read by {@link TokenParams} (repeats refused), not by a validation pipe.
 */
@ApiTags('OAuth')
@ApiBasicAuth(CLIENT_BASIC_SCHEME)
@Controller('oauth')
export class TokenController {
  constructor(
    @Inject(TOKEN_SETTINGS) private readonly settings: TokenSettings,
    private readonly clientAuth: ClientAuthenticationService,
    private readonly grants: TokenGrantService,
    private readonly introspection: TokenIntrospectionService,
    private readonly dpop: DpopProofService,
  ) {}

  @Post('token')
  @RateLimit('token')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @Header('Pragma', 'no-cache')
  @ApiOperation({
    summary: 'OAuth 2.0 Token Endpoint',
    description:
      'Supports authorization_code (with PKCE, RFC 7636), refresh_token (rotated on every use) and ' +
      'client_credentials. Client authentication by the registered token_endpoint_auth_method: ' +
      'client_secret_basic, client_secret_post, private_key_jwt (RFC 7523) or none (public clients). ' +
      'Returns flat JSON (no code/message envelope). References: RFC 6749 §4.1.3, §4.4, §5.1-5.2, §6.',
  })
  @ApiConsumes(FORM, JSON_BODY)
  @ApiBody({ type: OAuthTokenRequest })
  @ApiOkResponse({
    description: 'Token response (contains access_token, refresh_token, id_token, etc.)',
    type: OAuthTokenResponse,
  })
  @ApiOAuthErrors(
    [
      400,
      'invalid_request, invalid_grant, unauthorized_client, unsupported_grant_type, invalid_scope, ' +
        'invalid_target. See RFC 6749 §5.2.',
    ],
    [401, 'invalid_client: Client authentication failed. See RFC 6749 §5.2.'],
    [429, 'rate_limit_exceeded: Request rate too high, please retry later'],
    [500, 'server_error: Internal error in authorization server. See RFC 6749 §5.2.'],
  )
  async token(
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<TokenResponseBody> {
    this.offerNonce(req, res);
    const params = TokenParams.from(req.body, ['resource']);
    const grantType = TokenGrantService.grantType(params);
    const auth = await this.clientAuth.authenticate({
      authorization: req.headers.authorization,
      params,
      endpointUrl: this.settings.apiUrl('/oauth/token'),
    });
    // The request's log line names the client (docs/operations.md "Logs").
    noteClientId(req, auth.client.clientId);
    const dpop = await this.proofOf(req, '/oauth/token', auth);
    return this.grants.grant(grantType, params, auth, dpop);
  }

  @Post('refresh')
  @RateLimit('token')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @Header('Pragma', 'no-cache')
  @ApiOperation({
    summary: 'Refresh Access Token',
    description:
      'Uses refresh_token to obtain a new access_token and refresh_token (rotation; presenting a ' +
      'rotated refresh token revokes the whole grant). Same client authentication as /oauth/token. ' +
      'Returns flat JSON. Errors follow RFC 6749 §5.2: an invalid or expired refresh token is 400 ' +
      'invalid_grant (the reference lists 401). Reference: RFC 6749 §6.',
  })
  @ApiConsumes(JSON_BODY, FORM)
  @ApiBody({ type: RefreshTokenRequest })
  @ApiOkResponse({
    description: 'Refreshed tokens (includes new access_token and refresh_token)',
    type: OAuthTokenResponse,
  })
  @ApiOAuthErrors(
    [
      400,
      'invalid_request: request parameters missing or invalid; invalid_grant: refresh_token invalid, ' +
        'expired or reused; unauthorized_client; invalid_scope. Reference: RFC 6749 §5.2.',
    ],
    [401, 'invalid_client: Client authentication failed. Reference: RFC 6749 §5.2.'],
    [429, 'rate_limit_exceeded: Request rate too high, please retry later'],
    [500, 'server_error: Internal error in authorization server'],
  )
  async refresh(
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<TokenResponseBody> {
    this.offerNonce(req, res);
    const params = TokenParams.from(req.body, ['resource']);
    const grantType = params.get('grant_type');
    if (grantType !== undefined && grantType !== 'refresh_token') {
      throw OAuthError.invalidRequest('grant_type must be refresh_token (or omitted) here');
    }
    const auth = await this.clientAuth.authenticate({
      authorization: req.headers.authorization,
      params,
      endpointUrl: this.settings.apiUrl('/oauth/refresh'),
    });
    // The request's log line names the client (docs/operations.md "Logs").
    noteClientId(req, auth.client.clientId);
    const dpop = await this.proofOf(req, '/oauth/refresh', auth);
    return this.grants.grant('refresh_token', params, auth, dpop);
  }

  @Get('dpop/nonce')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @Header('Pragma', 'no-cache')
  @ApiOperation({
    summary: 'Get DPoP Nonce',
    description:
      'DPoP (Demonstration of Proof-of-Possession) Nonce endpoint. Clients call this before initiating a ' +
      'DPoP-bound request; returns the nonce to put in the `nonce` claim of DPoP proofs in the `DPoP-Nonce` ' +
      'response header (no response body). The same nonce is returned on every token and userinfo ' +
      'response to a request with a DPoP proof. A nonce is accepted for 5 to 10 minutes by every ' +
      'instance. References: RFC 9449 §8, §9.',
  })
  @ApiResponse({
    status: 200,
    description: 'Success (DPoP-Nonce in response header)',
    headers: {
      [DPOP_NONCE_HEADER]: {
        description: 'Newly generated DPoP nonce',
        schema: { type: 'string' },
      },
    },
  })
  @ApiOAuthErrors([500, 'server_error: Internal server error'])
  nonce(@Res() res: Response): void {
    res.setHeader(DPOP_NONCE_HEADER, this.dpop.currentNonce());
    res.status(200).end();
  }

  /**
   * RFC 9449 §8.2: a request with a DPoP proof gets the current nonce in `DPoP-Nonce` on every answer,
   * errors included (set before anything can fail), so a client learns it before it is required.
   */
  private offerNonce(req: Request, res: Response): void {
    if (req.headers.dpop !== undefined) res.setHeader(DPOP_NONCE_HEADER, this.dpop.currentNonce());
  }

  /**
   * The verified DPoP proof of a token request for `path`, or null; RFC 9449 §5.2: a client registered
   * with `dpop_bound_access_tokens` must send one.
   */
  private async proofOf(
    req: Request,
    path: string,
    auth: AuthenticatedClient,
  ): Promise<VerifiedDpopProof | null> {
    const dpop = await this.dpop.verify(
      req.headersDistinct.dpop,
      'POST',
      this.settings.apiUrl(path),
    );
    if (!dpop && auth.client.dpopBoundAccessTokens) {
      throw invalidDpopProof(
        'This client is registered with dpop_bound_access_tokens: its token requests need a DPoP proof',
      );
    }
    return dpop;
  }

  @Post('revoke')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @Header('Pragma', 'no-cache')
  @ApiOperation({
    summary: 'Revoke Token',
    description:
      'OAuth 2.0 token revocation endpoint. Returns 200 OK on success (no response body), also for ' +
      'unknown tokens and tokens of other clients (which are left alone). Revoking a refresh token ' +
      'revokes its grant (every refresh token and access token issued from it). Reference: RFC 7009.',
  })
  @ApiConsumes(JSON_BODY, FORM)
  @ApiBody({ type: TokenRevocationRequest })
  @ApiOkResponse({ description: 'Token revoked (no response body)' })
  @ApiOAuthErrors(
    [400, 'invalid_request: request parameters missing or invalid. Reference: RFC 7009 §2.2.'],
    [401, 'invalid_client: Client authentication failed. Reference: RFC 7009 §2.2.1.'],
    [500, 'server_error: Internal error in authorization server'],
  )
  async revoke(@Req() req: Request, @Res() res: Response): Promise<void> {
    const params = TokenParams.from(req.body);
    const { client } = await this.clientAuth.authenticate({
      authorization: req.headers.authorization,
      params,
      endpointUrl: this.settings.apiUrl('/oauth/revoke'),
    });
    // The request's log line names the client (docs/operations.md "Logs").
    noteClientId(req, client.clientId);
    const token = params.require('token');
    await this.introspection.revoke(token, client, params.get('token_type_hint'));
    // RFC 7009 §2.2 / the contract: 200 with no body.
    res.status(200).end();
  }

  @Post('introspect')
  @RateLimit('introspect')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @Header('Pragma', 'no-cache')
  @ApiOperation({
    summary: 'Token Introspection',
    description:
      'Checks whether a token is active and returns its metadata (sub, client_id, scope, exp, ...). ' +
      'Only confidential clients, authenticated as at the token endpoint, may introspect, and only ' +
      'tokens issued to themselves, unless an operator granted them the introspection right (resource ' +
      'servers; RFC 7662 §4). Inactive, unknown, expired or revoked tokens, and tokens the caller may ' +
      'not see, answer exactly {"active": false}. Rate limited per client and IP. Returns flat JSON. ' +
      'Reference: RFC 7662.',
  })
  @ApiConsumes(FORM, JSON_BODY)
  @ApiBody({ type: TokenIntrospectionRequest })
  @ApiOkResponse({
    description:
      'Introspection result (active=true includes full token metadata; active=false returns only active field)',
    type: TokenIntrospectionResponse,
  })
  @ApiOAuthErrors(
    [400, 'invalid_request: missing token parameter. Reference: RFC 7662 §2.1.'],
    [401, 'invalid_client: Client authentication failed. Reference: RFC 7662 §2.3.'],
    [429, 'rate_limit_exceeded: Request rate too high, please retry later'],
    [500, 'server_error: introspection service internal error'],
  )
  async introspect(@Req() req: Request): Promise<IntrospectionBody> {
    const params = TokenParams.from(req.body);
    const { client } = await this.clientAuth.authenticate({
      authorization: req.headers.authorization,
      params,
      endpointUrl: this.settings.apiUrl('/oauth/introspect'),
    });
    // The request's log line names the client (docs/operations.md "Logs").
    noteClientId(req, client.clientId);
    // RFC 7662 §2.1: the caller must be authorized; a public client proves nothing about itself.
    if (client.isPublic) {
      throw OAuthError.invalidClient('Introspection requires client authentication');
    }
    const token = params.require('token');
    return this.introspection.introspect(token, params.get('token_type_hint'), client);
  }
}
