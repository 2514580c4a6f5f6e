import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';
import { intType } from '../migration-helpers.js';

/**
 * `client_token_usage`: access tokens obtained per client per hour (the reference's O39 statistics),
 * owned by TokenModule. Starts empty: past issuance is not known (expired token records were purged).
 */
export class CreateClientTokenUsage1734300001000 implements MigrationInterface {
  name = 'CreateClientTokenUsage1734300001000';

  async up(qr: QueryRunner): Promise<void> {
    await qr.createTable(
      new Table({
        name: 'client_token_usage',
        columns: [
          { name: 'client_id', type: 'varchar', length: '26', isPrimary: true },
          { name: 'hour_start', type: 'bigint', isPrimary: true },
          { name: 'issued', type: intType(qr), default: 0 },
          { name: 'last_issued_at', type: 'bigint' },
        ],
      }),
    );
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.dropTable('client_token_usage');
  }
}
