import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { epochSeconds } from '../../common/database/columns.js';

/** `active`: the client's current secret; `inactive`: rotated out or deactivated (reference §5.8). */
export type ClientSecretStatus = 'active' | 'inactive';

/**
 * One client secret (RFC 6749 §2.3.1) of a confidential client, stored only as the SHA-256 hex hash of
 * the `sec_…` value. A client has one or two `active` secrets (two during a planned switch-over, the
 * reference's "at most 2 active"), plus `inactive` ones kept as history: a rotated secret stays usable until
 * its `expires_at` (the rotation grace period), a deactivated one stops at once.
 *
 * A secret authenticates while `expires_at` is 0 (never) or in the future; `expires_at` of an active
 * secret is RFC 7591 §3.2.1 `client_secret_expires_at`.
 */
@Entity('client_secrets')
@Index('IDX_client_secrets_client_id', ['clientId'])
export class ClientSecretEntity {
  /** `secret_id`, a ULID. */
  @PrimaryColumn({ name: 'id', type: 'varchar', length: 26 })
  id!: string;

  @Column({ name: 'client_id', type: 'varchar', length: 26 })
  clientId!: string;

  @Column({ name: 'secret_hash', type: 'varchar', length: 64, select: false })
  secretHash!: string;

  @Column({ name: 'status', type: 'varchar', length: 16 })
  status!: ClientSecretStatus;

  /** Epoch seconds after which the secret no longer authenticates; 0 = never. */
  @Column({ name: 'expires_at', type: 'bigint', default: 0, transformer: epochSeconds })
  expiresAt!: number;

  /** Epoch seconds of the last successful authentication, recorded at most once a minute. */
  @Column({ name: 'last_used_at', type: 'bigint', nullable: true, transformer: epochSeconds })
  lastUsedAt!: number | null;

  @CreateDateColumn({ name: 'created_at' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at' })
  updatedAt!: Date;
}
