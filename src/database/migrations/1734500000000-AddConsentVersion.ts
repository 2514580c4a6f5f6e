import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';
import { intType } from '../migration-helpers.js';

/**
 * `consents.version`: a counter bumped by every change of a consent row, so that merging newly approved
 * scopes is a compare-and-set (`UPDATE … WHERE version = ?`) and two instances approving at once never
 * lose each other's scopes (issue 7 item 14). Existing rows start at 1.
 */
export class AddConsentVersion1734500000000 implements MigrationInterface {
  name = 'AddConsentVersion1734500000000';

  async up(qr: QueryRunner): Promise<void> {
    await qr.addColumn(
      'consents',
      new TableColumn({ name: 'version', type: intType(qr), isNullable: false, default: 1 }),
    );
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.dropColumn('consents', 'version');
  }
}
