import { Injectable, Logger } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { sha256Hex } from '../common/crypto/tokens.js';
import { Clock } from '../common/time/clock.js';

/** Outcome of counting one hit against a limit. */
export interface RateLimitResult {
  /** False once the hit exceeds the limit in the current window. */
  allowed: boolean;
  /** Seconds until the current window ends (the `Retry-After` value, RFC 9110 §10.2.3); 0 if allowed. */
  retryAfterSeconds: number;
  /** Hits left in the current window. */
  remaining: number;
  /** Hits counted in the current window, this one included (0 when the limit is disabled). */
  hits: number;
  /** Seconds until the current window ends. */
  resetSeconds: number;
}

/** Expired windows are swept at most this often per instance. */
const SWEEP_INTERVAL_MS = 60_000;
const MAX_KEY_LENGTH = 191;

/** What a `ThrottlerStorage` answers (the package does not export the type by name). */
type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/** The stored key: as given, or its hash when longer than the column. */
function bucketOf(key: string): string {
  return key.length > MAX_KEY_LENGTH ? `sha256:${sha256Hex(key)}` : key;
}

/**
 * Fixed-window rate limiting counted in the database, so that a limit holds across instances. Each hit
 * is one atomic upsert (`INSERT ... ON CONFLICT DO UPDATE` on SQLite, `INSERT ... ON DUPLICATE KEY
 * UPDATE` on MySQL/MariaDB) that returns the new count: concurrent hits can neither be lost nor double
 * counted.
 *
 * It is the `ThrottlerStorage` of `@nestjs/throttler` (behind `RateLimitGuard` and the `@RateLimit`
 * routes), and usable directly with any key: {@link hit} to count, {@link reset} to forget, e.g. failed
 * logins per username.
 */
@Injectable()
export class RateLimitService implements ThrottlerStorage {
  private readonly logger = new Logger(RateLimitService.name);
  private lastSweep = 0;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  /**
   * Counts one hit of `key` and says whether it is within `limit` hits per `windowSeconds`.
   * A `limit` of 0 or less means unlimited (nothing is stored).
   */
  async hit(key: string, limit: number, windowSeconds: number): Promise<RateLimitResult> {
    const now = this.clock.nowSeconds();
    const window = Math.max(1, Math.floor(windowSeconds));
    const windowStart = Math.floor(now / window) * window;
    const expiresAt = windowStart + window;
    if (limit <= 0) {
      return {
        allowed: true,
        retryAfterSeconds: 0,
        remaining: Number.MAX_SAFE_INTEGER,
        hits: 0,
        resetSeconds: expiresAt - now,
      };
    }
    const hits = await this.count(bucketOf(key), windowStart, expiresAt);
    if (hits === 1) await this.sweep(now);
    const allowed = hits <= limit;
    return {
      allowed,
      retryAfterSeconds: allowed ? 0 : Math.max(1, expiresAt - now),
      remaining: Math.max(0, limit - hits),
      hits,
      resetSeconds: Math.max(1, expiresAt - now),
    };
  }

  /**
   * `ThrottlerStorage.increment` of `@nestjs/throttler`: one {@link hit} in a fixed window of `ttl`
   * milliseconds. A key over its limit is refused until its window ends (`timeToBlockExpire`, seconds);
   * `blockDuration` is not used, since a longer refusal is a longer window here.
   */
  async increment(
    key: string,
    ttl: number,
    limit: number,
    _blockDuration: number,
    _throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    const result = await this.hit(key, limit, ttl / 1000);
    return {
      totalHits: result.hits,
      timeToExpire: result.resetSeconds,
      isBlocked: !result.allowed,
      timeToBlockExpire: result.retryAfterSeconds,
    };
  }

  /**
   * Hits of `key` counted so far in the current window of `windowSeconds`, without counting one (0 when
   * none). For checks that must not themselves count, e.g. failed sign-ins per IP before a password check.
   */
  async current(key: string, windowSeconds: number): Promise<number> {
    const now = this.clock.nowSeconds();
    const window = Math.max(1, Math.floor(windowSeconds));
    const windowStart = Math.floor(now / window) * window;
    const rows = await this.dataSource
      .createQueryBuilder()
      .select('hits')
      .from('rate_limit_counters', 'c')
      .where('bucket_key = :bucket AND window_start = :start', {
        bucket: bucketOf(key),
        start: windowStart,
      })
      .getRawMany<{ hits: number | string }>();
    return rows.length > 0 ? Number(rows[0].hits) : 0;
  }

  /** Forgets every window of `key` (e.g. the failed logins of a user who just signed in). */
  async reset(key: string): Promise<void> {
    await this.dataSource
      .createQueryBuilder()
      .delete()
      .from('rate_limit_counters')
      .where('bucket_key = :bucket', { bucket: bucketOf(key) })
      .execute();
  }

  private async count(bucket: string, windowStart: number, expiresAt: number): Promise<number> {
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
    if (this.clock.now() - this.lastSweep < SWEEP_INTERVAL_MS) return;
    this.lastSweep = this.clock.now();
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
