import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { Clock } from '../common/time/clock.js';

/** Counts are written to the database at most this often per instance. */
export const USAGE_FLUSH_INTERVAL_MS = 5_000;
/** The longest statistic (O39 "tokens issued in the last 30 days"); older hours are purged. */
export const USAGE_RETENTION_SECONDS = 31 * 24 * 3600;
/**
 * At most this many client-hours wait in memory (issue 11, docs/benchmarks.md): a full map is written at
 * once instead of at the next interval, and while the database refuses the writes, counts for further
 * client-hours are dropped (and logged) rather than kept without bound. Client ids are not all
 * registered ones (client ID metadata documents, docs/client-id-metadata.md), so their number is not
 * bounded by the registration rate limits. About 200 bytes each.
 */
export const USAGE_MAX_PENDING = 10_000;
/** Client-hours per upsert statement: a full map is 20 statements, not 10,000 round trips. */
const USAGE_ROWS_PER_STATEMENT = 500;

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
  private flushingEarly = false;
  private lastPurge = 0;
  /** Counts not kept because {@link USAGE_MAX_PENDING} client-hours were already waiting. */
  private dropped = 0;

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
    } else if (this.pending.size >= USAGE_MAX_PENDING) {
      // Full while a write is under way or the database refuses them: the timer below tries again.
      this.dropped += 1;
    } else {
      this.pending.set(key, { clientId, hourStart, issued: 1, lastIssuedAt: now });
      if (this.pending.size >= USAGE_MAX_PENDING) this.flushEarly();
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

  /** How many client-hours wait in memory (at most {@link USAGE_MAX_PENDING}). */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** Writes this instance's pending counts now (one after the other: flushes never overlap). */
  flush(): Promise<void> {
    const run = this.flushing.then(() => this.write());
    this.flushing = run.catch(() => undefined);
    return run;
  }

  /** A full map is written now rather than at the next interval (one early flush at a time). */
  private flushEarly(): void {
    if (this.flushingEarly) return;
    this.flushingEarly = true;
    void this.flush()
      .catch((e: unknown) => this.logger.warn(`Could not record token usage: ${String(e)}`))
      .finally(() => {
        this.flushingEarly = false;
      });
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.flush().catch((e: unknown) =>
      this.logger.warn(`Could not record token usage at shutdown: ${String(e)}`),
    );
  }

  private async write(): Promise<void> {
    if (this.dropped > 0) {
      this.logger.warn(
        `Token usage: ${this.dropped} count(s) not recorded, ${USAGE_MAX_PENDING} client-hours were already waiting for the database`,
      );
      this.dropped = 0;
    }
    if (this.pending.size === 0 || !this.dataSource.isInitialized) return;
    const batch = [...this.pending.values()];
    this.pending = new Map();
    const mysql = ['mysql', 'mariadb'].includes(this.dataSource.options.type);
    for (let i = 0; i < batch.length; i += USAGE_ROWS_PER_STATEMENT) {
      const rows = batch.slice(i, i + USAGE_ROWS_PER_STATEMENT);
      const values = rows.map(() => '(?, ?, ?, ?)').join(', ');
      try {
        await this.dataSource.query(
          mysql
            ? 'INSERT INTO `client_token_usage` (`client_id`, `hour_start`, `issued`, `last_issued_at`) ' +
                `VALUES ${values} ON DUPLICATE KEY UPDATE \`issued\` = \`issued\` + VALUES(\`issued\`), ` +
                '`last_issued_at` = GREATEST(`last_issued_at`, VALUES(`last_issued_at`))'
            : 'INSERT INTO "client_token_usage" ("client_id", "hour_start", "issued", "last_issued_at") ' +
                `VALUES ${values} ON CONFLICT ("client_id", "hour_start") DO UPDATE SET ` +
                '"issued" = "issued" + excluded."issued", ' +
                '"last_issued_at" = MAX("last_issued_at", excluded."last_issued_at")',
          rows.flatMap((p) => [p.clientId, p.hourStart, p.issued, p.lastIssuedAt]),
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
    } else if (this.pending.size >= USAGE_MAX_PENDING) this.dropped += p.issued;
    else this.pending.set(key, { ...p });
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
