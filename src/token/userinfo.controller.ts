import { requireBearerToken, schemeCredentials } from '../common/oauth/authorization-header.js';
import { Controller, Get, Header, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { OAuthError } from '../common/errors/oauth-error.js';
import { ApiOAuthErrors } from '../common/swagger/api-oauth-errors.decorator.js';
import { ACCESS_TOKEN_SCHEME } from '../common/swagger/swagger.setup.js';
import { UsersService } from '../users/index.js';
import { AccessTokenService, isDpopBound } from './access-token.service.js';
import { DPOP_NONCE_HEADER } from './dpop-nonce.service.js';
import { DPOP_SIGNING_ALGS, DpopProofService, invalidDpopProof } from './dpop-proof.service.js';
import { OIDCUserInfoResponse } from './dto/oidc-user-info-response.dto.js';
import { UserInfoRequest } from './dto/user-info-request.dto.js';
import { TOKEN_SETTINGS } from './token.constants.js';
import type { TokenSettings } from './token.options.js';

const USERINFO_ERRORS: [number, string][] = [
  [400, 'invalid_request: the access token was sent in more than one way (RFC 6750 §2)'],
  [
    401,
    'invalid_token: Token is invalid or expired. See OIDC Core §5.3. With Authorization: DPoP also ' +
      'invalid_dpop_proof and use_dpop_nonce (RFC 9449 §7.1, §9). Challenges for both schemes are ' +
      'sent: WWW-Authenticate: Bearer ... and DPoP ... algs="..."',
  ],
  [403, 'insufficient_scope: the access token was not granted the openid scope (RFC 6750 §3.1)'],
];

/**
 * The OpenID Connect UserInfo endpoint (OIDC Core §5.3), protected by a Bearer access token
 * (RFC 6750) with the `openid` scope. Claims follow the granted scopes (OIDC Core §5.4).
 */
@ApiTags('OAuth')
@ApiBearerAuth(ACCESS_TOKEN_SCHEME)
@Controller('oauth')
export class UserInfoController {
  constructor(
    private readonly accessTokens: AccessTokenService,
    private readonly users: UsersService,
    private readonly dpop: DpopProofService,
    @Inject(TOKEN_SETTINGS) private readonly settings: TokenSettings,
  ) {}

  @Get('userinfo')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Get user info',
    description:
      'OpenID Connect UserInfo endpoint. Uses Bearer Token authentication (an access token with the ' +
      'openid scope), returns flat UserInfo JSON (no code/message envelope): sub, plus profile claims ' +
      'with scope profile and email claims with scope email. See OpenID Connect Core 1.0 §5.3.',
  })
  @ApiOkResponse({
    description:
      'UserInfo response (contains OIDC standard claims such as sub, name, email, picture)',
    type: OIDCUserInfoResponse,
  })
  @ApiOAuthErrors(...USERINFO_ERRORS)
  get(
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<Record<string, unknown>> {
    return this.answer(req, res, false);
  }

  @Post('userinfo')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Get user info (POST)',
    description:
      'As GET /oauth/userinfo (OIDC Core §5.3.1 allows POST); the access token may also be sent as the ' +
      'form parameter access_token (RFC 6750 §2.2).',
  })
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiBody({ type: UserInfoRequest, required: false })
  @ApiOkResponse({ description: 'UserInfo response', type: OIDCUserInfoResponse })
  @ApiOAuthErrors(...USERINFO_ERRORS)
  post(
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<Record<string, unknown>> {
    return this.answer(req, res, true);
  }

  /**
   * Runs {@link userinfo} and gives its refusals the challenges of both schemes this endpoint accepts
   * (RFC 6750 §3, RFC 9449 §7.1). A request with a DPoP proof gets the current nonce (§9).
   */
  private async answer(
    req: Request,
    res: Response,
    allowBody: boolean,
  ): Promise<Record<string, unknown>> {
    if (req.headers.dpop !== undefined) res.setHeader(DPOP_NONCE_HEADER, this.dpop.currentNonce());
    try {
      return await this.userinfo(req, allowBody);
    } catch (e) {
      if (e instanceof OAuthError) throw withChallenges(e, isDpopScheme(req));
      throw e;
    }
  }

  private async userinfo(req: Request, allowBody = false): Promise<Record<string, unknown>> {
    const dpopToken = dpopSchemeToken(req);
    const token = dpopToken ?? bearerToken(req, allowBody);
    const active = await this.accessTokens.validate(token);
    if (!active || active.record.userId === null) {
      throw OAuthError.invalidToken('The access token is invalid, expired or revoked');
    }
    if (dpopToken !== undefined) {
      // RFC 9449 §7.1: `Authorization: DPoP` with a proof for this request that names the token (`ath`)
      // and is signed by the key the token is bound to (`cnf.jkt`).
      const proof = await this.dpop.verify(
        req.headersDistinct.dpop,
        req.method,
        this.settings.apiUrl('/oauth/userinfo'),
        token,
      );
      if (!proof) throw invalidDpopProof('A DPoP proof is required with the DPoP scheme');
      const cnf = active.claims.cnf as { jkt?: unknown } | undefined;
      if (!isDpopBound(active.claims) || cnf?.jkt !== proof.jkt) {
        throw OAuthError.invalidToken('The access token is not bound to the key of the DPoP proof');
      }
    } else if (isDpopBound(active.claims)) {
      // RFC 9449 §7.1: a DPoP-bound token is not a bearer token; presented as one, it is refused.
      throw OAuthError.invalidToken('This access token is DPoP-bound and cannot be used as Bearer');
    }
    // RFC 8707 / RFC 9068 §4: a token for another resource is not valid here.
    const aud = ([] as string[]).concat(active.claims.aud ?? []);
    if (
      !aud.includes(this.settings.issuer) &&
      !aud.includes(this.settings.apiUrl('/oauth/userinfo'))
    ) {
      throw OAuthError.invalidToken('The access token is not meant for the UserInfo endpoint');
    }
    const scopes = active.record.scopes;
    // OIDC Core §5.3: UserInfo needs an access token obtained with the openid scope.
    if (!scopes.includes('openid')) {
      throw OAuthError.insufficientScope('The access token lacks the openid scope');
    }
    const user = await this.users.findById(active.record.userId);
    if (!user) throw OAuthError.invalidToken('The user of this access token no longer exists');
    return { ...this.users.claimsFor(user, scopes), sub: active.record.userId };
  }
}

