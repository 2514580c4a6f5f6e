import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { isMysql, timestampColumns } from '../migration-helpers.js';

/** `users`: end-users who sign in (UsersModule); passwords as argon2id hashes only. */
export class CreateUsers1732800002100 implements MigrationInterface {
  name = 'CreateUsers1732800002100';

  async up(qr: QueryRunner): Promise<void> {
    await qr.createTable(
      new Table({
        name: 'users',
        columns: [
          { name: 'id', type: 'varchar', length: '30', isPrimary: true },
          { name: 'username', type: 'varchar', length: '191' },
          { name: 'password_hash', type: 'varchar', length: '255' },
          { name: 'email', type: 'varchar', length: '254', isNullable: true },
          {
            name: 'email_verified',
            type: isMysql(qr) ? 'tinyint' : 'boolean',
            default: 0,
          },
          { name: 'name', type: 'varchar', length: '255', isNullable: true },
          { name: 'given_name', type: 'varchar', length: '255', isNullable: true },
          { name: 'family_name', type: 'varchar', length: '255', isNullable: true },
          ...timestampColumns(qr),
        ],
      }),
    );
    await qr.createIndex(
      'users',
      new TableIndex({ name: 'UQ_users_username', columnNames: ['username'], isUnique: true }),
    );
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.dropTable('users');
  }
}
