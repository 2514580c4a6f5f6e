// Benchmarks: throughput of the server's hot paths, each reported as a ratio against a baseline measured
// in the same run on the same machine (GET /api/v1/health, one database ping per request). Ratios, not
// absolute numbers, are the goals: they survive a slower or busier machine.
//
//   npm run bench                      # SQLite (default)
//   DB_TYPE=mysql npm run bench        # MariaDB/MySQL on 127.0.0.1:3306 (creates and drops its database)
//   BENCH_REQUESTS=3000 BENCH_CONCURRENCY=32 npm run bench
//
// Loopback only; every loop is bounded by a request count.
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import 'reflect-metadata';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 1500);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const DB_TYPE = process.env.DB_TYPE === 'mysql' ? 'mysql' : 'sqlite';

/**
 * Goals: minimum throughput of each scenario relative to the baseline. Registration hashes nothing
 * expensive (SHA-256 only) and writes one row, so it should stay within a small factor of a DB ping.
 */
const GOALS = {
  'GET /.well-known/openid-configuration': 0.8,
  'POST /oauth/register': 0.15,
  'GET /oauth/register/{id}': 0.4,
  'PUT /oauth/register/{id}': 0.15,
  'POST /oauth/token (client_credentials)': 0.15,
  'POST /oauth/introspect': 0.2,
};

