import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { isMysql } from '../migration-helpers.js';

/**
 * TokenModule's tables: `authorization_codes` (RFC 6749 §4.1.2), `refresh_tokens` (RFC 6749 §6, with
 * rotation families), `access_tokens` (records of RFC 9068 JWTs, for revocation) and
 * `client_assertion_jtis` (RFC 7523 §3 replay prevention). Credentials are stored only as SHA-256 hashes.
 */
export class CreateTokenTables1732800003000 implements MigrationInterface {
  name = 'CreateTokenTables1732800003000';

  async up(qr: QueryRunner): Promise<void> {
    await qr.createTable(
      new Table({
        name: 'authorization_codes',
        columns: [
          { name: 'code_hash', type: 'varchar', length: '64', isPrimary: true },
          { name: 'grant_id', type: 'varchar', length: '26' },
          { name: 'client_id', type: 'varchar', length: '26' },
          { name: 'user_id', type: 'varchar', length: '191' },
          { name: 'redirect_uri', type: 'varchar', length: '2048' },
          // TypeORM maps `boolean` to TINYINT on MySQL/MariaDB; say so, or the schema check sees drift.
          { name: 'redirect_uri_provided', type: isMysql(qr) ? 'tinyint' : 'boolean' },
          { name: 'scopes', type: 'text' },
          { name: 'nonce', type: 'text', isNullable: true },
          { name: 'code_challenge', type: 'varchar', length: '128', isNullable: true },
          { name: 'code_challenge_method', type: 'varchar', length: '8', isNullable: true },
          { name: 'auth_time', type: 'bigint' },
          { name: 'expires_at', type: 'bigint' },
          { name: 'consumed_at', type: 'bigint', isNullable: true },
        ],
        indices: [
          new TableIndex({
            name: 'IDX_authorization_codes_expires_at',
            columnNames: ['expires_at'],
          }),
        ],
      }),
    );
    await qr.createTable(
      new Table({
        name: 'refresh_tokens',
        columns: [
          { name: 'id', type: 'varchar', length: '26', isPrimary: true },
          { name: 'token_hash', type: 'varchar', length: '64' },
          { name: 'family_id', type: 'varchar', length: '26' },
          { name: 'client_id', type: 'varchar', length: '26' },
          { name: 'user_id', type: 'varchar', length: '191' },
          { name: 'scopes', type: 'text' },
          { name: 'audience', type: 'text', isNullable: true },
          { name: 'auth_time', type: 'bigint' },
          { name: 'issued_at', type: 'bigint' },
          { name: 'expires_at', type: 'bigint' },
          { name: 'rotated_at', type: 'bigint', isNullable: true },
          { name: 'replaced_by', type: 'varchar', length: '26', isNullable: true },
          { name: 'revoked_at', type: 'bigint', isNullable: true },
        ],
        indices: [
          new TableIndex({
            name: 'UQ_refresh_tokens_token_hash',
            columnNames: ['token_hash'],
            isUnique: true,
          }),
          new TableIndex({ name: 'IDX_refresh_tokens_family_id', columnNames: ['family_id'] }),
          new TableIndex({ name: 'IDX_refresh_tokens_client_id', columnNames: ['client_id'] }),
          new TableIndex({ name: 'IDX_refresh_tokens_expires_at', columnNames: ['expires_at'] }),
        ],
      }),
    );
    await qr.createTable(
      new Table({
        name: 'access_tokens',
        columns: [
          { name: 'jti', type: 'varchar', length: '26', isPrimary: true },
          { name: 'client_id', type: 'varchar', length: '26' },
          { name: 'user_id', type: 'varchar', length: '191', isNullable: true },
          { name: 'family_id', type: 'varchar', length: '26', isNullable: true },
          { name: 'scopes', type: 'text' },
          { name: 'issued_at', type: 'bigint' },
          { name: 'expires_at', type: 'bigint' },
          { name: 'revoked_at', type: 'bigint', isNullable: true },
        ],
        indices: [
          new TableIndex({ name: 'IDX_access_tokens_client_id', columnNames: ['client_id'] }),
          new TableIndex({ name: 'IDX_access_tokens_family_id', columnNames: ['family_id'] }),
          new TableIndex({ name: 'IDX_access_tokens_expires_at', columnNames: ['expires_at'] }),
        ],
      }),
    );
    await qr.createTable(
      new Table({
        name: 'client_assertion_jtis',
        columns: [
          { name: 'client_id', type: 'varchar', length: '26', isPrimary: true },
          { name: 'jti_hash', type: 'varchar', length: '64', isPrimary: true },
          { name: 'expires_at', type: 'bigint' },
        ],
        indices: [
          new TableIndex({
            name: 'IDX_client_assertion_jtis_expires_at',
            columnNames: ['expires_at'],
          }),
        ],
      }),
    );
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.dropTable('client_assertion_jtis');
    await qr.dropTable('access_tokens');
    await qr.dropTable('refresh_tokens');
    await qr.dropTable('authorization_codes');
  }
}
