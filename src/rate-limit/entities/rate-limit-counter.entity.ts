import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochSeconds } from '../../common/database/columns.js';

/**
 * One fixed-window counter: how many hits `bucketKey` made in the window starting at `windowStart`.
 * Kept in the database so that every instance behind the load balancer counts against the same limit
 * (DESIGN.md "Persistence"). Rows past `expiresAt` are deleted opportunistically.
 */
@Entity('rate_limit_counters')
export class RateLimitCounterEntity {
  /** The limited thing, e.g. `register:ip:203.0.113.7` (hashed when longer than 191 characters). */
  @PrimaryColumn({ name: 'bucket_key', type: 'varchar', length: 191 })
  bucketKey!: string;

  /** Window start, epoch seconds. */
  @PrimaryColumn({ name: 'window_start', type: 'bigint', transformer: epochSeconds })
  windowStart!: number;

  @Column({ name: 'hits', type: 'int' })
  hits!: number;

  /** End of the window, epoch seconds: the row is useless afterwards. */
  @Index('IDX_rate_limit_counters_expires_at')
  @Column({ name: 'expires_at', type: 'bigint', transformer: epochSeconds })
  expiresAt!: number;
}
