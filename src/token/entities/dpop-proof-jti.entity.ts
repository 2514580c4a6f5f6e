import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochSeconds } from '../../common/database/columns.js';

/**
 * A `jti` of a DPoP proof already accepted (RFC 9449 §11.1: the server keeps the `jti` values of the
 * proofs it accepted for as long as their `iat` is inside the acceptance window). Keyed by the proof's
 * key thumbprint and the hashed `jti`; the primary key makes a replay fail atomically on every instance.
 */
@Entity('dpop_proof_jtis')
export class DpopProofJtiEntity {
  /** RFC 7638 SHA-256 thumbprint of the proof's key, base64url (43 characters). */
  @PrimaryColumn({ name: 'jkt', type: 'varchar', length: 43 })
  jkt!: string;

  @PrimaryColumn({ name: 'jti_hash', type: 'varchar', length: 64 })
  jtiHash!: string;

  /** When the proof's `iat` leaves the window: the row can go afterwards, a replay then fails anyway. */
  @Index('IDX_dpop_proof_jtis_expires_at')
  @Column({ name: 'expires_at', type: 'bigint', transformer: epochSeconds })
  expiresAt!: number;
}
