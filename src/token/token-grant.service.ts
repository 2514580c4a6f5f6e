import { isGrantType, type GrantType } from '../common/oauth/grant-types.js';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import {
  ADMIN_SCOPE,
  ClientsService,
  type RegisteredClient,
} from '../client-registration/index.js';
import { Clock } from '../common/time/clock.js';
import { isRegisteredRedirectUri } from '../common/oauth/redirect-uri.js';
import { nowSeconds, safeEqual, sha256Base64Url } from '../common/crypto/tokens.js';
import { OAuthError } from '../common/errors/oauth-error.js';
import { parseResourceIndicators } from '../common/validation/resource.js';
import { UsersService, type User } from '../users/index.js';
import { AccessTokenService } from './access-token.service.js';
import { AuthorizationCodeService } from './authorization-code.service.js';
import type { ClientAuthenticationResult } from './client-authentication.service.js';
import { invalidDpopProof, type VerifiedDpopProof } from './dpop-proof.service.js';
import { IdTokenService } from './id-token.service.js';
import { RefreshTokenService } from './refresh-token.service.js';
import { ResourceIndicatorPolicy } from './resource-indicator-policy.service.js';
import { parseScope, type TokenParams } from './token-params.js';
import { TokenPurgeService } from './token-purge.service.js';

/** Grant types this token endpoint implements (RFC 6749 §4.1.3, §4.4.2, §6): `common/oauth`'s list. */
export type SupportedGrantType = GrantType;

/** Scopes that only make sense with a user, so never for `client_credentials`. */
const USER_ONLY_SCOPES = ['openid', 'offline_access'];

/**
 * Whether an authorization_code exchange issues a refresh token. The client must be registered for the
 * `refresh_token` grant (RFC 6749 §1.5, RFC 7591 §2); an OpenID Connect request (`openid` granted) gets
 * one only when `offline_access` was requested and granted too (OIDC Core §11: offline access is asked
 * for, and consented to, by name; the consent page lists it). Plain OAuth requests keep the RFC 6749
 * rule: the grant type alone decides.
 */
export function issuesRefreshToken(
  client: Pick<RegisteredClient, 'grantTypes'>,
  grantedScopes: readonly string[],
): boolean {
  if (!client.grantTypes.includes('refresh_token')) return false;
  return !grantedScopes.includes('openid') || grantedScopes.includes('offline_access');
}

/** RFC 7636 §4.1: code_verifier = 43*128 unreserved characters. */
const CODE_VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;

/** The successful token response (RFC 6749 §5.1, OpenID Connect Core §3.1.3.3). */
export interface TokenResponseBody {
  access_token: string;
  /** `DPoP` when the access token is bound to a DPoP key (RFC 9449 §5). */
  token_type: 'Bearer' | 'DPoP';
  expires_in: number;
  scope: string;
  refresh_token?: string;
  id_token?: string;
}

/**
 * The grants of the token endpoint. Each is allowed only for clients registered with it (RFC 7591 §2
 * `grant_types`; otherwise `unauthorized_client`), and the client is the one just authenticated, read
 * from the database on this request.
 */
@Injectable()
export class TokenGrantService {
  private readonly logger = new Logger(TokenGrantService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly codes: AuthorizationCodeService,
    private readonly accessTokens: AccessTokenService,
    private readonly refreshTokens: RefreshTokenService,
    private readonly idTokens: IdTokenService,
    private readonly users: UsersService,
    private readonly purge: TokenPurgeService,
    private readonly resources: ResourceIndicatorPolicy,
    private readonly clients: ClientsService,
    private readonly clock: Clock,
  ) {}

  /** Reads and checks `grant_type` (RFC 6749 §4.1.3, §5.2) before any client authentication. */
  static grantType(params: TokenParams): SupportedGrantType {
    const grantType = params.require('grant_type');
    if (!isGrantType(grantType)) {
      throw OAuthError.unsupportedGrantType(`Unsupported grant_type: ${grantType.slice(0, 80)}`);
    }
    return grantType;
  }