async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function setupDatabase() {
  const id = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  if (DB_TYPE === 'mysql') {
    const { createConnection } = await import('mysql2/promise');
    const params = { host: process.env.DB_HOST ?? '127.0.0.1', port: Number(process.env.DB_PORT ?? 3306), user: process.env.DB_USER ?? 'root', password: process.env.DB_PASSWORD ?? '' };
    const name = `authms_bench_${id}`;
    const c = await createConnection(params);
    await c.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    await c.end();
    return {
      env: { DB_TYPE: 'mysql', DB_HOST: params.host, DB_PORT: String(params.port), DB_USER: params.user, DB_PASSWORD: params.password, DB_NAME: name },
      drop: async () => {
        const d = await createConnection(params);
        await d.query(`DROP DATABASE IF EXISTS \`${name}\``);
        await d.end();
      },
    };
  }
  const dir = join(tmpdir(), `authms-bench-${id}`);
  mkdirSync(dir, { recursive: true });
  return { env: { DB_TYPE: 'sqlite', DB_SQLITE_PATH: join(dir, 'bench.sqlite') }, drop: async () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs `REQUESTS` calls of `fn(i)` with `CONCURRENCY` in flight; returns requests/second and latency percentiles. */
async function measure(name, fn) {
  // Warm-up: JIT, prepared statements, connection pool.
  for (let i = 0; i < Math.min(50, REQUESTS); i++) await fn(i);
  const latencies = [];
  let next = 0;
  let failures = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < REQUESTS) {
        const i = next++;
        const t0 = performance.now();
        const ok = await fn(i);
        latencies.push(performance.now() - t0);
        if (!ok) failures++;
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
  return { name, rps: REQUESTS / seconds, p50: pct(50), p99: pct(99), failures };
}

async function main() {
  const { NestFactory } = await import('@nestjs/core');
  const { AppModule } = await import('../dist/src/app.module.js');
  const { configureApp } = await import('../dist/src/app.setup.js');
  const port = await freePort();
  const db = await setupDatabase();
  const base = `http://127.0.0.1:${port}`;
  const env = {
    NODE_ENV: 'production',
    ISSUER: base,
    PORT: String(port),
    LOG_LEVEL: 'error',
    REGISTRATION_RATE_LIMIT: '0',
    TOKEN_RATE_LIMIT: '0',
    REGISTRATION_ROTATE_ACCESS_TOKEN: 'false',
    REGISTRATION_RESPONSE_STYLE: 'flat',
    KEYS_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    ...db.env,
  };
  const app = await NestFactory.create(AppModule.forRoot({ env }), { bodyParser: false, logger: ['error'] });
  configureApp(app);
  await app.listen(port, '127.0.0.1');
  const json = (body, extra = {}) => ({ method: 'POST', headers: { 'content-type': 'application/json', ...extra }, body: JSON.stringify(body) });
  const form = (body, extra = {}) => ({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...extra }, body: new URLSearchParams(body).toString() });
  const ok = async (p) => {
    const r = await p;
    await r.arrayBuffer();
    return r.status < 400;
  };
  const results = [];
  try {
    // A confidential client_credentials client used by the token and introspection scenarios.
    const reg = await (await fetch(`${base}/api/v1/oauth/register`, json({ client_name: 'bench', grant_types: ['client_credentials'], redirect_uris: [], scope: 'profile email' }))).json();
    const webReg = await (await fetch(`${base}/api/v1/oauth/register`, json({ client_name: 'bench-web', redirect_uris: ['https://app.example.com/cb'] }))).json();
    const basic = `Basic ${Buffer.from(`${encodeURIComponent(reg.client_id)}:${encodeURIComponent(reg.client_secret)}`).toString('base64')}`;
    const tok = await (await fetch(`${base}/api/v1/oauth/token`, form({ grant_type: 'client_credentials' }, { authorization: basic }))).json();
    if (!tok.access_token) throw new Error(`token setup failed: ${JSON.stringify(tok)}`);

    results.push(await measure('baseline: GET /api/v1/health', () => ok(fetch(`${base}/api/v1/health`))));
    results.push(await measure('GET /.well-known/openid-configuration', () => ok(fetch(`${base}/.well-known/openid-configuration`))));
    results.push(await measure('POST /oauth/register', (i) => ok(fetch(`${base}/api/v1/oauth/register`, json({ client_name: `bench ${i}`, redirect_uris: [`https://app${i}.example.com/cb`] })))));
    results.push(await measure('GET /oauth/register/{id}', () => ok(fetch(webReg.registration_client_uri, { headers: { authorization: `Bearer ${webReg.registration_access_token}` } }))));
    results.push(await measure('PUT /oauth/register/{id}', (i) => ok(fetch(webReg.registration_client_uri, { ...json({ client_name: `renamed ${i}`, redirect_uris: ['https://app.example.com/cb'] }), method: 'PUT', headers: { 'content-type': 'application/json', authorization: `Bearer ${webReg.registration_access_token}` } }))));
    results.push(await measure('POST /oauth/token (client_credentials)', () => ok(fetch(`${base}/api/v1/oauth/token`, form({ grant_type: 'client_credentials' }, { authorization: basic })))));
    results.push(await measure('POST /oauth/introspect', () => ok(fetch(`${base}/api/v1/oauth/introspect`, form({ token: tok.access_token }, { authorization: basic })))));
  } finally {
    await app.close();
    await db.drop();
  }
  const baseline = results[0].rps;
  let missed = 0;
  const rows = results.map((r) => {
    const ratio = r.rps / baseline;
    const goal = GOALS[r.name];
    const verdict = goal === undefined ? 'baseline' : ratio >= goal ? `ok (goal >= ${goal})` : `MISSED (goal >= ${goal})`;
    if (goal !== undefined && ratio < goal) missed++;
    if (r.failures > 0) missed++;
    return { scenario: r.name, 'req/s': Math.round(r.rps), 'p50 ms': r.p50.toFixed(1), 'p99 ms': r.p99.toFixed(1), failures: r.failures, ratio: ratio.toFixed(2), verdict };
  });
  console.log(`AuthMS benchmark on ${DB_TYPE}: ${REQUESTS} requests per scenario, concurrency ${CONCURRENCY}`);
  console.table(rows);
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(`bench/results/${DB_TYPE}.json`, JSON.stringify({ date: new Date().toISOString(), db: DB_TYPE, requests: REQUESTS, concurrency: CONCURRENCY, rows }, null, 2));
  process.exitCode = missed > 0 ? 1 : 0;
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
