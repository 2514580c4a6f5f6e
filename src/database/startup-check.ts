import { createConnection } from 'mysql2/promise';
import type { DatabaseSettings } from './database.options.js';

/**
 * Start-up could not use the database, for a reason the operator must fix; `message` is the one line
 * `main.ts` prints before exiting 1 (docs/faults.md "Start-up messages").
 */
export class DatabaseStartupError extends Error {
  override name = 'DatabaseStartupError';
}

/** The longest pause between two start-up attempts. */
const MAX_RETRY_DELAY_MS = 30_000;

/** Connection errors worth another attempt: the server may still be starting or the network settling. */
const TRANSIENT = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'PROTOCOL_CONNECTION_LOST',
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_SHUTDOWN',
]);

/**
 * Waits until MySQL/MariaDB accepts a connection to the configured database, retrying transient failures
 * `DB_CONNECT_RETRIES` times with a delay that starts at `DB_CONNECT_RETRY_DELAY_MS` and doubles (capped at
 * 30 s). Failures that no retry fixes (no such database, access denied) end at once. Throws a
 * {@link DatabaseStartupError} whose message says what to do. SQLite needs no wait.
 */
export async function waitForDatabase(
  db: DatabaseSettings,
  onRetry: (message: string) => void = () => undefined,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): Promise<void> {
  if (db.type === 'sqlite') return;
  const at = `${db.host}:${db.port}`;
  for (let attempt = 0; ; attempt++) {
    try {
      const conn = await createConnection({
        host: db.host,
        port: db.port,
        user: db.user,
        password: db.password,
        database: db.name,
        connectTimeout: db.acquireTimeoutMs,
      });
      await conn.end();
      return;
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      if (code === 'ER_BAD_DB_ERROR') {
        throw new DatabaseStartupError(
          `database "${db.name}" does not exist at ${at}: create it with ` +
            `CREATE DATABASE \`${db.name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
        );
      }
      if (code === 'ER_ACCESS_DENIED_ERROR' || code === 'ER_DBACCESS_DENIED_ERROR') {
        throw new DatabaseStartupError(
          `access denied to database "${db.name}" at ${at} for user "${db.user}": check DB_USER, ` +
            "DB_PASSWORD and the user's grants",
        );
      }
      const reason = typeof code === 'string' ? code : (e as Error).message;
      if (typeof code !== 'string' || !TRANSIENT.has(code)) {
        throw new DatabaseStartupError(`cannot connect to the database at ${at}: ${reason}`);
      }
      if (attempt >= db.connectRetries) {
        throw new DatabaseStartupError(
          `cannot reach the database at ${at} (${reason}, ${attempt + 1} attempts): start it, or ` +
            'check DB_HOST and DB_PORT',
        );
      }
      const delay = Math.min(db.connectRetryDelayMs * 2 ** attempt, MAX_RETRY_DELAY_MS);
      onRetry(
        `database at ${at} not reachable (${reason}); retry ${attempt + 1} of ${db.connectRetries} in ${delay} ms`,
      );
      await sleep(delay);
    }
  }
}
