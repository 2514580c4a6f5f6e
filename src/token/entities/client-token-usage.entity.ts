import { Column, Entity, PrimaryColumn } from 'typeorm';
import { epochSeconds } from '../../common/database/columns.js';

/**
 * How many access tokens one client obtained in one hour, and when it last did: the source of a
 * client's usage statistics (reference O39), kept apart from `access_tokens` because those records are
 * purged when the tokens expire. One row per client per hour in which it obtained a token; rows older
 * than the longest statistic (30 days) are purged.
 */
@Entity('client_token_usage')
export class ClientTokenUsageEntity {
  @PrimaryColumn({ name: 'client_id', type: 'varchar', length: 255 })
  clientId!: string;

  /** Start of the hour, epoch seconds (a multiple of 3600). */
  @PrimaryColumn({ name: 'hour_start', type: 'bigint', transformer: epochSeconds })
  hourStart!: number;

  @Column({ name: 'issued', type: 'int', default: 0 })
  issued!: number;

  /** Epoch seconds of the last token issued in this hour. */
  @Column({ name: 'last_issued_at', type: 'bigint', transformer: epochSeconds })
  lastIssuedAt!: number;
}
