import { TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Indexes on `user_id` of `access_tokens` and `refresh_tokens`: revoking every token of one user (the
 * admin batch revocation, the GDPR cascade, a revoked consent) is one indexed UPDATE per table instead
 * of a scan of every token ever issued.
 */
export class AddTokenUserIndexes1734400001000 implements MigrationInterface {
  name = 'AddTokenUserIndexes1734400001000';

  async up(qr: QueryRunner): Promise<void> {
    await qr.createIndex(
      'access_tokens',
      new TableIndex({ name: 'IDX_access_tokens_user_id', columnNames: ['user_id'] }),
    );
    await qr.createIndex(
      'refresh_tokens',
      new TableIndex({ name: 'IDX_refresh_tokens_user_id', columnNames: ['user_id'] }),
    );
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.dropIndex('refresh_tokens', 'IDX_refresh_tokens_user_id');
    await qr.dropIndex('access_tokens', 'IDX_access_tokens_user_id');
  }
}
