import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochSeconds, jsonText } from '../../common/database/columns.js';

/**
 * The scopes a user has approved for a client (OIDC Core §3.1.2.4). One row per user and client; a later
 * approval adds its scopes. A request whose scopes are all covered skips the consent page unless
 * `prompt=consent` asks for it.
 */
@Entity('consents')
@Index('UQ_consents_user_id_client_id', ['userId', 'clientId'], { unique: true })
export class ConsentEntity {
  /** A ULID. */
  @PrimaryColumn({ name: 'id', type: 'varchar', length: 26 })
  id!: string;

  @Column({ name: 'user_id', type: 'varchar', length: 191 })
  userId!: string;

  @Index('IDX_consents_client_id')
  @Column({ name: 'client_id', type: 'varchar', length: 255 })
  clientId!: string;

  @Column({ name: 'scopes', type: 'text', transformer: jsonText })
  scopes!: string[];

  /**
   * Bumped by every change; merges are `UPDATE … WHERE version = ?` (compare-and-set), so concurrent
   * approvals on several instances never lose scopes. Written by hand, not a TypeORM `@VersionColumn`,
   * because every write is a conditional update.
   */
  @Column({ name: 'version', type: 'int', default: 1 })
  version!: number;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochSeconds })
  createdAt!: number;

  @Column({ name: 'updated_at', type: 'bigint', transformer: epochSeconds })
  updatedAt!: number;
}
