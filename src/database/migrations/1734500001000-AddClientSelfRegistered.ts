import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';
import { isMysql } from '../migration-helpers.js';

/**
 * `oauth_clients.self_registered`: whether the client registered itself, without an initial access token
 * (open registration, RFC 7591 §3). Such clients are marked unverified on the consent page, are held to
 * `REGISTRATION_ALLOWED_REDIRECT_HOSTS`, and get the error page of `AUTHORIZE_UNTRUSTED_ERROR_PAGE`
 * (issue 7 items 1 and 9). Nobody can tell how existing clients were registered, so they are marked
 * self-registered: the cautious reading.
 */
export class AddClientSelfRegistered1734500001000 implements MigrationInterface {
  name = 'AddClientSelfRegistered1734500001000';

  async up(qr: QueryRunner): Promise<void> {
    await qr.addColumn(
      'oauth_clients',
      new TableColumn({
        name: 'self_registered',
        type: isMysql(qr) ? 'tinyint' : 'boolean',
        isNullable: false,
        default: 0,
      }),
    );
    await qr.query('UPDATE oauth_clients SET self_registered = 1');
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.dropColumn('oauth_clients', 'self_registered');
  }
}
