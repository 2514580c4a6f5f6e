import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { nowSeconds } from '../common/crypto/tokens.js';
import { AccessTokenEntity } from './entities/access-token.entity.js';
import { AuthorizationCodeEntity } from './entities/authorization-code.entity.js';
import { ClientAssertionJtiEntity } from './entities/client-assertion-jti.entity.js';
import { DpopProofJtiEntity } from './entities/dpop-proof-jti.entity.js';
import { RefreshTokenEntity } from './entities/refresh-token.entity.js';

/** Sweeps run at most this often per instance. */
const PURGE_INTERVAL_MS = 60_000;
/**
 * Consumed codes are kept a day past their expiry, so that a late replay is still recognised as a replay
 * and revokes what the first use issued (RFC 6749 §4.1.2).
 */
const CODE_REPLAY_WINDOW_SECONDS = 24 * 3600;

/**
 * Deletes rows that can no longer matter: expired codes (after the replay window), expired refresh and
 * access token records, and `jti`s of expired client assertions (RFC 7523 §3: they fail on `exp` anyway).
 * Opportunistic, triggered by writes, at most once a minute per instance; a failure is logged and never
 * fails the request that triggered it.
 */
@Injectable()
export class TokenPurgeService {
  private readonly logger = new Logger(TokenPurgeService.name);
  private lastRun = 0;
  private running: Promise<void> | null = null;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Starts a sweep in the background when the last one is old enough. */
  maybePurge(): void {
    if (this.running || Date.now() - this.lastRun < PURGE_INTERVAL_MS) return;
    this.lastRun = Date.now();
    this.running = this.purgeNow()
      .catch((e: unknown) => this.logger.warn(`Could not purge expired tokens: ${String(e)}`))
      .finally(() => {
        this.running = null;
      });
  }

  /** Deletes every expired row now. */
  async purgeNow(now = nowSeconds()): Promise<void> {
    if (!this.dataSource.isInitialized) return;
    const del = (entity: new () => object, before: number) =>
      this.dataSource
        .createQueryBuilder()
        .delete()
        .from(entity)
        .where('expires_at < :before', { before })
        .execute();
    await del(AuthorizationCodeEntity, now - CODE_REPLAY_WINDOW_SECONDS);
    await del(RefreshTokenEntity, now);
    await del(AccessTokenEntity, now);
    await del(ClientAssertionJtiEntity, now);
    await del(DpopProofJtiEntity, now);
  }

  /** Waits for a sweep in progress (shutdown and tests). */
  async settle(): Promise<void> {
    await this.running;
  }
}
