import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';
import { isMysql } from '../migration-helpers.js';

/**
 * Logout metadata of a client: `post_logout_redirect_uris` (OIDC RP-Initiated Logout 1.0 §3.1, a JSON
 * array in a nullable text column), `backchannel_logout_uri` and `backchannel_logout_session_required`
 * (OIDC Back-Channel Logout 1.0 §2.2). Existing clients get none: they keep working, without logout
 * redirects or logout tokens until they register them (issue 7 item 13).
 */
export class AddClientLogoutMetadata1734600000000 implements MigrationInterface {
  name = 'AddClientLogoutMetadata1734600000000';

  async up(qr: QueryRunner): Promise<void> {
    await qr.addColumns('oauth_clients', [
      new TableColumn({ name: 'post_logout_redirect_uris', type: 'text', isNullable: true }),
      new TableColumn({
        name: 'backchannel_logout_uri',
        type: 'varchar',
        length: '2048',
        isNullable: true,
      }),
      // TypeORM maps `boolean` to TINYINT on MySQL/MariaDB; say so, or the schema check sees drift.
      new TableColumn({
        name: 'backchannel_logout_session_required',
        type: isMysql(qr) ? 'tinyint' : 'boolean',
        default: 0,
      }),
    ]);
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.dropColumn('oauth_clients', 'backchannel_logout_session_required');
    await qr.dropColumn('oauth_clients', 'backchannel_logout_uri');
    await qr.dropColumn('oauth_clients', 'post_logout_redirect_uris');
  }
}
