import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import { createConnection } from 'mysql2/promise';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientEntity } from '../src/client-registration/entities/client.entity.js';
import { createTestApp, TEST_DB_TYPE, type TestApp } from './helpers/test-app.js';

// The benchmark harness (bench/, issue 11) is plain JavaScript run by `npm run bench`; these tests keep
// the parts whose mistakes would silently falsify its figures honest, in a few seconds and without
// timing anything: the load generators' request accounting, the `--clients` seeding against the current
// schema, and the oidc-provider adapter's storage semantics. The modules are loaded by path, untyped.

interface LoadRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}
interface LoadResult {
  requests: number;
  seconds: number;
  p50Ms: number | null;
  p99Ms: number | null;
  failures: number;
}
interface LoadModule {
  runLoad(o: {
    loader: 'wrk' | 'node';
    host: string;
    base: string;
    requests: LoadRequest[];
    mode: 'cycle' | 'once';
    seconds: number;
    connections: number;
  }): Promise<LoadResult>;
}
interface SeedModule {
  seedAuthms(
    target: { dbType: 'mysql' | 'sqlite'; database?: string; sqlitePath?: string },
    n: number,
    template: { client_id: string },
  ): Promise<number>;
}
type Payload = Record<string, unknown>;
interface Adapter {
  upsert(id: string, payload: Payload, expiresIn?: number): Promise<void>;
  find(id: string): Promise<Payload | undefined>;
  findByUid(uid: string): Promise<Payload | undefined>;
  findByUserCode(code: string): Promise<Payload | undefined>;
  consume(id: string): Promise<void>;
  destroy(id: string): Promise<void>;
  revokeByGrantId(grantId: string): Promise<void>;
}
interface AdapterModule {
  OIDC_TABLE_DDL: string;
  mysqlAdapter(pool: unknown): new (name: string) => Adapter;
}

const benchModule = async <T>(path: string): Promise<T> =>
  (await import(new URL(`../bench/${path}`, import.meta.url).href)) as T;

const hasWrk = spawnSync('wrk', ['--version'], { stdio: 'ignore' }).error === undefined;

describe('bench load generators', () => {
  let server: Server;
  let base: string;
  const hits = new Map<string, number>();
  const bodies: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        hits.set(req.url ?? '', (hits.get(req.url ?? '') ?? 0) + 1);
        if (body) bodies.push(body);
        res.statusCode = req.url === '/fail' ? 400 : 200;
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const addr = server.address();
    base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const loaders = hasWrk ? (['node', 'wrk'] as const) : (['node'] as const);
  for (const loader of loaders) {
    it(`${loader}: "once" sends each single-use request at most once and stops when they run out`, async () => {
      const { runLoad } = await benchModule<LoadModule>('lib/load.mjs');
      hits.clear();
      const requests = Array.from({ length: 60 }, (_, i) => ({
        method: 'GET',
        path: `/once/${loader}/${i}`,
      }));
      const r = await runLoad({
        loader,
        host: new URL(base).host,
        base,
        requests,
        mode: 'once',
        seconds: 3,
        connections: 4,
      });
      // A code exchanged twice would be an error response, not a measurement.
      for (const [path, n] of hits) if (path.startsWith(`/once/${loader}/`)) expect(n).toBe(1);
      expect(r.failures).toBe(0);
      expect(r.requests).toBeGreaterThanOrEqual(60 - 4);
      expect(r.requests).toBeLessThanOrEqual(60);
      // Measured over its active time, not the 3 s asked for.
      expect(r.seconds).toBeLessThan(2);
    });

    it(`${loader}: "cycle" fills the counter placeholder without changing the body length`, async () => {
      const { runLoad } = await benchModule<LoadModule>('lib/load.mjs');
      bodies.length = 0;
      const body = JSON.stringify({ client_name: 'bench @@@@N@@@@' });
      const r = await runLoad({
        loader,
        host: new URL(base).host,
        base,
        requests: [
          { method: 'POST', path: '/cycle', headers: { 'content-type': 'application/json' }, body },
        ],
        mode: 'cycle',
        seconds: 1,
        connections: 2,
      });
      expect(r.failures).toBe(0);
      expect(r.requests).toBeGreaterThan(10);
      expect(bodies.length).toBeGreaterThan(10);
      for (const b of bodies) expect(b).toMatch(/^\{"client_name":"bench \d{9}"\}$/);
      expect(new Set(bodies).size).toBe(bodies.length);
    });

    it(`${loader}: counts error statuses as failures`, async () => {
      const { runLoad } = await benchModule<LoadModule>('lib/load.mjs');
      const r = await runLoad({
        loader,
        host: new URL(base).host,
        base,
        requests: [{ method: 'GET', path: '/fail' }],
        mode: 'cycle',
        seconds: 1,
        connections: 1,
      });
      expect(r.requests).toBeGreaterThan(0);
      expect(r.failures).toBe(r.requests);
    });
  }
});

