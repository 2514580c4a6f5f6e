import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../common/time/clock.js';
import { AccessTokenEntity } from './entities/access-token.entity.js';
import { ClientTokenUsageEntity } from './entities/client-token-usage.entity.js';
import { RefreshTokenEntity } from './entities/refresh-token.entity.js';
import { TokenUsageRecorder } from './token-usage.recorder.js';

/** The longest grace period O41 accepts, seconds (a day): beyond it, revoking would not mean much. */
export const MAX_REVOCATION_GRACE_SECONDS = 86_400;

/** A client's token statistics (reference `dto.ClientStatsResponse`, plus issuance counts). */
export interface ClientUsageStats {
  clientId: string;
  /** Access tokens neither expired nor revoked. */
  activeAccessTokens: number;
  /** Refresh tokens neither expired, revoked nor rotated (the usable end of each grant). */
  activeRefreshTokens: number;
  /** Epoch seconds of the last access token issued to the client (within 30 days), or null. */
  lastRequestAt: number | null;
  /** Access tokens issued in the last 24 hours / 30 days, counted by the hour. */
  issuedLast24h: number;
  issuedLast30d: number;
}

/** One active token of a client: what it is, never its value or hash (reference `dto.OAuthTokenItem`). */
export interface ClientTokenItem {
  tokenId: string;
  tokenType: 'access_token' | 'refresh_token';
  /** The resource owner; null for a `client_credentials` token (its subject is the client). */
  userId: string | null;
  scopes: string[];
  issuedAt: number;
  expiresAt: number;
}

/** What {@link ClientUsageService.revokeAll} ended. */
export interface RevokedTokens {
  revokedAccessTokens: number;
  revokedRefreshTokens: number;
  gracePeriodSeconds: number;
}

/**
 * Usage of a client's tokens for the administration API (reference O39–O41): statistics, the list of its
 * active tokens, and revoking all of them. Reads and writes only TokenModule's tables.
 */
