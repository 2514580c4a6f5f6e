import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { intType, timestampColumns } from '../migration-helpers.js';

/** `oauth_clients`: registered clients (RFC 7591), owned by ClientRegistrationModule. */
export class CreateOAuthClients1732800000000 implements MigrationInterface {
  name = 'CreateOAuthClients1732800000000';

  async up(qr: QueryRunner): Promise<void> {
    await qr.createTable(
      new Table({
        name: 'oauth_clients',
        columns: [
          { name: 'id', type: 'varchar', length: '26', isPrimary: true },
          { name: 'client_secret_hash', type: 'varchar', length: '64', isNullable: true },
          { name: 'client_secret_expires_at', type: 'bigint', default: 0 },
          { name: 'client_id_issued_at', type: 'bigint' },
          { name: 'registration_access_token_hash', type: 'varchar', length: '64' },
          { name: 'application_type', type: 'varchar', length: '16', default: "'web'" },
          { name: 'token_endpoint_auth_method', type: 'varchar', length: '32' },
          { name: 'redirect_uris', type: 'text' },
          { name: 'grant_types', type: 'text' },
          { name: 'response_types', type: 'text' },
          { name: 'scope', type: 'text' },
          { name: 'client_name', type: 'varchar', length: '255', isNullable: true },
          { name: 'client_uri', type: 'varchar', length: '2048', isNullable: true },
          { name: 'logo_uri', type: 'varchar', length: '2048', isNullable: true },
          { name: 'policy_uri', type: 'varchar', length: '2048', isNullable: true },
          { name: 'tos_uri', type: 'varchar', length: '2048', isNullable: true },
          { name: 'contacts', type: 'text', isNullable: true },
          { name: 'jwks', type: 'text', isNullable: true },
          { name: 'jwks_uri', type: 'varchar', length: '2048', isNullable: true },
          { name: 'software_id', type: 'varchar', length: '255', isNullable: true },
          { name: 'software_version', type: 'varchar', length: '255', isNullable: true },
          { name: 'version', type: intType(qr) },
          ...timestampColumns(qr, true),
        ],
      }),
    );
    await qr.createIndex(
      'oauth_clients',
      new TableIndex({ name: 'IDX_oauth_clients_deleted_at', columnNames: ['deleted_at'] }),
    );
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.dropTable('oauth_clients');
  }
}
