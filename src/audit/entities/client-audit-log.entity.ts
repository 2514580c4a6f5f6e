import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import { jsonText } from '../../common/database/columns.js';
import type { AuditActorType, AuditChanges } from '../audit.types.js';

/**
 * One change to a client or its credentials (issue 8 "Audit trail", reference O32). Written in the same
 * transaction as the change it describes; `changes` is a field-level diff that never holds a secret value.
 * `id` is a ULID, so ordering by it is ordering by time.
 */
@Entity('client_audit_logs')
@Index('IDX_client_audit_logs_client_id_id', ['clientId', 'id'])
export class ClientAuditLogEntity {
  @PrimaryColumn({ name: 'id', type: 'varchar', length: 26 })
  id!: string;

  @Column({ name: 'client_id', type: 'varchar', length: 26 })
  clientId!: string;

  @Column({ name: 'actor_type', type: 'varchar', length: 32 })
  actorType!: AuditActorType;

  /** Admin user id, client id, API key id; null for the CLI, the system and registration tokens. */
  @Column({ name: 'actor_id', type: 'varchar', length: 191, nullable: true })
  actorId!: string | null;

  /** The event name, e.g. `client.updated`. */
  @Column({ name: 'operation', type: 'varchar', length: 64 })
  operation!: string;

  @Column({ name: 'changes', type: 'text', transformer: jsonText })
  changes!: AuditChanges;

  @Column({ name: 'ip', type: 'varchar', length: 64, nullable: true })
  ip!: string | null;

  @CreateDateColumn({ name: 'created_at' })
  createdAt!: Date;
}
