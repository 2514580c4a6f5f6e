// `--clients N`: bulk-inserts N registered clients straight into the database (not through the API), for
// issue 11's "latency flat between 1,000 and 1,000,000 registered clients". Each seeded client is a copy
// of one client registered through the API (the template), with a new id: the rows are what the server
// itself writes, whatever columns the schema has by then. Chunks of 100,000 rows, one statement each.
import { mysqlParams } from './common.mjs';

const CHUNK = 100_000;

/** `SELECT n FROM <numbers 1..size>` as a derived table: MariaDB's sequence engine, else cross joins. */
async function numbers(conn, size) {
  try {
    await conn.query('SELECT seq FROM seq_1_to_1 LIMIT 1');
    return `(SELECT seq AS n FROM seq_1_to_${size})`;
  } catch {
    const digits =
      '(SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9)';
    const places = Math.ceil(Math.log10(size + 1));
    const terms = Array.from({ length: places }, (_, i) => `d${i}.d * ${10 ** i}`).join(' + ');
    const from = Array.from({ length: places }, (_, i) => `${digits} d${i}`).join(', ');
    return `(SELECT ${terms} + 1 AS n FROM ${from} HAVING n <= ${size})`;
  }
}

async function mysqlConnection(database) {
  const { createConnection } = await import('mysql2/promise');
  return createConnection({ ...mysqlParams(), database });
}

/** Seeds AuthMS's `oauth_clients` (MariaDB or SQLite); returns the number of rows it then holds. */
export async function seedAuthms(target, n, template) {
  const table = 'oauth_clients';
  if (target.dbType === 'mysql') {
    const conn = await mysqlConnection(target.database);
    try {
      const [cols] = await conn.query(
        'SELECT COLUMN_NAME AS c FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION',
        [target.database, table],
      );
      const [uniq] = await conn.query(
        'SELECT DISTINCT COLUMN_NAME AS c FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND NON_UNIQUE = 0',
        [target.database, table],
      );
      const unique = new Set(uniq.map((r) => r.c));
      for (let offset = 0; offset < n; offset += CHUNK) {
        const size = Math.min(CHUNK, n - offset);
        // ULID-shaped ids (26 Crockford base32 characters) that sort after every real one.
        const id = `CONCAT('0SEED', LPAD(s.n + ${offset}, 21, '0'))`;
        const exprs = cols.map(({ c }) =>
          c === 'id' ? id : unique.has(c) ? `CONCAT('seed-', s.n + ${offset})` : `t.\`${c}\``,
        );
        await conn.query(
          `INSERT INTO \`${table}\` (${cols.map(({ c }) => `\`${c}\``).join(', ')})
           SELECT ${exprs.join(', ')} FROM ${await numbers(conn, size)} s
           JOIN \`${table}\` t ON t.id = ?`,
          [template.client_id],
        );
      }
      const [[{ total }]] = await conn.query(`SELECT COUNT(*) AS total FROM \`${table}\``);
      return Number(total);
    } finally {
      await conn.end();
    }
  }
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(target.sqlitePath);
  try {
    db.pragma('busy_timeout = 30000');
    const cols = db.prepare(`PRAGMA table_info(${table})`).all();
    const unique = new Set();
    for (const idx of db.prepare(`PRAGMA index_list(${table})`).all())
      if (idx.unique)
        for (const c of db.prepare(`PRAGMA index_info("${idx.name}")`).all()) unique.add(c.name);
    for (let offset = 0; offset < n; offset += CHUNK) {
      const size = Math.min(CHUNK, n - offset);
      const exprs = cols.map(({ name }) =>
        name === 'id'
          ? `printf('0SEED%021d', s.n + ${offset})`
          : unique.has(name)
            ? `'seed-' || (s.n + ${offset})`
            : `t."${name}"`,
      );
      db.prepare(
        `WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < ${size})
         INSERT INTO ${table} (${cols.map(({ name }) => `"${name}"`).join(', ')})
         SELECT ${exprs.join(', ')} FROM s JOIN ${table} t ON t.id = ?`,
      ).run(template.client_id);
    }
    return db.prepare(`SELECT COUNT(*) AS total FROM ${table}`).get().total;
  } finally {
    db.close();
  }
}

/**
 * Seeds oidc-provider's one table: a `Client` row and its `RegistrationAccessToken` row per client, as
 * its registration writes them, copied from the template with the ids patched inside the JSON.
 */
export async function seedOidcProvider(target, n, template) {
  const conn = await mysqlConnection(target.database);
  try {
    const rat = template.registration_access_token;
    for (let offset = 0; offset < n; offset += CHUNK) {
      const size = Math.min(CHUNK, n - offset);
      const nums = await numbers(conn, size);
      const clientId = `CONCAT('seed', LPAD(s.n + ${offset}, 21, '0'))`;
      const ratId = `CONCAT('seedrat', LPAD(s.n + ${offset}, 36, '0'))`;
      await conn.query(
        `INSERT INTO oidc_models (model, id, payload, grant_id, user_code, uid, expires_at)
         SELECT 'Client', ${clientId}, JSON_SET(t.payload, '$.client_id', ${clientId}),
           NULL, NULL, NULL, t.expires_at
         FROM ${nums} s JOIN oidc_models t ON t.model = 'Client' AND t.id = ?`,
        [template.client_id],
      );
      const [rats] = await conn.query(
        `INSERT INTO oidc_models (model, id, payload, grant_id, user_code, uid, expires_at)
         SELECT 'RegistrationAccessToken', ${ratId},
           JSON_SET(t.payload, '$.jti', ${ratId}, '$.clientId', ${clientId}),
           NULL, NULL, NULL, t.expires_at
         FROM ${nums} s JOIN oidc_models t ON t.model = 'RegistrationAccessToken' AND t.id = ?`,
        [rat],
      );
      if (rats.affectedRows !== size)
        throw new Error(
          'oidc-provider seeding: the template registration access token row was not found',
        );
    }
    const [[{ total }]] = await conn.query(
      "SELECT COUNT(*) AS total FROM oidc_models WHERE model = 'Client'",
    );
    return Number(total);
  } finally {
    await conn.end();
  }
}