@Injectable()
export class ClientUsageService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly recorder: TokenUsageRecorder,
    private readonly clock: Clock,
  ) {}

  /** Statistics of one client (reference O39). This instance's pending counts are written first. */
  async stats(clientId: string): Promise<ClientUsageStats> {
    await this.recorder.flush();
    const now = this.clock.nowSeconds();
    const m = this.dataSource.manager;
    const activeAccessTokens = await m
      .createQueryBuilder(AccessTokenEntity, 'a')
      .where('a.client_id = :clientId', { clientId })
      .andWhere('a.revoked_at IS NULL')
      .andWhere('a.expires_at > :now', { now })
      .getCount();
    const activeRefreshTokens = await m
      .createQueryBuilder(RefreshTokenEntity, 'r')
      .where('r.client_id = :clientId', { clientId })
      .andWhere('r.revoked_at IS NULL AND r.rotated_at IS NULL')
      .andWhere('r.expires_at > :now', { now })
      .getCount();
    const hourNow = now - (now % 3600);
    const usage = await m
      .createQueryBuilder(ClientTokenUsageEntity, 'u')
      .select('MAX(u.last_issued_at)', 'last')
      // The current hour and the 23 before it: "the last 24 hours", counted by the hour.
      .addSelect('SUM(CASE WHEN u.hour_start > :day THEN u.issued ELSE 0 END)', 'day')
      .addSelect('SUM(u.issued)', 'month')
      .where('u.client_id = :clientId', { clientId })
      .andWhere('u.hour_start > :month', { month: hourNow - 30 * 24 * 3600 })
      .setParameter('day', hourNow - 24 * 3600)
      .getRawOne<{
        last: string | number | null;
        day: string | number | null;
        month: string | number | null;
      }>();
    return {
      clientId,
      activeAccessTokens,
      activeRefreshTokens,
      lastRequestAt: usage?.last === null || usage?.last === undefined ? null : Number(usage.last),
      issuedLast24h: Number(usage?.day ?? 0),
      issuedLast30d: Number(usage?.month ?? 0),
    };
  }

  /**
   * One page of the client's active tokens, access and refresh, newest first (reference O40). The
   * client's own tokens only (indexed by `client_id`); an OFFSET within them is bounded by what one client
   * holds at once.
   */
  async activeTokens(
    clientId: string,
    page: number,
    pageSize: number,
  ): Promise<{ items: ClientTokenItem[]; total: number }> {
    const now = this.clock.nowSeconds();
    const params = [clientId, now, clientId, now];
    const union =
      "SELECT 'access_token' AS token_type, jti AS token_id, user_id, scopes, issued_at, expires_at " +
      'FROM access_tokens WHERE client_id = ? AND revoked_at IS NULL AND expires_at > ? ' +
      "UNION ALL SELECT 'refresh_token' AS token_type, id AS token_id, user_id, scopes, issued_at, " +
      'expires_at FROM refresh_tokens WHERE client_id = ? AND revoked_at IS NULL AND rotated_at IS NULL ' +
      'AND expires_at > ?';
    const [{ n }] = await this.dataSource.query<{ n: string | number }[]>(
      `SELECT COUNT(*) AS n FROM (${union}) t`,
      params,
    );
    const rows = await this.dataSource.query<
      {
        token_type: ClientTokenItem['tokenType'];
        token_id: string;
        user_id: string | null;
        scopes: string;
        issued_at: string | number;
        expires_at: string | number;
      }[]
    >(`SELECT * FROM (${union}) t ORDER BY issued_at DESC, token_id DESC LIMIT ? OFFSET ?`, [
      ...params,
      pageSize,
      (page - 1) * pageSize,
    ]);
    return {
      total: Number(n),
      items: rows.map((r) => ({
        tokenId: r.token_id,
        tokenType: r.token_type,
        userId: r.user_id,
        scopes: JSON.parse(r.scopes) as string[],
        issuedAt: Number(r.issued_at),
        expiresAt: Number(r.expires_at),
      })),
    };
  }

  /**
   * Revokes every active token of the client (reference O41), in `manager`'s transaction when given.
   * Refresh tokens are revoked at once, so no new access token can be obtained with them. Access tokens
   * are revoked at once too, or, with a grace period, keep working until it ends (their record's expiry
   * is brought forward), so that requests in flight can finish. Introspection and userinfo see this at
   * once; a resource server that validates the JWT itself sees it only at the token's `exp`.
   */
  async revokeAll(
    clientId: string,
    gracePeriodSeconds: number,
    manager?: EntityManager,
  ): Promise<RevokedTokens> {
    const work = async (m: EntityManager): Promise<RevokedTokens> => {
      const now = this.clock.nowSeconds();
      const end = now + gracePeriodSeconds;
      const refresh = await m
        .createQueryBuilder()
        .update(RefreshTokenEntity)
        .set({ revokedAt: now })
        .where('client_id = :clientId', { clientId })
        .andWhere('revoked_at IS NULL AND rotated_at IS NULL AND expires_at > :now', { now })
        .execute();
      let access: number;
      if (gracePeriodSeconds > 0) {
        // Tokens that expire within the grace period anyway end as planned; they count as revoked.
        const within = await m
          .createQueryBuilder(AccessTokenEntity, 'a')
          .where('a.client_id = :clientId', { clientId })
          .andWhere('a.revoked_at IS NULL AND a.expires_at > :now AND a.expires_at <= :end', {
            now,
            end,
          })
          .getCount();
        const res = await m
          .createQueryBuilder()
          .update(AccessTokenEntity)
          .set({ expiresAt: end })
          .where('client_id = :clientId', { clientId })
          .andWhere('revoked_at IS NULL AND expires_at > :end', { end })
          .execute();
        access = (res.affected ?? 0) + within;
      } else {
        const res = await m
          .createQueryBuilder()
          .update(AccessTokenEntity)
          .set({ revokedAt: now })
          .where('client_id = :clientId', { clientId })
          .andWhere('revoked_at IS NULL AND expires_at > :now', { now })
          .execute();
        access = res.affected ?? 0;
      }
      return {
        revokedAccessTokens: access,
        revokedRefreshTokens: refresh.affected ?? 0,
        gracePeriodSeconds,
      };
    };
    return manager ? work(manager) : this.dataSource.transaction(work);
  }
}