/**
 * The access token of a protected-resource request: `Authorization: Bearer` (RFC 6750 §2.1), or, for a
 * form POST, the `access_token` body parameter (§2.2). Using both is `invalid_request` (§2); none, or a
 * malformed header, is 401 `invalid_token` with the Bearer challenge (§3.1).
 */
function bearerToken(req: Request, allowBody: boolean): string {
  const header = req.headers.authorization;
  const body = req.body as Record<string, unknown> | undefined;
  const fromBody =
    allowBody && req.is('application/x-www-form-urlencoded') ? body?.access_token : undefined;
  if (fromBody !== undefined && typeof fromBody !== 'string') {
    throw OAuthError.invalidRequest('access_token must appear once');
  }
  if (header !== undefined) {
    if (fromBody !== undefined) {
      throw OAuthError.invalidRequest('The access token must be sent in exactly one way');
    }
    return requireBearerToken(header);
  }
  if (fromBody) return fromBody;
  throw OAuthError.invalidToken('An access token is required');
}

/** RFC 9449 §7.1: the `algs` parameter of the DPoP challenge, the algorithms accepted for proofs. */
const DPOP_ALGS_PARAM = `algs="${DPOP_SIGNING_ALGS.join(' ')}"`;

/** Errors of the DPoP proof itself: at a protected resource 401 with the DPoP challenge (RFC 9449 §7.1, §9). */
const PROOF_ERRORS = new Set(['invalid_dpop_proof', 'use_dpop_nonce']);

/** Whether the request uses `Authorization: DPoP` (RFC 9449 §7.1). */
function isDpopScheme(req: Request): boolean {
  return /^DPoP /i.test(req.headers.authorization ?? '');
}

/**
 * `err` with the `WWW-Authenticate` challenges of a resource that takes both Bearer (RFC 6750 §3) and
 * DPoP (RFC 9449 §7.1) tokens: the scheme the request used names the error, the other is offered bare
 * (DPoP with its `algs`). A refused proof is 401 here, not the token endpoint's 400. The challenge with
 * parameters comes first: some parsers stop at a bare scheme followed by a comma.
 */
function withChallenges(err: OAuthError, dpopScheme: boolean): OAuthError {
  const proofError = PROOF_ERRORS.has(err.error);
  if (err.status !== 401 && err.status !== 403 && !proofError) return err;
  const status = proofError ? 401 : err.status;
  const params = [`error="${err.error}"`];
  if (err.description) params.push(`error_description="${err.description.replace(/["\\]/g, '')}"`);
  const challenges =
    dpopScheme || proofError
      ? [`DPoP ${[...params, DPOP_ALGS_PARAM].join(', ')}`, 'Bearer']
      : [`Bearer ${params.join(', ')}`, `DPoP ${DPOP_ALGS_PARAM}`];
  const { 'WWW-Authenticate': _previous, ...headers } = err.headers;
  return new OAuthError(err.error, status, err.description, {
    ...headers,
    'WWW-Authenticate': challenges,
  });
}

/** The token of `Authorization: DPoP <token>` (RFC 9449 §7.1), or undefined for any other scheme. */
function dpopSchemeToken(req: Request): string | undefined {
  const token = schemeCredentials(req.headers.authorization, 'DPoP');
  if (token === null) throw OAuthError.invalidToken('The Authorization header is not a DPoP token');
  return token;
}
