import { Table, TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { intType } from '../migration-helpers.js';

/**
 * What sign-out needs (OIDC RP-Initiated Logout 1.0, Back-Channel Logout 1.0):
 *
 * - `login_sessions.sid`: the public session id put in ID tokens and logout tokens as `sid`; random, not
 *   derived from the cookie. Null for sessions started before this migration (they get no `sid` claim).
 * - `authorization_codes.sid`: the session a code was issued in, so the ID token of that code carries it.
 * - `login_session_clients`: the relying parties a session issued codes to (who gets a logout token).
 * - `backchannel_logout_deliveries`: each logout token delivery, its status, attempts and last error.
 */
export class AddLogoutSessions1734600001000 implements MigrationInterface {
  name = 'AddLogoutSessions1734600001000';

  async up(qr: QueryRunner): Promise<void> {
    await qr.addColumn(
      'login_sessions',
      new TableColumn({ name: 'sid', type: 'varchar', length: '64', isNullable: true }),
    );
    await qr.createIndex(
      'login_sessions',
      new TableIndex({ name: 'UQ_login_sessions_sid', columnNames: ['sid'], isUnique: true }),
    );
    await qr.addColumn(
      'authorization_codes',
      new TableColumn({ name: 'sid', type: 'varchar', length: '64', isNullable: true }),
    );
    await qr.createTable(
      new Table({
        name: 'login_session_clients',
        columns: [
          { name: 'sid', type: 'varchar', length: '64', isPrimary: true },
          { name: 'client_id', type: 'varchar', length: '255', isPrimary: true },
          { name: 'user_id', type: 'varchar', length: '191' },
          { name: 'created_at', type: 'bigint' },
          { name: 'expires_at', type: 'bigint' },
        ],
        indices: [
          new TableIndex({
            name: 'IDX_login_session_clients_expires_at',
            columnNames: ['expires_at'],
          }),
        ],
      }),
    );
    await qr.createTable(
      new Table({
        name: 'backchannel_logout_deliveries',
        columns: [
          { name: 'id', type: 'varchar', length: '26', isPrimary: true },
          { name: 'client_id', type: 'varchar', length: '255' },
          { name: 'user_id', type: 'varchar', length: '191' },
          { name: 'sid', type: 'varchar', length: '64', isNullable: true },
          { name: 'jti', type: 'varchar', length: '64' },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'attempts', type: intType(qr), default: 0 },
          { name: 'last_http_status', type: intType(qr), isNullable: true },
          { name: 'last_error', type: 'varchar', length: '512', isNullable: true },
          { name: 'created_at', type: 'bigint' },
          { name: 'updated_at', type: 'bigint' },
        ],
        indices: [
          new TableIndex({
            name: 'IDX_backchannel_logout_deliveries_client_id',
            columnNames: ['client_id'],
          }),
          new TableIndex({
            name: 'IDX_backchannel_logout_deliveries_created_at',
            columnNames: ['created_at'],
          }),
        ],
      }),
    );
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.dropTable('backchannel_logout_deliveries');
    await qr.dropTable('login_session_clients');
    await qr.dropColumn('authorization_codes', 'sid');
    await qr.dropIndex('login_sessions', 'UQ_login_sessions_sid');
    await qr.dropColumn('login_sessions', 'sid');
  }
}