describe('bench --clients seeding', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { REGISTRATION_RATE_LIMIT: '0' } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('copies a registered client N times in SQL, with new ids, on the current schema', async () => {
    const { seedAuthms } = await benchModule<SeedModule>('lib/seed.mjs');
    const res = await request(t.url)
      .post('/api/v1/oauth/register')
      .send({ client_name: 'template', redirect_uris: ['https://app.example.com/cb'] })
      .expect(201);
    const body = res.body as { client_id?: string; data?: { client_id: string } };
    const clientId = body.client_id ?? body.data?.client_id ?? '';
    const target =
      TEST_DB_TYPE === 'mysql'
        ? { dbType: 'mysql' as const, database: t.env.DB_NAME }
        : { dbType: 'sqlite' as const, sqlitePath: t.env.DB_SQLITE_PATH };
    expect(await seedAuthms(target, 250, { client_id: clientId })).toBe(251);
    const repo = t.dataSource.getRepository(ClientEntity);
    const seeded = await repo.findOneByOrFail({ id: '0SEED000000000000000000250' });
    expect(seeded.clientName).toBe('template');
    expect(seeded.redirectUris).toEqual(['https://app.example.com/cb']);
  });
});

describe.skipIf(TEST_DB_TYPE !== 'mysql')('bench oidc-provider mysql2 adapter', () => {
  const name = `oidcp_t_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const params = {
    host: process.env.DB_HOST ?? '127.0.0.1',
    port: Number(process.env.DB_PORT ?? 3306),
    user: process.env.DB_USER ?? 'root',
    password: process.env.DB_PASSWORD ?? '',
  };
  let pool: { end(): Promise<void>; query(sql: string): Promise<unknown> };
  let Adapter: new (model: string) => Adapter;

  beforeAll(async () => {
    const c = await createConnection(params);
    await c.query(`CREATE DATABASE \`${name}\``);
    await c.end();
    const { createPool } = await import('mysql2/promise');
    pool = createPool({ ...params, database: name, connectionLimit: 2 });
    const mod = await benchModule<AdapterModule>('oidc-provider/mysql-adapter.mjs');
    await pool.query(mod.OIDC_TABLE_DDL);
    Adapter = mod.mysqlAdapter(pool);
  });
  afterAll(async () => {
    await pool.end();
    const c = await createConnection(params);
    await c.query(`DROP DATABASE IF EXISTS \`${name}\``);
    await c.end();
  });

  it('stores per model, replaces on upsert and hides expired rows', async () => {
    const codes = new Adapter('AuthorizationCode');
    const tokens = new Adapter('AccessToken');
    await codes.upsert('x', { jti: 'x', kind: 'AuthorizationCode', grantId: 'g1' }, 60);
    expect(await codes.find('x')).toEqual({ jti: 'x', kind: 'AuthorizationCode', grantId: 'g1' });
    expect(await tokens.find('x')).toBeUndefined();
    await codes.upsert('x', { jti: 'x', v: 2 }, 60);
    expect(await codes.find('x')).toEqual({ jti: 'x', v: 2 });
    await codes.upsert('old', { jti: 'old' }, -1);
    expect(await codes.find('old')).toBeUndefined();
    await codes.upsert('forever', { jti: 'forever' });
    expect(await codes.find('forever')).toEqual({ jti: 'forever' });
  });

  it('consume marks the row; destroy and revokeByGrantId delete only what they name', async () => {
    const codes = new Adapter('AuthorizationCode');
    const tokens = new Adapter('AccessToken');
    await codes.upsert('c1', { jti: 'c1', grantId: 'g2' }, 60);
    await codes.consume('c1');
    expect((await codes.find('c1'))?.consumed).toEqual(expect.any(Number));
    await tokens.upsert('t1', { jti: 't1', grantId: 'g2' }, 60);
    await tokens.upsert('t2', { jti: 't2', grantId: 'g3' }, 60);
    await tokens.revokeByGrantId('g2');
    expect(await tokens.find('t1')).toBeUndefined();
    expect(await tokens.find('t2')).toBeDefined();
    expect(await codes.find('c1')).toBeDefined();
    await codes.destroy('c1');
    expect(await codes.find('c1')).toBeUndefined();
  });

  it('finds sessions by uid and device codes by user code', async () => {
    const sessions = new Adapter('Session');
    const devices = new Adapter('DeviceCode');
    await sessions.upsert('jti1', { jti: 'jti1', uid: 'u1' }, 60);
    await devices.upsert('d1', { jti: 'd1', userCode: 'ABCD-EFGH' }, 60);
    expect(await sessions.findByUid('u1')).toEqual({ jti: 'jti1', uid: 'u1' });
    expect(await devices.findByUserCode('ABCD-EFGH')).toEqual({ jti: 'd1', userCode: 'ABCD-EFGH' });
    expect(await sessions.findByUid('nope')).toBeUndefined();
  });
});
