import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * `dpop_jkt` on `authorization_requests` and `authorization_codes`: the JWK SHA-256 thumbprint of the
 * DPoP key an authorization code is bound to (RFC 9449 §10), from the `dpop_jkt` authorization request
 * parameter or the DPoP proof sent with a pushed authorization request (§10.1). Null when the request
 * named no key, and for rows written before this column existed (they expire within minutes).
 */
export class AddDpopJkt1735500000000 implements MigrationInterface {
  name = 'AddDpopJkt1735500000000';

  async up(qr: QueryRunner): Promise<void> {
    for (const table of ['authorization_requests', 'authorization_codes']) {
      await qr.addColumn(
        table,
        new TableColumn({ name: 'dpop_jkt', type: 'varchar', length: '43', isNullable: true }),
      );
    }
  }

  async down(qr: QueryRunner): Promise<void> {
    for (const table of ['authorization_codes', 'authorization_requests']) {
      await qr.dropColumn(table, 'dpop_jkt');
    }
  }
}
