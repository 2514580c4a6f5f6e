import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * `users.roles`: space-separated role names (issue 8). A user with the `admin` role may obtain the
 * `admin` scope at `/oauth/authorize` through a client an operator allowed it. Existing users have none.
 */
export class AddUserRoles1734200002000 implements MigrationInterface {
  name = 'AddUserRoles1734200002000';

  async up(qr: QueryRunner): Promise<void> {
    await qr.addColumn(
      'users',
      new TableColumn({ name: 'roles', type: 'varchar', length: '255', default: "''" }),
    );
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.dropColumn('users', 'roles');
  }
}
