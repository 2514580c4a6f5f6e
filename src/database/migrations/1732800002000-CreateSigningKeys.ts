import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { intType } from '../migration-helpers.js';

/** `signing_keys`: the server's JWS signing keys (KeysModule), private halves encrypted at rest. */
export class CreateSigningKeys1732800002000 implements MigrationInterface {
  name = 'CreateSigningKeys1732800002000';

  async up(qr: QueryRunner): Promise<void> {
    await qr.createTable(
      new Table({
        name: 'signing_keys',
        columns: [
          { name: 'kid', type: 'varchar', length: '64', isPrimary: true },
          { name: 'alg', type: 'varchar', length: '16' },
          { name: 'public_jwk', type: 'text' },
          { name: 'private_key_enc', type: 'text' },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'active_slot', type: intType(qr), isNullable: true },
          { name: 'created_at', type: 'bigint' },
          { name: 'retired_at', type: 'bigint', isNullable: true },
          { name: 'not_after', type: 'bigint', isNullable: true },
        ],
      }),
    );
    // At most one active key: two instances creating the first key at once cannot both succeed.
    await qr.createIndex(
      'signing_keys',
      new TableIndex({
        name: 'UQ_signing_keys_active_slot',
        columnNames: ['active_slot'],
        isUnique: true,
      }),
    );
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.dropTable('signing_keys');
  }
}