  /**
   * Runs `grantType` for an authenticated client.
   * @param dpop the verified DPoP proof of the request (RFC 9449 §5), if any: the access token is then
   *   bound to its key, and a public client's refresh token too.
   */
  async grant(
    grantType: SupportedGrantType,
    params: TokenParams,
    auth: ClientAuthenticationResult,
    dpop: VerifiedDpopProof | null = null,
  ): Promise<TokenResponseBody> {
    const { client } = auth;
    if (!client.grantTypes.includes(grantType)) {
      throw OAuthError.unauthorizedClient(
        `The client is not registered for the ${grantType} grant`,
      );
    }
    const audience = parseResources(params);
    let res: TokenResponseBody;
    switch (grantType) {
      case 'authorization_code':
        res = await this.authorizationCode(params, client, audience, dpop);
        break;
      case 'refresh_token':
        res = await this.refreshToken(params, client, audience, dpop);
        break;
      case 'client_credentials':
        res = await this.clientCredentials(params, client, audience, dpop);
        break;
    }
    this.purge.maybePurge();
    await this.recordUsage(client);
    return res;
  }

  /**
   * Records when the client last obtained a token (idle-client reaping reads it). At most one small
   * UPDATE a minute per client; a failure is logged, never turned into a failed token response.
   */
  private async recordUsage(client: RegisteredClient): Promise<void> {
    try {
      await this.clients.recordTokenIssued(client, this.clock.nowSeconds());
    } catch (e) {
      this.logger.warn(
        `Could not record the last token time of client ${client.clientId}: ${String(e)}`,
      );
    }
  }

