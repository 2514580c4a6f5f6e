// A plain mysql2 storage adapter for oidc-provider, used only by the benchmark's comparison server
// (bench/oidc-provider/server.mjs). It implements oidc-provider's Adapter interface (constructor(name),
// upsert, find, findByUserCode, findByUid, consume, destroy, revokeByGrantId) over ONE table: every model
// (Client, RegistrationAccessToken, Grant, Session, AuthorizationCode, tokens, ...) is a row keyed by
// (model, id) with the payload as JSON, the few looked-up fields (grant id, user code, session uid) as
// indexed columns, and an expiry in epoch seconds. Statements go through `pool.execute` (server-side
// prepared statements cached per connection), which is what a straightforward production adapter does.
//
// Expired rows are filtered out on read and never purged here: a benchmark database lives minutes.

/** The table every model shares. Epoch seconds, as oidc-provider's own payloads (`exp`, `iat`). */
export const OIDC_TABLE_DDL = `CREATE TABLE IF NOT EXISTS oidc_models (
  model VARCHAR(40) NOT NULL,
  id VARCHAR(255) NOT NULL,
  payload JSON NOT NULL,
  grant_id VARCHAR(255) NULL,
  user_code VARCHAR(255) NULL,
  uid VARCHAR(255) NULL,
  expires_at BIGINT NULL,
  consumed_at BIGINT NULL,
  PRIMARY KEY (model, id),
  KEY idx_oidc_models_grant_id (grant_id),
  KEY idx_oidc_models_user_code (model, user_code),
  KEY idx_oidc_models_uid (model, uid)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`;

const nowSeconds = () => Math.floor(Date.now() / 1000);

/**
 * Returns an adapter class bound to a mysql2/promise pool, for `new Provider(issuer, { adapter })`.
 * oidc-provider instantiates it once per model name.
 */
export function mysqlAdapter(pool) {
  return class MysqlAdapter {
    constructor(name) {
      this.model = name;
    }

    /** Insert or replace; `expiresIn` seconds from now (absent for models that do not expire). */
    async upsert(id, payload, expiresIn) {
      const expiresAt = expiresIn ? nowSeconds() + expiresIn : null;
      await pool.execute(
        `INSERT INTO oidc_models (model, id, payload, grant_id, user_code, uid, expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON DUPLICATE KEY UPDATE payload = VALUES(payload), grant_id = VALUES(grant_id),
           user_code = VALUES(user_code), uid = VALUES(uid), expires_at = VALUES(expires_at)`,
        [
          this.model,
          id,
          JSON.stringify(payload),
          payload.grantId ?? null,
          payload.userCode ?? null,
          payload.uid ?? null,
          expiresAt,
        ],
      );
    }

    async find(id) {
      return this.#one('id', id);
    }

    async findByUserCode(userCode) {
      return this.#one('user_code', userCode);
    }

    async findByUid(uid) {
      return this.#one('uid', uid);
    }

    /** Marks a single-use artefact (authorization code, ...) as used; oidc-provider checks `consumed`. */
    async consume(id) {
      await pool.execute('UPDATE oidc_models SET consumed_at = ? WHERE model = ? AND id = ?', [
        nowSeconds(),
        this.model,
        id,
      ]);
    }

    async destroy(id) {
      await pool.execute('DELETE FROM oidc_models WHERE model = ? AND id = ?', [this.model, id]);
    }

    async revokeByGrantId(grantId) {
      await pool.execute('DELETE FROM oidc_models WHERE grant_id = ? AND model = ?', [
        grantId,
        this.model,
      ]);
    }

    async #one(column, value) {
      // The column name comes from this class only, never from a request.
      const [rows] = await pool.execute(
        `SELECT payload, consumed_at FROM oidc_models
         WHERE model = ? AND ${column} = ? AND (expires_at IS NULL OR expires_at > ?)`,
        [this.model, value, nowSeconds()],
      );
      if (rows.length === 0) return undefined;
      // MariaDB's JSON is LONGTEXT (a string here); MySQL 8's arrives parsed.
      const raw = rows[0].payload;
      const payload = typeof raw === 'string' ? JSON.parse(raw) : raw;
      if (rows[0].consumed_at !== null) payload.consumed = Number(rows[0].consumed_at);
      return payload;
    }
  };
}
