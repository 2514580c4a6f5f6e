import type { DataSource } from 'typeorm';
import { EntityColumns, HotSql, type SqlParam } from '../common/database/hot-sql.js';
import type { SecretCandidate } from './client-secret-check.js';
import { ClientSecretEntity } from './entities/client-secret.entity.js';
import { ClientEntity } from './entities/client.entity.js';

/**
 * The client reads of the request hot paths (token endpoint client authentication, introspection, RFC
 * 7592 read and update) as constant SQL ({@link HotSql}): the same rows TypeORM's `findOne` and
 * `leftJoinAndMapMany` gave, without its query building (docs/benchmarks.md). Every call still reads
 * the database: a deleted, suspended or changed client takes effect at once on every instance.
 */
export class ClientRows {
  private readonly hot: HotSql;
  private readonly client: EntityColumns<ClientEntity>;
  private readonly secret: EntityColumns<ClientSecretEntity>;
  private readonly oneSql = new Map<string, string>();
  private readonly withSecretsSql = new Map<string, string>();

  constructor(dataSource: DataSource) {
    this.hot = HotSql.of(dataSource);
    this.client = new EntityColumns(dataSource, ClientEntity, 'c', ['registrationAccessTokenHash']);
    this.secret = new EntityColumns(dataSource, ClientSecretEntity, 's', ['secretHash']);
  }

  /** The client matching `where` (a clause over alias `c`, e.g. ``WHERE c.`id` = ?``), or null. */
  async one(where: string, params: SqlParam[]): Promise<ClientEntity | null> {
    let sql = this.oneSql.get(where);
    if (!sql) {
      sql = `SELECT ${this.client.select} FROM \`oauth_clients\` c ${where} LIMIT 1`;
      this.oneSql.set(where, sql);
    }
    const [row] = await this.hot.rows(sql, params);
    return row ? this.client.map(row) : null;
  }

  /**
   * The client matching `where` with its secrets that still count: the active ones (expired too, so
   * that a check can say "expired") and inactive ones still in their grace period, i.e.
   * `status = 'active' OR expires_at > now`. `params` starts with `now` (epoch seconds), then the
   * parameters of `where`.
   */
  async withSecrets(
    where: string,
    params: SqlParam[],
  ): Promise<{ client: ClientEntity; secrets: SecretCandidate[] } | null> {
    let sql = this.withSecretsSql.get(where);
    if (!sql) {
      sql =
        `SELECT ${this.client.select}, ${this.secret.select} FROM \`oauth_clients\` c ` +
        'LEFT JOIN `client_secrets` s ON s.`client_id` = c.`id` ' +
        "AND (s.`status` = 'active' OR s.`expires_at` > ?) " +
        `${where} ORDER BY s.\`id\``;
      this.withSecretsSql.set(where, sql);
    }
    const rows = await this.hot.rows(sql, params);
    if (rows.length === 0) return null;
    const client = this.client.map(rows[0])!;
    const secrets: SecretCandidate[] = [];
    for (const row of rows) {
      const s = this.secret.map(row);
      if (s) secrets.push(s);
    }
    return { client, secrets };
  }
}
