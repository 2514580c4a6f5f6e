import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';
import { isMysql } from '../migration-helpers.js';

/**
 * RFC 9449 §5.2 client metadata `dpop_bound_access_tokens`: the client's token requests are refused
 * without a DPoP proof. Existing clients keep today's behaviour (false).
 */
export class AddDpopBoundAccessTokens1735000000000 implements MigrationInterface {
  name = 'AddDpopBoundAccessTokens1735000000000';

  async up(qr: QueryRunner): Promise<void> {
    await qr.addColumn(
      'oauth_clients',
      new TableColumn({
        name: 'dpop_bound_access_tokens',
        // TypeORM maps `boolean` to TINYINT on MySQL/MariaDB; say so, or the schema check sees drift.
        type: isMysql(qr) ? 'tinyint' : 'boolean',
        default: 0,
      }),
    );
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.dropColumn('oauth_clients', 'dpop_bound_access_tokens');
  }
}
