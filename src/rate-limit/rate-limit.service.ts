import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { nowSeconds, sha256Hex } from '../common/crypto/tokens.js';

/** Outcome of counting one hit against a limit. */
export interface RateLimitResult {
  /** False once the hit exceeds the limit in the current window. */
  allowed: boolean;
  /** Seconds until the current window ends (the `Retry-After` value, RFC 9110 §10.2.3); 0 if allowed. */
  retryAfterSeconds: number;
  /** Hits left in the current window. */
  remaining: number;
}

/** Expired windows are swept at most this often per instance. */
const SWEEP_INTERVAL_MS = 60_000;
const MAX_KEY_LENGTH = 191;

/**
 * Fixed-window rate limiting counted in the database, so that a limit holds across instances. Each hit
 * is one atomic upsert (`INSERT ... ON CONFLICT DO UPDATE` on SQLite, `INSERT ... ON DUPLICATE KEY
 * UPDATE` on MySQL/MariaDB) that returns the new count: concurrent hits can neither be lost nor double
 * counted.
 */
@Injectable()
export class RateLimitService {
  private readonly logger = new Logger(RateLimitService.name);
  private lastSweep = 0;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Counts one hit of `key` and says whether it is within `limit` hits per `windowSeconds`.
   * A `limit` of 0 or less means unlimited (nothing is stored).
   */
  async hit(key: string, limit: number, windowSeconds: number): Promise<RateLimitResult> {
    if (limit <= 0) {
      return { allowed: true, retryAfterSeconds: 0, remaining: Number.MAX_SAFE_INTEGER };
    }
    const now = nowSeconds();
    const window = Math.max(1, Math.floor(windowSeconds));
    const windowStart = Math.floor(now / window) * window;
    const expiresAt = windowStart + window;
    const bucket = key.length > MAX_KEY_LENGTH ? `sha256:${sha256Hex(key)}` : key;
    const hits = await this.increment(bucket, windowStart, expiresAt);
    if (hits === 1) await this.sweep(now);
    const allowed = hits <= limit;
    return {
      allowed,
      retryAfterSeconds: allowed ? 0 : Math.max(1, expiresAt - now),
      remaining: Math.max(0, limit - hits),
    };
  }

  private async increment(bucket: string, windowStart: number, expiresAt: number): Promise<number> {
    const type = this.dataSource.options.type;
    if (type === 'mysql' || type === 'mariadb') {
      // LAST_INSERT_ID(expr) hands the updated count back in the OK packet of this very statement.
      const res = await this.dataSource.query<{ affectedRows: number; insertId: number | string }>(
        'INSERT INTO `rate_limit_counters` (`bucket_key`, `window_start`, `hits`, `expires_at`) ' +
          'VALUES (?, ?, 1, ?) ON DUPLICATE KEY UPDATE `hits` = LAST_INSERT_ID(`hits` + 1)',
        [bucket, windowStart, expiresAt],
      );
      // affectedRows is 1 for a fresh row, 2 for an updated one.
      return res.affectedRows === 1 ? 1 : Number(res.insertId);
    }
    const rows = await this.dataSource.query<{ hits: number | string }[]>(
      'INSERT INTO "rate_limit_counters" ("bucket_key", "window_start", "hits", "expires_at") ' +
        'VALUES (?, ?, 1, ?) ON CONFLICT ("bucket_key", "window_start") ' +
        'DO UPDATE SET "hits" = "hits" + 1 RETURNING "hits"',
      [bucket, windowStart, expiresAt],
    );
    return Number(rows[0]?.hits);
  }

  /** Deletes windows that have ended; best effort, never fails the request that triggered it. */
  private async sweep(now: number): Promise<void> {
    if (Date.now() - this.lastSweep < SWEEP_INTERVAL_MS) return;
    this.lastSweep = Date.now();
    try {
      await this.dataSource
        .createQueryBuilder()
        .delete()
        .from('rate_limit_counters')
        .where('expires_at <= :now', { now })
        .execute();
    } catch (e) {
      this.logger.warn(`Could not sweep expired rate-limit windows: ${String(e)}`);
    }
  }
}
