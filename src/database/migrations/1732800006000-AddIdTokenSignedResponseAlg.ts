import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * OpenID Connect Dynamic Client Registration §2 `id_token_signed_response_alg`: the JWS algorithm of the
 * client's ID tokens (`RS256` or `ES256`). Nullable: null means the server default (`TOKEN_ID_ALG`).
 */
export class AddIdTokenSignedResponseAlg1732800006000 implements MigrationInterface {
  name = 'AddIdTokenSignedResponseAlg1732800006000';

  async up(qr: QueryRunner): Promise<void> {
    await qr.addColumn(
      'oauth_clients',
      new TableColumn({
        name: 'id_token_signed_response_alg',
        type: 'varchar',
        length: '16',
        isNullable: true,
      }),
    );
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.dropColumn('oauth_clients', 'id_token_signed_response_alg');
  }
}
