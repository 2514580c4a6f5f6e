import { createRequire } from 'node:module';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOAuthError } from './helpers/oauth-assertions.js';
import { startTcpProxy, type TcpProxy } from './helpers/tcp-proxy.js';
import {
  createTestApp,
  createTestDatabase,
  TEST_DB_TYPE,
  type TestApp,
} from './helpers/test-app.js';

// Issue 9 "fail fast" (docs/faults.md): when the database stalls or goes away, requests answer
// 503 temporarily_unavailable with Retry-After within the configured bounds, leave no half-written rows,
// and succeed again by themselves once the database is back.

const REGISTER = '/connect/register';
const client = { redirect_uris: ['https://app.example.com/cb'], client_name: 'Faults' };

/** Bounds of the MariaDB runs: a stalled request must end within acquire + statement timeout. */
const ACQUIRE_MS = 1000;
const QUERY_MS = 1500;
/**
 * Generous ceiling for "within the bound" on a shared 2-core machine; without the bounds a stalled request
 * waits as long as the stall lasts (issue 9: 15 s).
 */
const CEILING_MS = 2 * (ACQUIRE_MS + QUERY_MS);

async function timed<T>(fn: () => Promise<T>): Promise<{ res: T; ms: number }> {
  const start = performance.now();
  const res = await fn();
  return { res, ms: performance.now() - start };
}

function expectUnavailable(res: request.Response): void {
  expectOAuthError(res, 503, 'temporarily_unavailable');
  expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
}

describe.skipIf(TEST_DB_TYPE !== 'mysql')(
  'fail fast through a stalled or cut MariaDB connection (TCP proxy)',
  () => {
    let proxy: TcpProxy;
    let t: TestApp;
    let drop: () => Promise<void>;

    beforeAll(async () => {
      const db = await createTestDatabase();
      drop = db.drop;
      proxy = await startTcpProxy(db.env.DB_HOST, Number(db.env.DB_PORT));
      t = await createTestApp({
        database: { ...db.env, DB_PORT: String(proxy.port) },
        env: {
          DB_POOL_SIZE: '4',
          DB_POOL_QUEUE_LIMIT: '50',
          DB_ACQUIRE_TIMEOUT_MS: String(ACQUIRE_MS),
          DB_QUERY_TIMEOUT_MS: String(QUERY_MS),
          REGISTRATION_RATE_LIMIT: '0',
        },
      });
    });
    afterAll(async () => {
      proxy?.resume();
      await t?.close();
      await proxy?.close();
      await drop?.();
    });

    it('answers 503 with Retry-After within the bound while the database stalls, and recovers after', async () => {
      await request(t.url).post(REGISTER).send(client).expect(201);
      proxy.pause();
      // More requests than pooled connections: some stall on a statement, the rest wait for a connection.
      const stalled = await Promise.all(
        Array.from({ length: 12 }, () => timed(() => request(t.url).post(REGISTER).send(client))),
      );
      for (const { res, ms } of stalled) {
        expectUnavailable(res);
        expect(ms).toBeLessThan(CEILING_MS);
      }
      proxy.resume();
      // No retry loop: the very next request succeeds on a fresh connection.
      await request(t.url).post(REGISTER).send(client).expect(201);
      // And the pool is whole again: as many concurrent requests as before all succeed.
      const after = await Promise.all(
        Array.from({ length: 12 }, () => request(t.url).post(REGISTER).send(client)),
      );
      expect(after.map((r) => r.status)).toEqual(Array(12).fill(201));
    });

    it('answers 503 at once when the connection is cut, and recovers after', async () => {
      await request(t.url).post(REGISTER).send(client).expect(201);
      proxy.cut();
      const cut = await Promise.all(
        Array.from({ length: 6 }, () => timed(() => request(t.url).post(REGISTER).send(client))),
      );
      for (const { res, ms } of cut) {
        expectUnavailable(res);
        expect(ms).toBeLessThan(CEILING_MS);
      }
      proxy.resume();
      await request(t.url).post(REGISTER).send(client).expect(201);
    });

    it('a statement that times out inside a transaction leaves no row and no open transaction behind', async () => {
      const ds = t.dataSource;
      await ds.query('CREATE TABLE fault_probe (id INT PRIMARY KEY)');
      const failed = ds.transaction(async (m) => {
        await m.query('INSERT INTO fault_probe (id) VALUES (1)');
        proxy.pause();
        await m.query('INSERT INTO fault_probe (id) VALUES (2)');
      });
      await expect(failed).rejects.toMatchObject({
        driverError: { code: 'PROTOCOL_SEQUENCE_TIMEOUT' },
      });
      proxy.resume();
      // Every pooled connection is outside any transaction: use them all at once.
      const states = await Promise.all(
        Array.from({ length: 4 }, () =>
          ds.query<{ t: number | string }[]>('SELECT @@in_transaction AS t'),
        ),
      );
      expect(states.map((r) => Number(r[0].t))).toEqual([0, 0, 0, 0]);
      // The first insert was rolled back with the dropped connection; a new transaction commits alone.
      await ds.transaction((m) => m.query('INSERT INTO fault_probe (id) VALUES (3)'));
      const rows = await ds.query<{ id: number }[]>('SELECT id FROM fault_probe ORDER BY id');
      expect(rows.map((r) => r.id)).toEqual([3]);
    });
  },
);

describe.skipIf(TEST_DB_TYPE !== 'sqlite')(
  'fail fast on a locked SQLite database (another process holds the write lock)',
  () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp({
        env: { DB_SQLITE_BUSY_TIMEOUT_MS: '200', REGISTRATION_RATE_LIMIT: '0' },
      });
    });
    afterAll(async () => {
      await t?.close();
    });

    it('answers 503 with Retry-After after the busy timeout, and succeeds once the lock is gone', async () => {
      await request(t.url).post(REGISTER).send(client).expect(201);
      const Database = createRequire(import.meta.url)('better-sqlite3') as new (path: string) => {
        exec(sql: string): void;
        close(): void;
      };
      const other = new Database(t.env.DB_SQLITE_PATH);
      try {
        other.exec('BEGIN IMMEDIATE');
        const before = await t.dataSource.query<{ n: number }[]>(
          'SELECT COUNT(*) AS n FROM oauth_clients',
        );
        expectUnavailable(await request(t.url).post(REGISTER).send(client));
        other.exec('ROLLBACK');
        // Nothing of the refused registration was written.
        const after = await t.dataSource.query<{ n: number }[]>(
          'SELECT COUNT(*) AS n FROM oauth_clients',
        );
        expect(after[0].n).toBe(before[0].n);
      } finally {
        other.close();
      }
      await request(t.url).post(REGISTER).send(client).expect(201);
    });
  },
);
