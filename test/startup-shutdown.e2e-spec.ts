import { request as httpRequest, type ClientRequest } from 'node:http';
import { connect, createServer } from 'node:net';
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../src/database/index.js';
import { spawnServer, type ServerProcess } from './helpers/server-process.js';
import { createTestDatabase, freePort, TEST_DB_TYPE } from './helpers/test-app.js';
import { createConnection } from 'mysql2/promise';
import { DataSource } from 'typeorm';

// Issue 9 "start-up", "graceful shutdown" and "migration lock" (docs/faults.md), on the built server as an
// operator runs it: `node dist/src/main.js`, its exit status and what it prints.

const TEST_KEY = 'dGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktMzJieXQ=';
const LISTENING = /AuthMS listening on/;
/**
 * Each test starts one or two server processes; on a loaded 2-core machine a start takes seconds. The
 * tests run at once (`concurrent`): each has its own ports and database, and they mostly wait for their
 * children, so the file takes about as long as its longest test instead of the sum (docs/testing.md).
 */
const SPAWN = { timeout: 180_000, concurrent: true };
const STACK_LINE = /^\s+at .+:\d+:\d+\)?$/m;

/** The settings of a server process on `port` with the test database `db`. */
function serverEnv(port: number, db: Record<string, string>, extra: Record<string, string> = {}) {
  return {
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: String(port),
    ISSUER: `http://127.0.0.1:${port}`,
    LOG_LEVEL: 'log,warn,error',
    KEYS_ENCRYPTION_KEY: TEST_KEY,
    ...db,
    ...extra,
  };
}

/** The last non-empty line a refused start-up printed on stderr, after checking it printed no stack. */
async function refusal(server: ServerProcess): Promise<string> {
  const { code } = await server.exited;
  const { stdout, stderr } = server.output();
  expect(code, `${stdout}\n${stderr}`).toBe(1);
  expect(stdout + stderr).not.toMatch(STACK_LINE);
  return stderr.trim().split('\n').at(-1)!;
}

describe(`start-up refusals: one line, exit 1 (${TEST_DB_TYPE})`, SPAWN, () => {
  it('an unreachable database: retries with backoff, then "cannot reach the database at host:port"', async () => {
    const dead = await freePort(); // nothing listens there
    const server = spawnServer(
      serverEnv(await freePort(), {
        DB_TYPE: 'mariadb',
        DB_HOST: '127.0.0.1',
        DB_PORT: String(dead),
        DB_CONNECT_RETRIES: '2',
        DB_CONNECT_RETRY_DELAY_MS: '50',
      }),
    );
    expect(await refusal(server)).toBe(
      `cannot reach the database at 127.0.0.1:${dead} (ECONNREFUSED, 3 attempts): start it, or check DB_HOST and DB_PORT`,
    );
    const { stdout } = server.output();
    expect(stdout).toContain(`retry 1 of 2 in 50 ms`);
    expect(stdout).toContain(`retry 2 of 2 in 100 ms`);
  });

  it.skipIf(TEST_DB_TYPE !== 'mysql')(
    'a database that does not exist: says so and how to create it (MariaDB only)',
    async () => {
      const db = await createTestDatabase();
      await db.drop();
      const server = spawnServer(serverEnv(await freePort(), db.env));
      const name = db.env.DB_NAME;
      expect(await refusal(server)).toBe(
        `database "${name}" does not exist at ${db.env.DB_HOST}:${db.env.DB_PORT}: create it with ` +
          `CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
      );
    },
  );

  it('a port in use: "port N is in use"', async () => {
    const busy = createServer();
    const port = await freePort();
    await new Promise<void>((r) => busy.listen(port, '127.0.0.1', r));
    const db = await createTestDatabase();
    try {
      const server = spawnServer(serverEnv(port, db.env));
      expect(await refusal(server)).toBe(
        `port ${port} is in use (HOST 127.0.0.1): stop the other process or set PORT`,
      );
    } finally {
      busy.close();
      await db.drop();
    }
  });

  it('production with an http issuer: refused, unless ALLOW_HTTP_ISSUER=true on a loopback host', async () => {
    const db = await createTestDatabase();
    try {
      const port = await freePort();
      const prod = serverEnv(port, db.env, { NODE_ENV: 'production' });
      // Both at once: the refused one stops at the settings, before it opens the database or the port.
      const refused = spawnServer({ ...prod, ISSUER: 'http://auth.example.com' });
      const allowed = spawnServer({ ...prod, ALLOW_HTTP_ISSUER: 'true' });
      expect(await refusal(refused)).toMatch(
        /^ {2}ISSUER: must be https when NODE_ENV=production \(is http:\/\/auth\.example\.com\)/,
      );
      await allowed.waitFor(LISTENING);
      await request(`http://127.0.0.1:${port}`).get('/api/v1/health').expect(200);
      allowed.child.kill('SIGTERM');
      expect(await allowed.exited).toEqual({ code: 0, signal: null });
    } finally {
      await db.drop();
    }
  });
});

