import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, IsNull, MoreThan, type EntityManager } from 'typeorm';
import { nowSeconds } from '../common/crypto/tokens.js';
import { AccessTokenEntity } from './entities/access-token.entity.js';
import { AuthorizationCodeEntity } from './entities/authorization-code.entity.js';
import { RefreshTokenEntity } from './entities/refresh-token.entity.js';

/** How many live tokens one revocation ended (the reference's `BatchRevokeUserTokensResponse`). */
export interface RevokedTokenCounts {
  accessTokens: number;
  refreshTokens: number;
  /** The clients whose tokens were revoked (for their audit trail), sorted. */
  clientIds: string[];
}

/**
 * Ends what a user holds: every access and refresh token of the user (optionally only those of one
 * client), and the authorization codes not yet redeemed, so none can be turned into a new token. Used by
 * a revoked consent, the admin batch revocation and the internal GDPR cascade.
 *
 * Takes effect at once on every instance: access tokens are checked against their `access_tokens` row
 * and refresh tokens against theirs on every use (RFC 7009 §2: "the authorization server invalidates the
 * token immediately"). Each call is idempotent: it counts only tokens it changed, so a second call
 * reports zero.
 */
@Injectable()
export class UserTokensService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Revokes the user's live tokens (of `clientId` only, when given) in one transaction, `manager`'s if
   * the caller has one (e.g. to delete a consent in the same transaction).
   */
  async revoke(
    userId: string,
    opts: { clientId?: string; manager?: EntityManager; now?: number } = {},
  ): Promise<RevokedTokenCounts> {
    const now = opts.now ?? nowSeconds();
    const run = async (m: EntityManager): Promise<RevokedTokenCounts> => {
      const scope = opts.clientId ? { userId, clientId: opts.clientId } : { userId };
      const clients = new Set<string>();
      for (const entity of [AccessTokenEntity, RefreshTokenEntity] as const) {
        const q = m
          .createQueryBuilder(entity, 't')
          .select('DISTINCT t.client_id', 'client_id')
          .where('t.user_id = :userId', { userId })
          .andWhere('t.revoked_at IS NULL')
          .andWhere('t.expires_at > :now', { now });
        if (opts.clientId) q.andWhere('t.client_id = :clientId', { clientId: opts.clientId });
        if (entity === RefreshTokenEntity) q.andWhere('t.rotated_at IS NULL');
        for (const r of await q.getRawMany<{ client_id: string }>()) clients.add(r.client_id);
      }
      // Expired tokens are dead already and rotated refresh tokens are refused (and, presented again,
      // revoke their family): neither is counted as revoked.
      const access = await m.update(
        AccessTokenEntity,
        {
          ...scope,
          revokedAt: IsNull(),
          expiresAt: MoreThan(now),
        },
        { revokedAt: now },
      );
      const refresh = await m.update(
        RefreshTokenEntity,
        {
          ...scope,
          revokedAt: IsNull(),
          rotatedAt: IsNull(),
          expiresAt: MoreThan(now),
        },
        { revokedAt: now },
      );
      // A code issued a moment ago must not become a fresh token after the revocation: mark it used.
      // Presenting it later is then a replay, which revokes whatever it had issued (nothing).
      await m.update(
        AuthorizationCodeEntity,
        { ...scope, consumedAt: IsNull() },
        { consumedAt: now },
      );
      return {
        accessTokens: access.affected ?? 0,
        refreshTokens: refresh.affected ?? 0,
        clientIds: [...clients].sort(),
      };
    };
    return opts.manager ? run(opts.manager) : this.dataSource.transaction(run);
  }
}
