import { Inject, Injectable } from '@nestjs/common';
import type { RegisteredClient } from '../client-registration/index.js';
import { ClientsService } from '../client-registration/index.js';
import { nowSeconds } from '../common/crypto/tokens.js';
import { UsersService } from '../users/index.js';
import { AccessTokenService } from './access-token.service.js';
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
      token_type?: 'Bearer';
      aud?: string | string[];
      jti?: string;
      username?: string;
    };

const INACTIVE = { active: false } as const;

/**
 * Token introspection (RFC 7662) and revocation (RFC 7009) for access tokens (JWT, by `jti`) and refresh
 * tokens (by hash). Introspection answers any authenticated client of this server (RFC 7662 §2.1 leaves
 * the policy to the server), and `{active: false}` for anything expired, revoked, unknown, malformed, or
 * belonging to a deleted client, without saying which (RFC 7662 §2.2).
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

  /** RFC 7662 §2.2. `hint` only orders the lookups (RFC 7662 §2.1 `token_type_hint`). */
  async introspect(token: string, hint?: string): Promise<IntrospectionBody> {
    const access = () => this.access(token);
    const refresh = () => this.refresh(token);
    const order =
      hint === 'refresh_token' || token.startsWith('rt_') ? [refresh, access] : [access, refresh];
    for (const lookup of order) {
      const body = await lookup();
      if (body) return body;
    }
    return INACTIVE;
  }

  private async access(token: string): Promise<IntrospectionBody | null> {
    const active = await this.accessTokens.validate(token);
    if (!active) return null;
    const { claims, record } = active;
    const body: IntrospectionBody = {
      active: true,
      scope: claims.scope,
      client_id: claims.client_id,
      sub: claims.sub,
      exp: record.expiresAt,
      iat: record.issuedAt,
      iss: this.settings.issuer,
      token_type: 'Bearer',
      aud: claims.aud,
      jti: claims.jti,
    };
    const username = record.userId ? await this.username(record.userId) : undefined;
    if (username) body.username = username;
    return body;
  }

  private async refresh(token: string): Promise<IntrospectionBody | null> {
    const row = await this.refreshTokens.find(token);
    if (!row || row.revokedAt !== null || row.rotatedAt !== null) return null;
    if (row.expiresAt <= nowSeconds()) return null;
    if (!(await this.clients.findActiveById(row.clientId))) return null;
    const body: IntrospectionBody = {
      active: true,
      scope: row.scopes.join(' '),
      client_id: row.clientId,
      sub: row.userId,
      exp: row.expiresAt,
      iat: row.issuedAt,
      iss: this.settings.issuer,
    };
    const username = await this.username(row.userId);
    if (username) body.username = username;
    return body;
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