describe(`graceful shutdown on SIGTERM (${TEST_DB_TYPE})`, SPAWN, () => {
  // A database per test, as the tests run at once.
  const dbs: Awaited<ReturnType<typeof createTestDatabase>>[] = [];
  async function freshDatabase() {
    const db = await createTestDatabase();
    dbs.push(db);
    return db;
  }
  afterAll(async () => {
    for (const db of dbs) await db.drop();
  });

  /**
   * Starts a registration whose body is not sent yet: once the server answered `100 Continue` it is an
   * in-flight request (RFC 9110 §10.1.1), which the test completes — or not — when it likes.
   */
  async function inFlightRegistration(port: number) {
    const body = JSON.stringify({ redirect_uris: ['https://app.example.com/cb'] });
    const req: ClientRequest = httpRequest({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/connect/register',
      headers: {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        expect: '100-continue',
      },
    });
    const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
      req.on('response', (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, body: text }));
      });
      req.on('error', reject);
    });
    req.flushHeaders();
    await new Promise<void>((resolve) => req.once('continue', resolve));
    return { send: () => req.end(body), response };
  }

  it('stops accepting, finishes the in-flight request, closes the pool and exits 0', async () => {
    const port = await freePort();
    const db = await freshDatabase();
    const server = spawnServer(serverEnv(port, db.env, { SHUTDOWN_TIMEOUT_MS: '20000' }));
    await server.waitFor(LISTENING);
    const inFlight = await inFlightRegistration(port);
    server.child.kill('SIGTERM');
    await server.waitFor(/SIGTERM: shutting down/);
    // New connections are refused from now on.
    await expect(
      new Promise((resolve, reject) => {
        const s = connect(port, '127.0.0.1', () => resolve(s.destroy()));
        s.on('error', reject);
      }),
    ).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    inFlight.send();
    const res = await inFlight.response;
    expect(res.status).toBe(201);
    expect(JSON.parse(res.body)).toHaveProperty('client_id');
    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect(server.output().stdout).toContain('stopped: connections and database pool closed');
  });

  it('cuts a request still open after SHUTDOWN_TIMEOUT_MS and exits 1', async () => {
    const port = await freePort();
    const db = await freshDatabase();
    const server = spawnServer(serverEnv(port, db.env, { SHUTDOWN_TIMEOUT_MS: '300' }));
    await server.waitFor(LISTENING);
    const inFlight = await inFlightRegistration(port);
    server.child.kill('SIGTERM');
    // The body never comes: at the deadline its connection is closed.
    await expect(inFlight.response).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(await server.exited).toEqual({ code: 1, signal: null });
    expect(server.output().stdout).toContain('in-flight requests still open after 300 ms');
  });
});

describe(
  `migration lock: two instances starting together on one fresh database (${TEST_DB_TYPE})`,
  SPAWN,
  () => {
    it('both come up and every migration ran once', async () => {
      const db = await createTestDatabase();
      const servers: ServerProcess[] = [];
      try {
        const ports = [await freePort(), await freePort()];
        for (const port of ports) servers.push(spawnServer(serverEnv(port, db.env)));
        await Promise.all(servers.map((s) => s.waitFor(LISTENING)));
        for (const port of ports) {
          await request(`http://127.0.0.1:${port}`).get('/api/v1/health').expect(200);
        }
        const names = await executedMigrations(db.env);
        expect(names.sort()).toEqual(MIGRATIONS.map((m) => m.name).sort());
        // One instance migrated, the other found nothing pending.
        const ran = servers.map((s) => /ran \d+ migration/.test(s.output().stdout));
        expect(ran.filter(Boolean)).toHaveLength(1);
        for (const s of servers) s.child.kill('SIGTERM');
        for (const s of servers) expect((await s.exited).code).toBe(0);
      } finally {
        for (const s of servers) if (s.child.exitCode === null) s.child.kill('SIGKILL');
        await db.drop();
      }
    });
  },
);

/** The `name` column of the `migrations` table of the test database. */
async function executedMigrations(env: Record<string, string>): Promise<string[]> {
  if (env.DB_TYPE === 'sqlite') {
    const ds = new DataSource({ type: 'better-sqlite3', database: env.DB_SQLITE_PATH });
    await ds.initialize();
    try {
      const rows = await ds.query<{ name: string }[]>('SELECT name FROM migrations');
      return rows.map((r) => r.name);
    } finally {
      await ds.destroy();
    }
  }
  const conn = await createConnection({
    host: env.DB_HOST,
    port: Number(env.DB_PORT),
    user: env.DB_USER,
    password: env.DB_PASSWORD,
    database: env.DB_NAME,
  });
  try {
    const [rows] = await conn.query('SELECT name FROM migrations');
    return (rows as { name: string }[]).map((r) => r.name);
  } finally {
    await conn.end();
  }
}