  /** RFC 6749 §4.1.3 with RFC 7636 §4.5-4.6 (PKCE). */
  private async authorizationCode(
    params: TokenParams,
    client: RegisteredClient,
    audience: string[] | null,
    dpop: VerifiedDpopProof | null,
  ): Promise<TokenResponseBody> {
    const code = params.require('code');
    const redirectUri = params.get('redirect_uri');
    const verifier = params.get('code_verifier');
    if (verifier !== undefined && !CODE_VERIFIER.test(verifier)) {
      throw OAuthError.invalidRequest(
        'code_verifier must be 43-128 characters of [A-Za-z0-9._~-] (RFC 7636 §4.1)',
      );
    }
    const stored = await this.codes.find(code);
    if (!stored) throw OAuthError.invalidGrant('The authorization code is invalid');
    // RFC 6749 §4.1.3: the code was issued to the client just authenticated (or, for a public client,
    // named by client_id). Checked before replay detection: a leaked used code presented by anyone else
    // must not revoke the victim's grant (issue 7 item 6).
    if (stored.clientId !== client.clientId) {
      throw OAuthError.invalidGrant('The authorization code was issued to another client');
    }
    // RFC 7636 §4.6 (S256 only) and RFC 9700 §2.1.1. Also before replay detection: a public client's
    // authentication is its client_id alone, so only the holder of the verifier proves it is the client.
    if (stored.codeChallenge !== null) {
      if (verifier === undefined) {
        throw OAuthError.invalidGrant('code_verifier is required (PKCE, RFC 7636 §4.5)');
      }
      if (!safeEqual(sha256Base64Url(verifier), stored.codeChallenge)) {
        throw OAuthError.invalidGrant('code_verifier does not match the code_challenge');
      }
    } else if (verifier !== undefined) {
      throw OAuthError.invalidGrant('code_verifier sent but the authorization request had no PKCE');
    } else if (client.isPublic) {
      throw OAuthError.invalidGrant('Public clients must use PKCE');
    }
    // RFC 9449 §10: a code bound to a DPoP key (dpop_jkt, or the proof sent with the pushed request) is
    // redeemed only with a proof by that key. Before replay detection, as for PKCE: a stolen code
    // presented without the key must not revoke the victim's grant.
    if (stored.dpopJkt !== null) {
      if (!dpop) {
        throw invalidDpopProof(
          'This authorization code is bound to a DPoP key: a DPoP proof is required',
        );
      }
      if (dpop.jkt !== stored.dpopJkt) {
        throw OAuthError.invalidGrant('The authorization code is bound to another DPoP key');
      }
    }
    if (stored.consumedAt !== null) {
      // RFC 6749 §4.1.2: a code used twice is denied, and what the first use issued is revoked.
      await this.refreshTokens.revokeFamily(stored.grantId);
      this.logger.warn(`Authorization code replayed; grant ${stored.grantId} revoked`);
      throw OAuthError.invalidGrant('The authorization code has already been used');
    }
    if (stored.expiresAt <= nowSeconds()) {
      throw OAuthError.invalidGrant('The authorization code has expired');
    }
    // RFC 6749 §4.1.3: redirect_uri is required, and identical, when the authorization request had it.
    if (stored.redirectUriProvided && redirectUri === undefined) {
      throw OAuthError.invalidRequest('redirect_uri is required for this authorization code');
    }
    if (redirectUri !== undefined && redirectUri !== stored.redirectUri) {
      throw OAuthError.invalidGrant('redirect_uri does not match the authorization request');
    }
    // An update of redirect_uris since the code was issued takes effect at once (RFC 7592 §2.2); the
    // same matching rule as at /oauth/authorize (exact, or any port for native loopback URIs).
    if (!isRegisteredRedirectUri(client, stored.redirectUri)) {
      throw OAuthError.invalidGrant('The redirect URI is no longer registered for the client');
    }
    // RFC 8707 §2.2: when the authorization request named resources, the tokens are for those (or for
    // the subset named here) and nothing else; otherwise `resource` here alone sets the audience.
    const authorized = stored.resources;
    if (authorized && audience && !audience.every((a) => authorized.includes(a))) {
      throw new OAuthError(
        'invalid_target',
        400,
        'The requested resource was not part of the authorization request',
      );
    }
    audience = audience ?? authorized;
    // The allow-list may have changed since the authorization request: checked again here.
    this.resources.assertAllowed(client, audience);
    const user = await this.users.findById(stored.userId);
    if (!user) throw OAuthError.invalidGrant('The resource owner no longer exists');
    // Registration updates take effect at once: scopes the client lost since are not issued; nor is
    // `admin` to a user who does not have the admin role (issue 8; RFC 6749 §3.3 lets us grant less).
    const scopes = withoutUnearnedAdmin(
      stored.scopes.filter((s) => client.scopes.includes(s)),
      user,
    );

    const access = await this.accessTokens.mint({
      clientId: client.clientId,
      userId: stored.userId,
      familyId: stored.grantId,
      scopes,
      audience,
      authTime: stored.authTime,
      dpopJkt: dpop?.jkt,
    });
    const refresh = issuesRefreshToken(client, scopes)
      ? this.refreshTokens.mint({
          familyId: stored.grantId,
          clientId: client.clientId,
          userId: stored.userId,
          scopes,
          audience,
          authTime: stored.authTime,
          sid: stored.sid,
          // RFC 9449 §5: a public client's refresh token is bound to its DPoP key.
          dpopJkt: client.isPublic ? (dpop?.jkt ?? null) : null,
        })
      : null;
    const idToken = scopes.includes('openid')
      ? await this.idTokens.sign({
          userId: stored.userId,
          clientId: client.clientId,
          authTime: stored.authTime,
          nonce: stored.nonce,
          sid: stored.sid,
          accessToken: access.token,
          alg: client.idTokenSignedResponseAlg,
        })
      : undefined;

    // Consume and record in one transaction: the tokens exist only if this request won the code, and a
    // concurrent replay waits for the commit, then finds the tokens to revoke.
    const won = await this.dataSource.transaction(async (m) => {
      // Constant SQL through the transaction's runner (no query building on this hot path).
      const res = await m.queryRunner!.query(
        'UPDATE `authorization_codes` SET `consumed_at` = ? WHERE `code_hash` = ? AND `consumed_at` IS NULL',
        [nowSeconds(), stored.codeHash],
        true,
      );
      if ((res.affected ?? 0) !== 1) return false;
      await this.accessTokens.save(access.record, m);
      if (refresh) await this.refreshTokens.save(refresh.record, m);
      return true;
    });
    if (!won) {
      await this.refreshTokens.revokeFamily(stored.grantId);
      throw OAuthError.invalidGrant('The authorization code has already been used');
    }
    return tokenResponse(access.token, access.expiresIn, scopes, refresh?.token, idToken, dpop);
  }

