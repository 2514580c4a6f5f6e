import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochSeconds, jsonText } from '../../common/database/columns.js';

/**
 * A pushed authorization request (RFC 9126 §2): the parameters an authenticated client sent to the PAR
 * endpoint, waiting to be redeemed once at the authorization endpoint by its `request_uri`. In the
 * database, so any instance redeems it.
 */
@Entity('pushed_authorization_requests')
export class PushedAuthorizationRequestEntity {
  /** SHA-256 hex of the random part of `urn:ietf:params:oauth:request_uri:<random>`. */
  @PrimaryColumn({ name: 'id_hash', type: 'varchar', length: 64 })
  idHash!: string;

  /** The authenticated client that pushed the request (RFC 9126 §4: must match at redemption). */
  @Column({ name: 'client_id', type: 'varchar', length: 255 })
  clientId!: string;

  /** The pushed parameters, client authentication removed, as a JSON object of strings / string lists. */
  @Column({ name: 'params', type: 'text', transformer: jsonText })
  params!: Record<string, string | string[]>;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochSeconds })
  createdAt!: number;

  @Index('IDX_pushed_authorization_requests_expires_at')
  @Column({ name: 'expires_at', type: 'bigint', transformer: epochSeconds })
  expiresAt!: number;
}
