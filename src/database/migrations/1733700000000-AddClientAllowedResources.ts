import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The RFC 8707 resources an operator allows one client to request tokens for (a JSON array of exact URIs
 * or prefixes ending in `/`, in a nullable text column). Null, the value of every existing client, means
 * the server-wide `RESOURCE_INDICATORS_ALLOWED` applies (issue 7 item 5).
 */
export class AddClientAllowedResources1733700000000 implements MigrationInterface {
  name = 'AddClientAllowedResources1733700000000';

  async up(qr: QueryRunner): Promise<void> {
    await qr.addColumn(
      'oauth_clients',
      new TableColumn({ name: 'allowed_resources', type: 'text', isNullable: true }),
    );
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.dropColumn('oauth_clients', 'allowed_resources');
  }
}
