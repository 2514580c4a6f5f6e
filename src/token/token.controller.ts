import { NoStore } from '../common/http/no-store.js';
import { Controller, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import {
  ApiBasicAuth,
  ApiBody,
  ApiConsumes,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { OAuthError } from '../common/errors/oauth-error.js';
import { ApiOAuthErrors } from '../common/swagger/api-oauth-errors.decorator.js';
import { CLIENT_BASIC_SCHEME } from '../common/swagger/swagger.setup.js';
import { RateLimit } from '../rate-limit/index.js';
import {
  AuthenticatedClient,
  ClientAuthentication,
  ClientRequestParams,
} from './client-auth.guard.js';
import type { ClientAuthenticationResult } from './client-authentication.service.js';
import { DpopProofService } from './dpop-proof.service.js';
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

const FORM = 'application/x-www-form-urlencoded';

/** `/oauth/refresh` runs the refresh_token grant only; `grant_type` may be omitted (the contract). */
function onlyRefresh(params: TokenParams): void {
  const grantType = params.get('grant_type');
  if (grantType !== undefined && grantType !== 'refresh_token') {
    throw OAuthError.invalidRequest('grant_type must be refresh_token (or omitted) here');
  }
}
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
    private readonly grants: TokenGrantService,
    private readonly introspection: TokenIntrospectionService,
    private readonly dpop: DpopProofService,
  ) {}

  @Post('token')
  @RateLimit('token')
  // RFC 6749 §5.2: a malformed or unsupported grant_type is reported before client authentication.
  @ClientAuthentication({
    path: '/oauth/token',
    repeatable: ['resource'],
    before: (params) => TokenGrantService.grantType(params),
  })
  @HttpCode(200)
  @NoStore()
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
    @ClientRequestParams() params: TokenParams,
    @AuthenticatedClient() auth: ClientAuthenticationResult,
  ): Promise<TokenResponseBody> {
    const grantType = TokenGrantService.grantType(params);
    const dpop = await this.dpop.verify(
      req.headersDistinct.dpop,
      'POST',
      this.settings.apiUrl('/oauth/token'),
    );
    return this.grants.grant(grantType, params, auth, dpop);
  }

  @Post('refresh')
  @RateLimit('token')
  @ClientAuthentication({ path: '/oauth/refresh', repeatable: ['resource'], before: onlyRefresh })
  @HttpCode(200)
  @NoStore()
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
    @ClientRequestParams() params: TokenParams,
    @AuthenticatedClient() auth: ClientAuthenticationResult,
  ): Promise<TokenResponseBody> {
    const dpop = await this.dpop.verify(
      req.headersDistinct.dpop,
      'POST',
      this.settings.apiUrl('/oauth/refresh'),
    );
    return this.grants.grant('refresh_token', params, auth, dpop);
  }

  @Post('revoke')
  @ClientAuthentication({ path: '/oauth/revoke' })
  @HttpCode(200)
  @NoStore()
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
  async revoke(
    @ClientRequestParams() params: TokenParams,
    @AuthenticatedClient() { client }: ClientAuthenticationResult,
    @Res() res: Response,
  ): Promise<void> {
    const token = params.require('token');
    await this.introspection.revoke(token, client, params.get('token_type_hint'));
    // RFC 7009 §2.2 / the contract: 200 with no body.
    res.status(200).end();
  }

  @Post('introspect')
  @RateLimit('introspect')
  @ClientAuthentication({ path: '/oauth/introspect' })
  @HttpCode(200)
  @NoStore()
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
  async introspect(
    @ClientRequestParams() params: TokenParams,
    @AuthenticatedClient() { client }: ClientAuthenticationResult,
  ): Promise<IntrospectionBody> {
    // RFC 7662 §2.1: the caller must be authorized; a public client proves nothing about itself.
    if (client.isPublic) {
      throw OAuthError.invalidClient('Introspection requires client authentication');
    }
    const token = params.require('token');
    return this.introspection.introspect(token, params.get('token_type_hint'), client);
  }
}
