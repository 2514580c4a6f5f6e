import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * RFC 8707 resource indicators requested at the authorization endpoint: kept with the pending request and
 * with the code, so that the token endpoint issues tokens only for the resources the user's authorization
 * named (RFC 8707 §2.2). A JSON array in a nullable text column; null means none were named.
 */
export class AddResourceIndicators1732800005000 implements MigrationInterface {
  name = 'AddResourceIndicators1732800005000';

  async up(qr: QueryRunner): Promise<void> {
    for (const table of ['authorization_requests', 'authorization_codes']) {
      await qr.addColumn(
        table,
        new TableColumn({ name: 'resources', type: 'text', isNullable: true }),
      );
    }
  }

  async down(qr: QueryRunner): Promise<void> {
    for (const table of ['authorization_codes', 'authorization_requests']) {
      await qr.dropColumn(table, 'resources');
    }
  }
}
