import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { isMysql } from '../migration-helpers.js';

/**
 * `client_audit_logs`: one row per change to a client or its credentials (issue 8 "Audit trail", reference
 * O32), written in the same transaction as the change. `changes` is a JSON field-level diff that never
 * holds a secret value. Rows are read per client, newest first: the (`client_id`, `id`) index serves
 * that, `id` being a ULID (time-ordered).
 */
export class CreateClientAuditLogs1734200000000 implements MigrationInterface {
  name = 'CreateClientAuditLogs1734200000000';

  async up(qr: QueryRunner): Promise<void> {
    await qr.createTable(
      new Table({
        name: 'client_audit_logs',
        columns: [
          { name: 'id', type: 'varchar', length: '26', isPrimary: true },
          { name: 'client_id', type: 'varchar', length: '26' },
          { name: 'actor_type', type: 'varchar', length: '32' },
          { name: 'actor_id', type: 'varchar', length: '191', isNullable: true },
          { name: 'operation', type: 'varchar', length: '64' },
          { name: 'changes', type: 'text' },
          { name: 'ip', type: 'varchar', length: '64', isNullable: true },
          {
            name: 'created_at',
            type: 'datetime',
            precision: isMysql(qr) ? 6 : undefined,
            default: isMysql(qr) ? 'CURRENT_TIMESTAMP(6)' : "datetime('now')",
          },
        ],
        indices: [
          new TableIndex({
            name: 'IDX_client_audit_logs_client_id_id',
            columnNames: ['client_id', 'id'],
          }),
        ],
      }),
    );
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.dropTable('client_audit_logs');
  }
}
