import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * `refresh_tokens.sid`: the login session (its public `sid`) the grant began in, so that an ID token
 * issued on refresh names the same session as the one issued with the code (OpenID Connect Back-Channel
 * Logout 1.0 §2.1, OIDC Core §12.2). Null for grants that began without a session, and for rows written
 * before this column existed.
 */
export class AddRefreshTokenSid1735200000000 implements MigrationInterface {
  name = 'AddRefreshTokenSid1735200000000';

  async up(qr: QueryRunner): Promise<void> {
    await qr.addColumn(
      'refresh_tokens',
      new TableColumn({ name: 'sid', type: 'varchar', length: '64', isNullable: true }),
    );
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.dropColumn('refresh_tokens', 'sid');
  }
}
