import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { ConsentsService, LoginSessionsService } from '../authorize/index.js';
import { UserTokensService, type RevokedTokenCounts } from '../token/index.js';

/** What the erasure cascade removed (zero everywhere on a repeated call). */
export interface ErasureCounts extends RevokedTokenCounts {
  consents: number;
  loginSessions: number;
}

/** Who asked, for the log and the audit trail. */
export interface UserDataActor {
  type: 'admin_user' | 'client' | 'api_key';
  id: string;
}

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
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tokens: UserTokensService,
    private readonly consents: ConsentsService,
    private readonly sessions: LoginSessionsService,
  ) {}

  /** Revokes every access and refresh token of the user (and pending codes), for every client. */
  async revokeTokens(userId: string, actor: UserDataActor): Promise<RevokedTokenCounts> {
    const counts = await this.tokens.revoke(userId);
    this.logger.log(
      `Revoked the tokens of user ${userId} for ${actor.type} ${actor.id}: ` +
        `${counts.accessTokens} access, ${counts.refreshTokens} refresh`,
    );
    return counts;
  }

  /**
   * The erasure cascade: revokes every token, deletes every consent and every login session of the user,
   * in one transaction (all or nothing).
   */
  async erase(userId: string, actor: UserDataActor): Promise<ErasureCounts> {
    const counts = await this.dataSource.transaction(async (m) => {
      const revoked = await this.tokens.revoke(userId, { manager: m });
      const consents = await this.consents.deleteAllForUser(userId, m);
      const loginSessions = await this.sessions.deleteAllForUser(userId, m);
      return { ...revoked, consents, loginSessions };
    });
    this.logger.log(
      `Erased the OAuth data of user ${userId} for ${actor.type} ${actor.id}: ` +
        `${counts.accessTokens} access tokens, ${counts.refreshTokens} refresh tokens, ` +
        `${counts.consents} consents, ${counts.loginSessions} login sessions`,
    );
    return counts;
  }
}
