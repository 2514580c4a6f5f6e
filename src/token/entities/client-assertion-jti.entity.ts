import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochSeconds } from '../../common/database/columns.js';

/**
 * A `jti` of a client assertion already accepted (RFC 7523 §3 item 7: the server may keep a list of used
 * `jti` values until the assertion expires). The primary key makes a second use fail atomically on every
 * instance. The `jti` is hashed, so its length does not matter.
 */
@Entity('client_assertion_jtis')
export class ClientAssertionJtiEntity {
  @PrimaryColumn({ name: 'client_id', type: 'varchar', length: 255 })
  clientId!: string;

  @PrimaryColumn({ name: 'jti_hash', type: 'varchar', length: 64 })
  jtiHash!: string;

  /** The assertion's `exp`: the row can go afterwards, since an expired assertion fails anyway. */
  @Index('IDX_client_assertion_jtis_expires_at')
  @Column({ name: 'expires_at', type: 'bigint', transformer: epochSeconds })
  expiresAt!: number;
}
