import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * `signing_keys.activates_at`: when a key starts signing (docs/keys.md). A rotation stages the next key
 * with an activation time far enough ahead that every JWK Set copy lists it first; each instance then signs
 * with the newest key whose time has come. Existing keys have always signed since they were created.
 */
export class AddSigningKeyActivation1733300000000 implements MigrationInterface {
  name = 'AddSigningKeyActivation1733300000000';

  async up(qr: QueryRunner): Promise<void> {
    const column = new TableColumn({ name: 'activates_at', type: 'bigint', isNullable: true });
    await qr.addColumn('signing_keys', column);
    await qr.query(
      `UPDATE ${qr.connection.driver.escape('signing_keys')} SET ` +
        `${qr.connection.driver.escape('activates_at')} = ${qr.connection.driver.escape('created_at')}`,
    );
    await qr.changeColumn(
      'signing_keys',
      column,
      new TableColumn({ name: 'activates_at', type: 'bigint', isNullable: false }),
    );
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.dropColumn('signing_keys', 'activates_at');
  }
}