  /** RFC 6749 §6 with rotation and reuse detection (RFC 9700 §4.14.2). */
  private async refreshToken(
    params: TokenParams,
    client: RegisteredClient,
    audience: string[] | null,
    dpop: VerifiedDpopProof | null,
  ): Promise<TokenResponseBody> {
    const presented = params.require('refresh_token');
    const requested = parseScope(params.get('scope'));
    const stored = await this.refreshTokens.find(presented);
    if (!stored) throw OAuthError.invalidGrant('The refresh token is invalid');
    // RFC 6749 §6: the refresh token is bound to the client it was issued to.
    if (stored.clientId !== client.clientId) {
      throw OAuthError.invalidGrant('The refresh token was issued to another client');
    }
    if (stored.revokedAt !== null) throw OAuthError.invalidGrant('The refresh token was revoked');
    if (stored.rotatedAt !== null) {
      // RFC 9700 §4.14.2: a rotated token presented again means one of two parties is an attacker.
      await this.refreshTokens.revokeFamily(stored.familyId);
      this.logger.warn(`Refresh token reused; family ${stored.familyId} revoked`);
      throw OAuthError.invalidGrant('The refresh token has already been used');
    }
    if (stored.expiresAt <= nowSeconds()) {
      throw OAuthError.invalidGrant('The refresh token has expired');
    }
    // RFC 9449 §5: a bound refresh token is used only with a proof signed by the key it is bound to.
    if (stored.dpopJkt !== null) {
      if (!dpop) {
        throw invalidDpopProof('This refresh token is DPoP-bound: a DPoP proof is required');
      }
      if (dpop.jkt !== stored.dpopJkt) {
        throw OAuthError.invalidGrant('The refresh token is bound to another DPoP key');
      }
    }
    // RFC 6749 §6: the scope may be narrowed, never widened.
    if (requested?.some((s) => !stored.scopes.includes(s))) {
      throw OAuthError.invalidScope('The requested scope exceeds the scope originally granted');
    }
    // RFC 8707 §2.2: a refresh may ask for a subset of the original resources only.
    const grantedAudience = stored.audience;
    if (audience && !audience.every((a) => grantedAudience?.includes(a))) {
      throw new OAuthError(
        'invalid_target',
        400,
        'The requested resource was not part of the original grant',
      );
    }
    // Also the audience the grant carries: a resource the operator has since disallowed ends the refreshes.
    this.resources.assertAllowed(client, audience ?? grantedAudience);
    const user = await this.users.findById(stored.userId);
    if (!user) throw OAuthError.invalidGrant('The resource owner no longer exists');
    const familyScopes = withoutUnearnedAdmin(
      stored.scopes.filter((s) => client.scopes.includes(s)),
      user,
    );
    const scopes = (requested ?? stored.scopes).filter((s) => familyScopes.includes(s));

    const access = await this.accessTokens.mint({
      clientId: client.clientId,
      userId: stored.userId,
      familyId: stored.familyId,
      scopes,
      audience: audience ?? grantedAudience,
      authTime: stored.authTime,
      dpopJkt: dpop?.jkt,
    });
    // RFC 6749 §6: the new refresh token keeps the scope of the one presented.
    const next = this.refreshTokens.mint({
      familyId: stored.familyId,
      clientId: client.clientId,
      userId: stored.userId,
      scopes: familyScopes,
      audience: grantedAudience,
      authTime: stored.authTime,
      sid: stored.sid,
      // The binding stays with the family; an unbound public client's family is bound from now on.
      dpopJkt: stored.dpopJkt ?? (client.isPublic ? (dpop?.jkt ?? null) : null),
    });
    const idToken = scopes.includes('openid')
      ? await this.idTokens.sign({
          userId: stored.userId,
          clientId: client.clientId,
          authTime: stored.authTime,
          // The session of the grant, as in the ID token of the code exchange.
          sid: stored.sid,
          accessToken: access.token,
          alg: client.idTokenSignedResponseAlg,
        })
      : undefined;
    const won = await this.dataSource.transaction(async (m) => {
      if (!(await this.refreshTokens.markRotated(m, stored.id, next.record.id))) return false;
      await this.refreshTokens.save(next.record, m);
      await this.accessTokens.save(access.record, m);
      return true;
    });
    if (!won) {
      // Another request rotated it first: the same token was used twice.
      await this.refreshTokens.revokeFamily(stored.familyId);
      throw OAuthError.invalidGrant('The refresh token has already been used');
    }
    return tokenResponse(access.token, access.expiresIn, scopes, next.token, idToken, dpop);
  }

