import { TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { isMysql } from '../migration-helpers.js';

/**
 * Administration of clients (issue 8): `status` (`active` / `suspended`: a suspended client gets no token
 * and its tokens stop working), `admin_access` (only an operator sets it: the client may obtain the
 * `admin` scope) and `created_via` (`registration`, `admin`, `cli`, `internal`: who created the client,
 * e.g. so that automatic reaping spares clients an administrator created). Existing clients are active,
 * self-registered and without admin access. `fapi_profile` (reference `dto.CreateClientRequest`) is
 * recorded as given.
 *
 * The admin list (`GET /admin/oauth/clients`, docs/adr/0050) pages over live clients newest first: the
 * (`deleted_at`, `status`, `id`) index serves the status filter, the (`deleted_at`, `name_key`, `id`)
 * index the name filter, a case-insensitive prefix match on `name_key` (the lower-cased `client_name`,
 * kept by every write; existing rows are filled here).
 */
export class AddClientStatusAndAdminAccess1734200001000 implements MigrationInterface {
  name = 'AddClientStatusAndAdminAccess1734200001000';

  async up(qr: QueryRunner): Promise<void> {
    await qr.addColumns('oauth_clients', [
      new TableColumn({ name: 'status', type: 'varchar', length: '16', default: "'active'" }),
      new TableColumn({
        name: 'admin_access',
        // TypeORM maps `boolean` to TINYINT on MySQL/MariaDB; say so, or the schema check sees drift.
        type: isMysql(qr) ? 'tinyint' : 'boolean',
        default: 0,
      }),
      new TableColumn({ name: 'name_key', type: 'varchar', length: '191', isNullable: true }),
      new TableColumn({ name: 'fapi_profile', type: 'varchar', length: '32', isNullable: true }),
      new TableColumn({
        name: 'created_via',
        type: 'varchar',
        length: '16',
        default: "'registration'",
      }),
    ]);
    await qr.query(
      'UPDATE oauth_clients SET name_key = LOWER(SUBSTR(client_name, 1, 191)) WHERE client_name IS NOT NULL',
    );
    await qr.createIndex(
      'oauth_clients',
      new TableIndex({
        name: 'IDX_oauth_clients_deleted_at_status_id',
        columnNames: ['deleted_at', 'status', 'id'],
      }),
    );
    await qr.createIndex(
      'oauth_clients',
      new TableIndex({
        name: 'IDX_oauth_clients_deleted_at_name_key_id',
        columnNames: ['deleted_at', 'name_key', 'id'],
      }),
    );
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.dropIndex('oauth_clients', 'IDX_oauth_clients_deleted_at_name_key_id');
    await qr.dropIndex('oauth_clients', 'IDX_oauth_clients_deleted_at_status_id');
    await qr.dropColumn('oauth_clients', 'created_via');
    await qr.dropColumn('oauth_clients', 'fapi_profile');
    await qr.dropColumn('oauth_clients', 'name_key');
    await qr.dropColumn('oauth_clients', 'admin_access');
    await qr.dropColumn('oauth_clients', 'status');
  }
}
