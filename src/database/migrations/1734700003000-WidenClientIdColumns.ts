import { type MigrationInterface, type QueryRunner } from 'typeorm';
import { isMysql } from '../migration-helpers.js';

/** Tables whose `client_id` held a 26-character ULID and must now hold a URL client_id too. */
const TABLES = [
  'authorization_requests',
  'consents',
  'authorization_codes',
  'refresh_tokens',
  'access_tokens',
  'client_assertion_jtis',
  'client_token_usage',
];

/**
 * Client ID Metadata Documents make a URL (up to 255 characters here) a client_id, so every `client_id`
 * column outside `oauth_clients` grows from VARCHAR(26) to VARCHAR(255). MySQL/MariaDB: `MODIFY` in
 * place (data, keys and indexes kept; 255 utf8mb4 characters fit in every index, composite ones too).
 * SQLite ignores the length, but TypeORM compares it, so the column is changed there too (TypeORM
 * rebuilds the table with its data).
 */
export class WidenClientIdColumns1734700003000 implements MigrationInterface {
  name = 'WidenClientIdColumns1734700003000';

  async up(qr: QueryRunner): Promise<void> {
    await this.resize(qr, '255');
  }

  async down(qr: QueryRunner): Promise<void> {
    await this.resize(qr, '26');
  }

  private async resize(qr: QueryRunner, length: string): Promise<void> {
    for (const name of TABLES) {
      if (isMysql(qr)) {
        await qr.query(`ALTER TABLE \`${name}\` MODIFY \`client_id\` varchar(${length}) NOT NULL`);
        continue;
      }
      const table = await qr.getTable(name);
      const column = table?.findColumnByName('client_id');
      if (!table || !column) throw new Error(`${name}.client_id not found`);
      const widened = column.clone();
      widened.length = length;
      await qr.changeColumn(table, column, widened);
    }
  }
}