  /** RFC 6749 §4.4: confidential clients only, for themselves. */
  private async clientCredentials(
    params: TokenParams,
    client: RegisteredClient,
    audience: string[] | null,
    dpop: VerifiedDpopProof | null,
  ): Promise<TokenResponseBody> {
    // RFC 6749 §4.4: "The client credentials grant type MUST only be used by confidential clients."
    if (client.isPublic) {
      throw OAuthError.unauthorizedClient('Public clients cannot use the client_credentials grant');
    }
    const allowed = client.scopes.filter((s) => !USER_ONLY_SCOPES.includes(s));
    const requested = parseScope(params.get('scope'));
    if (requested?.some((s) => !allowed.includes(s))) {
      throw OAuthError.invalidScope(
        'The requested scope is not registered for this client or needs a user',
      );
    }
    const scopes = requested ?? allowed;
    // RFC 8707 §2: the client names the resource; it must be one this client may obtain tokens for.
    this.resources.assertAllowed(client, audience);
    const access = await this.accessTokens.mint({
      clientId: client.clientId,
      userId: null,
      familyId: null,
      scopes,
      audience,
      dpopJkt: dpop?.jkt,
    });
    await this.accessTokens.save(access.record);
    return tokenResponse(access.token, access.expiresIn, scopes, undefined, undefined, dpop);
  }
}

/**
 * `scopes` without `admin` unless `user` has the admin role now (issue 8): a client allowed `admin` may
 * obtain it for administrators only; ordinary users signing in through it get the rest.
 */
function withoutUnearnedAdmin(scopes: string[], user: User): string[] {
  return user.roles.includes('admin') ? scopes : scopes.filter((s) => s !== ADMIN_SCOPE);
}

/** RFC 8707 §2: `resource` values are absolute URIs without a fragment; else `invalid_target`. */
function parseResources(params: TokenParams): string[] | null {
  return parseResourceIndicators(params.getAll('resource'));
}

function tokenResponse(
  accessToken: string,
  expiresIn: number,
  scopes: string[],
  refreshToken?: string,
  idToken?: string,
  dpop?: VerifiedDpopProof | null,
): TokenResponseBody {
  const body: TokenResponseBody = {
    access_token: accessToken,
    token_type: dpop ? 'DPoP' : 'Bearer',
    expires_in: expiresIn,
    scope: scopes.join(' '),
  };
  if (refreshToken) body.refresh_token = refreshToken;
  if (idToken) body.id_token = idToken;
  return body;
}
