import { Inject, Injectable } from '@nestjs/common';
import type { RegisteredClient } from '../client-registration/index.js';
import { ClientsService } from '../client-registration/index.js';
import { nowSeconds } from '../common/crypto/tokens.js';
import { UsersService } from '../users/index.js';
import { AccessTokenService, isDpopBound } from './access-token.service.js';
import { RefreshTokenService } from './refresh-token.service.js';
import { TOKEN_SETTINGS } from './token.constants.js';
import type { TokenSettings } from './token.options.js';

/** RFC 7662 §2.2 introspection response; inactive tokens are exactly `{ active: false }`. */
export type IntrospectionBody =
  | { active: false }
  | {
      active: true;
      scope: string;
      client_id: string;
      sub: string;
      exp: number;
      iat: number;
      iss: string;
      token_type?: 'Bearer' | 'DPoP';
      aud?: string | string[];
      jti?: string;
      username?: string;
      /** RFC 9449 §6.2: the DPoP key a bound access token is confirmed by. */
      cnf?: { jkt: string };
    };

const INACTIVE = { active: false } as const;

/** An active token as introspection sees it, before it is rendered for one audience. */
export interface ActiveTokenInfo {
  type: 'access_token' | 'refresh_token';
  clientId: string;
  /** The resource owner; null for `client_credentials` access tokens. */
  userId: string | null;
  scope: string;
  exp: number;
  iat: number;
  aud?: string | string[];
  jti?: string;
  /** RFC 9449 §6.1: thumbprint of the DPoP key a bound access token is confirmed by. */
  dpopJkt?: string;
}

/**
 * Token introspection (RFC 7662) and revocation (RFC 7009) for access tokens (JWT, by `jti`) and refresh
 * tokens (by hash). RFC 7662 §2.1 leaves the caller's authorization to the server, and §4 warns that an
 * open introspection endpoint tells anyone whether a stolen token is live: a client learns about its own
 * tokens only, unless an operator granted it the right to introspect any token (a resource server,
 * `introspectAnyToken`). Everything else — expired, revoked, unknown, malformed, another client's, or
 * belonging to a deleted client — is `{active: false}`, without saying which (RFC 7662 §2.2).
 */
@Injectable()
export class TokenIntrospectionService {
  constructor(
    private readonly accessTokens: AccessTokenService,
    private readonly refreshTokens: RefreshTokenService,
    private readonly clients: ClientsService,
    private readonly users: UsersService,
    @Inject(TOKEN_SETTINGS) private readonly settings: TokenSettings,
  ) {}

  /**
   * RFC 7662 §2.2 for the authenticated client `caller`. `hint` only orders the lookups (RFC 7662 §2.1
   * `token_type_hint`). Introspecting never changes a token: a rotated or foreign refresh token is
   * reported inactive, it does not trigger reuse detection.
   */
  async introspect(
    token: string,
    hint: string | undefined,
    caller: RegisteredClient,
  ): Promise<IntrospectionBody> {
    // RFC 7662 §4: only the client the token was issued to, or a client the operator trusts with every
    // token (a resource server), may learn anything about it (issue 7 item 4).
    const info = await this.find(
      token,
      hint,
      (clientId) => (caller.introspectAnyToken ? true : clientId === caller.clientId),
      caller,
    );
    if (!info) return INACTIVE;
    const body: IntrospectionBody = {
      active: true,
      scope: info.scope,
      client_id: info.clientId,
      sub: info.userId ?? info.clientId,
      exp: info.exp,
      iat: info.iat,
      iss: this.settings.issuer,
    };
    if (info.type === 'access_token') {
      body.token_type = info.dpopJkt === undefined ? 'Bearer' : 'DPoP';
      body.aud = info.aud;
      body.jti = info.jti;
      // RFC 9449 §6.2: the resource server needs the key to check the proofs that come with the token.
      if (info.dpopJkt !== undefined) body.cnf = { jkt: info.dpopJkt };
    }
    const username = info.userId ? await this.username(info.userId) : undefined;
    if (username) body.username = username;
    return body;
  }

  /**
   * The active token `token`, for a trusted server-side caller (the internal API, authenticated by an
   * API key) or, with `mayLearn`, for a caller allowed to learn only about some clients' tokens; null
   * when it is not active or `mayLearn` refuses its client. Reads only: nothing is revoked or rotated.
   * `caller`: the client this request authenticated (read as active by this request), whose own tokens
   * need no second read of the client.
   */
  async find(
    token: string,
    hint?: string,
    mayLearn: (clientId: string) => boolean = () => true,
    caller?: RegisteredClient,
  ): Promise<ActiveTokenInfo | null> {
    const access = () => this.access(token, mayLearn, caller);
    const refresh = () => this.refresh(token, mayLearn, caller);
    const order =
      hint === 'refresh_token' || token.startsWith('rt_') ? [refresh, access] : [access, refresh];
    for (const lookup of order) {
      const info = await lookup();
      if (info) return info;
    }
    return null;
  }

  private async access(
    token: string,
    mayLearn: (clientId: string) => boolean,
    caller: RegisteredClient | undefined,
  ): Promise<ActiveTokenInfo | null> {
    const active = await this.accessTokens.validate(token, caller);
    if (!active || !mayLearn(active.record.clientId)) return null;
    const { claims, record } = active;
    return {
      type: 'access_token',
      clientId: record.clientId,
      userId: record.userId,
      scope: claims.scope,
      exp: record.expiresAt,
      iat: record.issuedAt,
      aud: claims.aud,
      jti: claims.jti,
      dpopJkt: isDpopBound(claims) ? (claims.cnf as { jkt: string }).jkt : undefined,
    };
  }

  private async refresh(
    token: string,
    mayLearn: (clientId: string) => boolean,
    caller: RegisteredClient | undefined,
  ): Promise<ActiveTokenInfo | null> {
    const row = await this.refreshTokens.find(token);
    if (!row || row.revokedAt !== null || row.rotatedAt !== null) return null;
    if (row.expiresAt <= nowSeconds() || !mayLearn(row.clientId)) return null;
    // The caller was read as active by this request; another client is read now.
    const active =
      caller?.clientId === row.clientId || (await this.clients.findActiveById(row.clientId));
    if (!active) return null;
    return {
      type: 'refresh_token',
      clientId: row.clientId,
      userId: row.userId,
      scope: row.scopes.join(' '),
      exp: row.expiresAt,
      iat: row.issuedAt,
    };
  }

  private async username(userId: string): Promise<string | undefined> {
    const user = await this.users.findById(userId);
    return user?.username;
  }

  /**
   * RFC 7009 §2.1: revokes `token` when it was issued to `client`. A refresh token ends its whole grant
   * (its family and the access tokens issued from it); an access token ends alone. Unknown tokens and
   * tokens of other clients change nothing, and the caller answers 200 either way (RFC 7009 §2.2).
   */
  async revoke(token: string, client: RegisteredClient, hint?: string): Promise<void> {
    const tryRefresh = async () => {
      const row = await this.refreshTokens.find(token);
      if (!row) return false;
      if (row.clientId === client.clientId) await this.refreshTokens.revokeFamily(row.familyId);
      return true;
    };
    const tryAccess = async () => {
      const active = await this.accessTokens.validate(token);
      if (!active) return false;
      if (active.record.clientId === client.clientId) {
        await this.accessTokens.revokeByJti(active.record.jti);
      }
      return true;
    };
    const order = hint === 'access_token' ? [tryAccess, tryRefresh] : [tryRefresh, tryAccess];
    for (const attempt of order) if (await attempt()) return;
  }
}
