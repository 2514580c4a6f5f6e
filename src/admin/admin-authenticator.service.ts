import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import type { AuditActor } from '../audit/index.js';
import { ADMIN_SCOPE } from '../client-registration/index.js';
import { OAuthError } from '../common/errors/oauth-error.js';
import { requireBearerToken } from '../common/oauth/authorization-header.js';
import { AccessTokenService } from '../token/index.js';
import { UsersService } from '../users/index.js';

/** Who called an admin endpoint: an administrator (user) or an operator-created client. */
export interface AdminPrincipal {
  actor: AuditActor & { type: 'admin_user' | 'client'; id: string };
  /** The client the access token was issued to. */
  clientId: string;
  /** The token's `jti`. */
  tokenId: string;
}

/**
 * Authenticates callers of the administration API: an RFC 9068 access token issued by this server
 * (signature, `typ`, issuer audience, not expired, not revoked, its client still active — the checks of
 * userinfo and introspection), whose scope contains `admin`, held by a user who has the `admin` role now,
 * or by a client an operator gave admin access. Everything is read from the database on each request, so
 * revoking the token, suspending the client or removing the role takes effect at once on every instance.
 */
@Injectable()
export class AdminAuthenticator {
  constructor(
    private readonly accessTokens: AccessTokenService,
    private readonly users: UsersService,
  ) {}

  /** The principal of `req`, or 401 `invalid_token` / 403 `insufficient_scope` (RFC 6750 §3.1). */
  async authenticate(req: Request): Promise<AdminPrincipal> {
    const token = requireBearerToken(req.headers.authorization);
    const active = await this.accessTokens.validate(token);
    if (!active) throw OAuthError.invalidToken('The access token is invalid, expired or revoked');
    // RFC 8707 / RFC 9068 §4: a token minted for another resource is not valid here.
    const aud = ([] as string[]).concat(active.claims.aud ?? []);
    if (!aud.includes(this.accessTokens.issuer)) {
      throw OAuthError.invalidToken('The access token is not meant for this server');
    }
    if (!active.record.scopes.includes(ADMIN_SCOPE)) {
      throw OAuthError.insufficientScope('The access token lacks the admin scope');
    }
    const userId = active.record.userId;
    if (userId !== null) {
      if (!(await this.users.hasRole(userId, 'admin'))) {
        throw OAuthError.insufficientScope('The user does not have the admin role');
      }
      return {
        actor: { type: 'admin_user', id: userId },
        clientId: active.client.clientId,
        tokenId: active.record.jti,
      };
    }
    if (!active.client.adminAccess) {
      throw OAuthError.insufficientScope('The client does not have admin access');
    }
    return {
      actor: { type: 'client', id: active.client.clientId },
      clientId: active.client.clientId,
      tokenId: active.record.jti,
    };
  }
}
