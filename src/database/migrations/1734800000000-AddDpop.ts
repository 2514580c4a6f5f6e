import { Table, TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * DPoP (RFC 9449): `dpop_proof_jtis` holds the `jti` of every accepted proof while its `iat` is inside the
 * acceptance window (§11.1 replay detection, shared by every instance), and `refresh_tokens.dpop_jkt` binds
 * a public client's refresh token to its DPoP key (§5).
 */
export class AddDpop1734800000000 implements MigrationInterface {
  name = 'AddDpop1734800000000';

  async up(qr: QueryRunner): Promise<void> {
    await qr.createTable(
      new Table({
        name: 'dpop_proof_jtis',
        columns: [
          { name: 'jkt', type: 'varchar', length: '43', isPrimary: true },
          { name: 'jti_hash', type: 'varchar', length: '64', isPrimary: true },
          { name: 'expires_at', type: 'bigint' },
        ],
        indices: [
          new TableIndex({ name: 'IDX_dpop_proof_jtis_expires_at', columnNames: ['expires_at'] }),
        ],
      }),
    );
    await qr.addColumn(
      'refresh_tokens',
      new TableColumn({ name: 'dpop_jkt', type: 'varchar', length: '43', isNullable: true }),
    );
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.dropColumn('refresh_tokens', 'dpop_jkt');
    await qr.dropTable('dpop_proof_jtis');
  }
}
