import { Table, TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { newUlid } from '../../common/crypto/ids.js';
import { timestampColumns } from '../migration-helpers.js';

/** Rows copied per INSERT statement (well under SQLite's and MySQL's placeholder limits). */
const BATCH = 200;

/**
 * `client_secrets`: several secrets per client (the oauth-service reference's O34–O38: rotation with a
 * grace period, at most two active secrets). Each existing `oauth_clients.client_secret_hash` becomes the
 * client's one active secret with the same hash and `client_secret_expires_at`, so every issued secret
 * keeps working; the two columns leave `oauth_clients`. `down` puts each client's newest active secret
 * back.
 */
export class CreateClientSecrets1734300000000 implements MigrationInterface {
  name = 'CreateClientSecrets1734300000000';

  async up(qr: QueryRunner): Promise<void> {
    await qr.createTable(
      new Table({
        name: 'client_secrets',
        columns: [
          { name: 'id', type: 'varchar', length: '26', isPrimary: true },
          { name: 'client_id', type: 'varchar', length: '26' },
          { name: 'secret_hash', type: 'varchar', length: '64' },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'expires_at', type: 'bigint', default: 0 },
          { name: 'last_used_at', type: 'bigint', isNullable: true },
          ...timestampColumns(qr),
        ],
      }),
    );
    await qr.createIndex(
      'client_secrets',
      new TableIndex({ name: 'IDX_client_secrets_client_id', columnNames: ['client_id'] }),
    );
    const rows = (await qr.query(
      'SELECT id, client_secret_hash AS hash, client_secret_expires_at AS exp FROM oauth_clients ' +
        'WHERE client_secret_hash IS NOT NULL',
    )) as { id: string; hash: string; exp: string | number }[];
    for (let i = 0; i < rows.length; i += BATCH) {
      const batch = rows.slice(i, i + BATCH);
      await qr.query(
        'INSERT INTO client_secrets (id, client_id, secret_hash, status, expires_at) VALUES ' +
          batch.map(() => "(?, ?, ?, 'active', ?)").join(', '),
        batch.flatMap((r) => [newUlid(), r.id, r.hash, Number(r.exp)]),
      );
    }
    await qr.dropColumn('oauth_clients', 'client_secret_hash');
    await qr.dropColumn('oauth_clients', 'client_secret_expires_at');
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.addColumn(
      'oauth_clients',
      new TableColumn({
        name: 'client_secret_hash',
        type: 'varchar',
        length: '64',
        isNullable: true,
      }),
    );
    await qr.addColumn(
      'oauth_clients',
      new TableColumn({ name: 'client_secret_expires_at', type: 'bigint', default: 0 }),
    );
    const rows = (await qr.query(
      "SELECT client_id, secret_hash AS hash, expires_at AS exp FROM client_secrets WHERE status = 'active' " +
        'ORDER BY id',
    )) as { client_id: string; hash: string; exp: string | number }[];
    // Ordered by id (ULIDs grow with time): the last row of a client is its newest active secret.
    for (const r of rows) {
      await qr.query(
        'UPDATE oauth_clients SET client_secret_hash = ?, client_secret_expires_at = ? WHERE id = ?',
        [r.hash, Number(r.exp), r.client_id],
      );
    }
    await qr.dropTable('client_secrets');
  }
}
