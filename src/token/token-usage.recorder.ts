import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { Clock } from '../common/time/clock.js';

/** Counts are written to the database at most this often per instance. */
export const USAGE_FLUSH_INTERVAL_MS = 5_000;
/** The longest statistic (O39 "tokens issued in the last 30 days"); older hours are purged. */
export const USAGE_RETENTION_SECONDS = 31 * 24 * 3600;

interface Pending {
  clientId: string;
  hourStart: number;
  issued: number;
  lastIssuedAt: number;
}

/**
 * Counts the access tokens each client obtains, per hour, for its usage statistics (reference O39)
 * without adding a write to every token request: counts are kept in memory and added to
 * `client_token_usage` with one atomic upsert per client and hour every {@link USAGE_FLUSH_INTERVAL_MS},
 * before statistics are read on this instance, and at shutdown. Several instances add up their own
 * counts. A crash loses at most the last interval's counts, which only the statistics would show.
 */
@Injectable()
export class TokenUsageRecorder implements OnModuleDestroy {
  private readonly logger = new Logger(TokenUsageRecorder.name);
  private pending = new Map<string, Pending>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private lastPurge = 0;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  /** Counts one access token issued to `clientId` now. Never touches the database itself. */
  record(clientId: string): void {
    const now = this.clock.nowSeconds();
    const hourStart = now - (now % 3600);
    const key = `${clientId}|${hourStart}`;
    const p = this.pending.get(key);
    if (p) {
      p.issued += 1;
      p.lastIssuedAt = Math.max(p.lastIssuedAt, now);
    } else {
      this.pending.set(key, { clientId, hourStart, issued: 1, lastIssuedAt: now });
    }
    if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        void this.flush().catch((e: unknown) =>
          this.logger.warn(`Could not record token usage: ${String(e)}`),
        );
      }, USAGE_FLUSH_INTERVAL_MS);
      this.timer.unref();
    }
  }

  /** Writes this instance's pending counts now (one after the other: flushes never overlap). */
  flush(): Promise<void> {
    const run = this.flushing.then(() => this.write());
    this.flushing = run.catch(() => undefined);
    return run;
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.flush().catch((e: unknown) =>
      this.logger.warn(`Could not record token usage at shutdown: ${String(e)}`),
    );
  }

  private async write(): Promise<void> {
    if (this.pending.size === 0 || !this.dataSource.isInitialized) return;
    const batch = [...this.pending.values()];
    this.pending = new Map();
    const mysql = ['mysql', 'mariadb'].includes(this.dataSource.options.type);
    for (const [i, p] of batch.entries()) {
      const params = [p.clientId, p.hourStart, p.issued, p.lastIssuedAt];
      try {
        await this.dataSource.query(
          mysql
            ? 'INSERT INTO `client_token_usage` (`client_id`, `hour_start`, `issued`, `last_issued_at`) ' +
                'VALUES (?, ?, ?, ?) ON DUPLICATE KEY UPDATE `issued` = `issued` + VALUES(`issued`), ' +
                '`last_issued_at` = GREATEST(`last_issued_at`, VALUES(`last_issued_at`))'
            : 'INSERT INTO "client_token_usage" ("client_id", "hour_start", "issued", "last_issued_at") ' +
                'VALUES (?, ?, ?, ?) ON CONFLICT ("client_id", "hour_start") DO UPDATE SET ' +
                '"issued" = "issued" + excluded."issued", ' +
                '"last_issued_at" = MAX("last_issued_at", excluded."last_issued_at")',
          params,
        );
      } catch (e) {
        // Keep the unwritten counts for the next flush rather than lose them to a passing failure.
        for (const q of batch.slice(i)) this.merge(q);
        throw e;
      }
    }
    await this.purge();
  }

  private merge(p: Pending): void {
    const key = `${p.clientId}|${p.hourStart}`;
    const q = this.pending.get(key);
    if (q) {
      q.issued += p.issued;
      q.lastIssuedAt = Math.max(q.lastIssuedAt, p.lastIssuedAt);
    } else this.pending.set(key, { ...p });
  }

  /** Deletes hours older than the retention, at most once an hour per instance. */
  private async purge(): Promise<void> {
    const now = this.clock.nowSeconds();
    if (now - this.lastPurge < 3600) return;
    this.lastPurge = now;
    await this.dataSource
      .createQueryBuilder()
      .delete()
      .from('client_token_usage')
      .where('hour_start < :before', { before: now - USAGE_RETENTION_SECONDS })
      .execute();
  }
}
