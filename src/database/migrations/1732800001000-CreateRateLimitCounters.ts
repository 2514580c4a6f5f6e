import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { intType } from '../migration-helpers.js';

/** `rate_limit_counters`: fixed-window counters shared by all instances (RateLimitModule). */
export class CreateRateLimitCounters1732800001000 implements MigrationInterface {
  name = 'CreateRateLimitCounters1732800001000';

  async up(qr: QueryRunner): Promise<void> {
    await qr.createTable(
      new Table({
        name: 'rate_limit_counters',
        columns: [
          { name: 'bucket_key', type: 'varchar', length: '191', isPrimary: true },
          { name: 'window_start', type: 'bigint', isPrimary: true },
          { name: 'hits', type: intType(qr) },
          { name: 'expires_at', type: 'bigint' },
        ],
      }),
    );
    await qr.createIndex(
      'rate_limit_counters',
      new TableIndex({ name: 'IDX_rate_limit_counters_expires_at', columnNames: ['expires_at'] }),
    );
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.dropTable('rate_limit_counters');
  }
}
