import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * `pushed_authorization_requests` (RFC 9126 §2): authorization requests pushed by authenticated clients,
 * redeemed once at the authorization endpoint through their `request_uri`. Only a SHA-256 hash of the
 * request_uri's random part is stored, so the table does not hand out usable request URIs.
 */
export class CreatePushedAuthorizationRequests1734700001000 implements MigrationInterface {
  name = 'CreatePushedAuthorizationRequests1734700001000';

  async up(qr: QueryRunner): Promise<void> {
    await qr.createTable(
      new Table({
        name: 'pushed_authorization_requests',
        columns: [
          { name: 'id_hash', type: 'varchar', length: '64', isPrimary: true },
          { name: 'client_id', type: 'varchar', length: '255' },
          { name: 'params', type: 'text' },
          { name: 'created_at', type: 'bigint' },
          { name: 'expires_at', type: 'bigint' },
        ],
        indices: [
          new TableIndex({
            name: 'IDX_pushed_authorization_requests_expires_at',
            columnNames: ['expires_at'],
          }),
        ],
      }),
    );
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.dropTable('pushed_authorization_requests');
  }
}
