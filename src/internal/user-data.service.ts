import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditService, type AuditActor } from '../audit/index.js';
import { ConsentsService, LoginSessionsService } from '../authorize/index.js';
import { UserTokensService, type RevokedTokenCounts } from '../token/index.js';

/** What the erasure cascade removed (zero everywhere on a repeated call). */
export interface ErasureCounts extends RevokedTokenCounts {
  consents: number;
  loginSessions: number;
}

/** Who asked, for the log and the audit trail. */
export type UserDataActor = AuditActor;

/**
 * The audit operation (and event) written on each client whose tokens of one user were revoked by an
 * administrator or the erasure cascade; its changes name the user and the counts, never a token.
 */
export const CLIENT_USER_TOKENS_REVOKED = 'client.user_tokens_revoked';

/**
 * What this server holds for one user, ended on request: every token (the admin batch revocation, O42),
 * or tokens, remembered consents and login sessions together (the GDPR erasure cascade, O52, that an
 * identity service calls on password change, lock-out or account deletion). Each run is one transaction
 * and idempotent: a repeated call succeeds and reports zero.
 */
@Injectable()
export class UserDataService {
  private readonly logger = new Logger(UserDataService.name);

  constructor(
    private readonly audit: AuditService,
    private readonly tokens: UserTokensService,
    private readonly consents: ConsentsService,
    private readonly sessions: LoginSessionsService,
  ) {}

  /** Revokes every access and refresh token of the user (and pending codes), for every client. */
  async revokeTokens(userId: string, actor: UserDataActor): Promise<RevokedTokenCounts> {
    const counts = await this.audit.transaction(async (m) => {
      const revoked = await this.tokens.revoke(userId, { manager: m });
      await this.record(m, userId, actor, revoked.clientIds, {});
      return revoked;
    });
    this.logger.log(
      `Revoked the tokens of user ${userId} for ${actor.type} ${actor.id ?? ''}: ` +
        `${counts.accessTokens} access, ${counts.refreshTokens} refresh`,
    );
    return counts;
  }

  /**
   * The erasure cascade: revokes every token, deletes every consent and every login session of the user,
   * in one transaction (all or nothing).
   */
  async erase(userId: string, actor: UserDataActor): Promise<ErasureCounts> {
    const counts = await this.audit.transaction(async (m) => {
      const revoked = await this.tokens.revoke(userId, { manager: m });
      const consents = await this.consents.deleteAllForUser(userId, m);
      const loginSessions = await this.sessions.deleteAllForUser(userId, m);
      await this.record(m, userId, actor, revoked.clientIds, { reason: { to: 'erasure' } });
      return { ...revoked, consents, loginSessions };
    });
    this.logger.log(
      `Erased the OAuth data of user ${userId} for ${actor.type} ${actor.id ?? ''}: ` +
        `${counts.accessTokens} access tokens, ${counts.refreshTokens} refresh tokens, ` +
        `${counts.consents} consents, ${counts.loginSessions} login sessions`,
    );
    return counts;
  }

  /**
   * One audit entry per client that lost tokens, in the revocation's transaction: a repeated call, which
   * revokes nothing, writes nothing.
   */
  private async record(
    m: EntityManager,
    userId: string,
    actor: AuditActor,
    clientIds: string[],
    extra: Record<string, { to: unknown }>,
  ): Promise<void> {
    for (const clientId of clientIds) {
      await this.audit.record(m, {
        clientId,
        actor,
        operation: CLIENT_USER_TOKENS_REVOKED,
        changes: { user_id: { to: userId }, ...extra },
      });
    }
  }
}
