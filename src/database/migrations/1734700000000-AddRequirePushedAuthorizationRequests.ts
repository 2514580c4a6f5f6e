import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';
import { isMysql } from '../migration-helpers.js';

/**
 * RFC 9126 §6 client metadata `require_pushed_authorization_requests`: the client's authorization
 * requests are refused unless they come through the pushed authorization request endpoint. Existing
 * clients keep today's behaviour (false).
 */
export class AddRequirePushedAuthorizationRequests1734700000000 implements MigrationInterface {
  name = 'AddRequirePushedAuthorizationRequests1734700000000';

  async up(qr: QueryRunner): Promise<void> {
    await qr.addColumn(
      'oauth_clients',
      new TableColumn({
        name: 'require_pushed_authorization_requests',
        // TypeORM maps `boolean` to TINYINT on MySQL/MariaDB; say so, or the schema check sees drift.
        type: isMysql(qr) ? 'tinyint' : 'boolean',
        default: 0,
      }),
    );
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.dropColumn('oauth_clients', 'require_pushed_authorization_requests');
  }
}
