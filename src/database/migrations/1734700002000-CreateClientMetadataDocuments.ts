import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * `client_metadata_documents`: Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document)
 * fetched and validated, cached by the SHA-256 of their URL until their HTTP lifetime ends.
 */
export class CreateClientMetadataDocuments1734700002000 implements MigrationInterface {
  name = 'CreateClientMetadataDocuments1734700002000';

  async up(qr: QueryRunner): Promise<void> {
    await qr.createTable(
      new Table({
        name: 'client_metadata_documents',
        columns: [
          { name: 'url_hash', type: 'varchar', length: '64', isPrimary: true },
          { name: 'client_id', type: 'varchar', length: '255' },
          { name: 'metadata', type: 'text' },
          { name: 'fetched_at', type: 'bigint' },
          { name: 'expires_at', type: 'bigint' },
        ],
        indices: [
          new TableIndex({
            name: 'IDX_client_metadata_documents_expires_at',
            columnNames: ['expires_at'],
          }),
        ],
      }),
    );
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.dropTable('client_metadata_documents');
  }
}
