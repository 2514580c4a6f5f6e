import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { isMysql } from '../migration-helpers.js';

/**
 * AuthorizeModule's tables: `authorization_requests` (pending RFC 6749 §4.1.1 requests between the
 * authorize call and the authorization response), `login_sessions` (browser sessions, id stored hashed)
 * and `consents` (approved scopes per user and client, OIDC Core §3.1.2.4).
 */
export class CreateAuthorizeTables1732800004000 implements MigrationInterface {
  name = 'CreateAuthorizeTables1732800004000';

  async up(qr: QueryRunner): Promise<void> {
    await qr.createTable(
      new Table({
        name: 'authorization_requests',
        columns: [
          { name: 'id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'binding_hash', type: 'varchar', length: '64' },
          { name: 'client_id', type: 'varchar', length: '26' },
          { name: 'redirect_uri', type: 'varchar', length: '2048' },
          // TypeORM maps `boolean` to TINYINT on MySQL/MariaDB; say so, or the schema check sees drift.
          { name: 'redirect_uri_provided', type: isMysql(qr) ? 'tinyint' : 'boolean' },
          { name: 'scopes', type: 'text' },
          { name: 'state', type: 'text', isNullable: true },
          { name: 'nonce', type: 'text', isNullable: true },
          { name: 'code_challenge', type: 'varchar', length: '128', isNullable: true },
          { name: 'prompt', type: 'text' },
          { name: 'max_age', type: 'bigint', isNullable: true },
          { name: 'login_hint', type: 'varchar', length: '255', isNullable: true },
          { name: 'user_id', type: 'varchar', length: '191', isNullable: true },
          { name: 'auth_time', type: 'bigint', isNullable: true },
          { name: 'created_at', type: 'bigint' },
          { name: 'expires_at', type: 'bigint' },
          { name: 'consumed_at', type: 'bigint', isNullable: true },
        ],
        indices: [
          new TableIndex({
            name: 'IDX_authorization_requests_expires_at',
            columnNames: ['expires_at'],
          }),
        ],
      }),
    );
    await qr.createTable(
      new Table({
        name: 'login_sessions',
        columns: [
          { name: 'id_hash', type: 'varchar', length: '64', isPrimary: true },
          { name: 'user_id', type: 'varchar', length: '191' },
          { name: 'auth_time', type: 'bigint' },
          { name: 'created_at', type: 'bigint' },
          { name: 'expires_at', type: 'bigint' },
        ],
        indices: [
          new TableIndex({ name: 'IDX_login_sessions_user_id', columnNames: ['user_id'] }),
          new TableIndex({ name: 'IDX_login_sessions_expires_at', columnNames: ['expires_at'] }),
        ],
      }),
    );
    await qr.createTable(
      new Table({
        name: 'consents',
        columns: [
          { name: 'id', type: 'varchar', length: '26', isPrimary: true },
          { name: 'user_id', type: 'varchar', length: '191' },
          { name: 'client_id', type: 'varchar', length: '26' },
          { name: 'scopes', type: 'text' },
          { name: 'created_at', type: 'bigint' },
          { name: 'updated_at', type: 'bigint' },
        ],
        indices: [
          new TableIndex({
            name: 'UQ_consents_user_id_client_id',
            columnNames: ['user_id', 'client_id'],
            isUnique: true,
          }),
          new TableIndex({ name: 'IDX_consents_client_id', columnNames: ['client_id'] }),
        ],
      }),
    );
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.dropTable('consents');
    await qr.dropTable('login_sessions');
    await qr.dropTable('authorization_requests');
  }
}
