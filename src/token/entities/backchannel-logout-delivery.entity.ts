import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochSeconds } from '../../common/database/columns.js';

/** Where a delivery stands: still being tried, accepted by the RP (HTTP 200/204), or given up. */
export type BackchannelDeliveryStatus = 'pending' | 'delivered' | 'failed';

/**
 * One logout token sent to one relying party's `backchannel_logout_uri` (OIDC Back-Channel Logout 1.0
 * §2.5): the outcome of the delivery, for operators (a relying party that keeps failing still holds the
 * user's session). The token itself is not stored; `jti` names it.
 */
@Entity('backchannel_logout_deliveries')
export class BackchannelLogoutDeliveryEntity {
  /** A ULID. */
  @PrimaryColumn({ name: 'id', type: 'varchar', length: 26 })
  id!: string;

  @Index('IDX_backchannel_logout_deliveries_client_id')
  @Column({ name: 'client_id', type: 'varchar', length: 255 })
  clientId!: string;

  @Column({ name: 'user_id', type: 'varchar', length: 191 })
  userId!: string;

  @Column({ name: 'sid', type: 'varchar', length: 64, nullable: true })
  sid!: string | null;

  /** The logout token's `jti`. */
  @Column({ name: 'jti', type: 'varchar', length: 64 })
  jti!: string;

  @Column({ name: 'status', type: 'varchar', length: 16 })
  status!: BackchannelDeliveryStatus;

  @Column({ name: 'attempts', type: 'int', default: 0 })
  attempts!: number;

  /** HTTP status of the last answer, null when there was none (timeout, refused address). */
  @Column({ name: 'last_http_status', type: 'int', nullable: true })
  lastHttpStatus!: number | null;

  @Column({ name: 'last_error', type: 'varchar', length: 512, nullable: true })
  lastError!: string | null;

  @Index('IDX_backchannel_logout_deliveries_created_at')
  @Column({ name: 'created_at', type: 'bigint', transformer: epochSeconds })
  createdAt!: number;

  @Column({ name: 'updated_at', type: 'bigint', transformer: epochSeconds })
  updatedAt!: number;
}
