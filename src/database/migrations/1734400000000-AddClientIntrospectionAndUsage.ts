import { TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { isMysql } from '../migration-helpers.js';

/**
 * Two operator-facing columns of `oauth_clients`:
 * - `introspect_any_token`: the right to introspect tokens issued to other clients (resource servers,
 *   RFC 7662 §4); false for every existing and newly registered client (issue 7 item 4).
 * - `last_token_at`: epoch seconds of the last token the client obtained, written at most once a minute
 *   per client (idle-client reaping, docs/internal-api.md); null = never. Indexed for the reaper.
 */
export class AddClientIntrospectionAndUsage1734400000000 implements MigrationInterface {
  name = 'AddClientIntrospectionAndUsage1734400000000';

  async up(qr: QueryRunner): Promise<void> {
    await qr.addColumn(
      'oauth_clients',
      new TableColumn({
        name: 'introspect_any_token',
        // TypeORM maps `boolean` to TINYINT on MySQL/MariaDB; say so, or the schema check sees drift.
        type: isMysql(qr) ? 'tinyint' : 'boolean',
        default: 0,
      }),
    );
    await qr.addColumn(
      'oauth_clients',
      new TableColumn({ name: 'last_token_at', type: 'bigint', isNullable: true }),
    );
    await qr.createIndex(
      'oauth_clients',
      new TableIndex({ name: 'IDX_oauth_clients_last_token_at', columnNames: ['last_token_at'] }),
    );
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.dropIndex('oauth_clients', 'IDX_oauth_clients_last_token_at');
    await qr.dropColumn('oauth_clients', 'last_token_at');
    await qr.dropColumn('oauth_clients', 'introspect_any_token');
  }
}
