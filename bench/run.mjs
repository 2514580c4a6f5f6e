// Benchmarks: throughput of the server's hot paths, each reported as a ratio against a baseline measured
// in the same run on the same machine (GET /api/v1/health, one database ping per request). Ratios are the
// goals: they survive a slower or busier machine. Absolute req/s and latencies are printed too.
//
//   npm run bench                      # SQLite (default)
//   DB_TYPE=mysql npm run bench        # MariaDB/MySQL on 127.0.0.1:3306 (creates and drops its database)
//   BENCH_REQUESTS=3000 BENCH_CONCURRENCY=32 npm run bench
//   BENCH_ONLY=token,userinfo npm run bench   # scenarios whose name contains one of these (plus the baseline)
//   BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" npm run bench   # profile the server
//
// The server runs as its own process (`node dist/src/main.js` with bin/server-node-flags.js's flags,
// production settings, as deployed), and the
// load comes from this process over keep-alive HTTP/1.1 connections (one per concurrent client), the way a
// load generator or a reverse proxy talks to it. Server and client share the machine's cores: on a 2-core
// box each roughly gets one, so absolute numbers are a lower bound of what the server does on its own.
// "server CPU µs/req" is the server process's CPU time per request (Linux /proc; the database server's own
// CPU is not included): unlike req/s it hardly moves when other processes compete for the cores.
// Loopback only; every loop is bounded by a request count.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { SERVER_NODE_FLAGS } from '../bin/server-node-flags.js';
import {
  CookieJar,
  followAuthorization,
  form,
  freePort,
  http as httpWith,
  json,
  keepAliveAgent,
  okStatus,
  parseJson,
  processCpuMs,
  runNode,
} from './lib/common.mjs';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const DB_TYPE = process.env.DB_TYPE === 'mysql' ? 'mysql' : 'sqlite';
const ONLY = process.env.BENCH_ONLY?.split(',').filter(Boolean);
const BASELINE = 'baseline: GET /api/v1/health';

/**
 * Goals: minimum throughput of each scenario relative to the baseline (a database ping, the cheapest
 * request that touches the database). Registration hashes nothing expensive (SHA-256 only) and writes one
 * row; token issuance signs one JWT (ES256) and writes one row; introspection and userinfo verify one
 * signature and read a few rows; the refresh grant rotates the token inside a transaction (several
 * writes); the authorization endpoint with a session and remembered consent writes one code.
 */
const GOALS = {
  'GET /.well-known/openid-configuration': 0.8,
  'GET /.well-known/jwks.json': 0.8,
  'POST /oauth/register': 0.15,
  'GET /oauth/register/{id}': 0.4,
  'PUT /oauth/register/{id}': 0.15,
  'POST /oauth/token (client_credentials)': 0.15,
  'POST /oauth/token (refresh_token)': 0.1,
  'POST /oauth/introspect': 0.2,
  'GET /oauth/userinfo': 0.2,
  'GET /oauth/authorize (session, remembered consent)': 0.1,
};

async function setupDatabase() {
  const id = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  if (DB_TYPE === 'mysql') {
    const { createConnection } = await import('mysql2/promise');
    const params = {
      host: process.env.DB_HOST ?? '127.0.0.1',
      port: Number(process.env.DB_PORT ?? 3306),
      user: process.env.DB_USER ?? 'root',
      password: process.env.DB_PASSWORD ?? '',
    };
    const name = `authms_bench_${id}`;
    const c = await createConnection(params);
    await c.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    await c.end();
    return {
      env: {
        DB_TYPE: 'mysql',
        DB_HOST: params.host,
        DB_PORT: String(params.port),
        DB_USER: params.user,
        DB_PASSWORD: params.password,
        DB_NAME: name,
      },
      drop: async () => {
        const d = await createConnection(params);
        await d.query(`DROP DATABASE IF EXISTS \`${name}\``);
        await d.end();
      },
    };
  }
  const dir = join(tmpdir(), `authms-bench-${id}`);
  mkdirSync(dir, { recursive: true });
  return {
    env: { DB_TYPE: 'sqlite', DB_SQLITE_PATH: join(dir, 'bench.sqlite') },
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** One keep-alive agent: each concurrent client keeps its connection, as a load generator does. */
const agent = keepAliveAgent(CONCURRENCY);
const http = (url, init = {}) => httpWith(url, { ...init, agent });

/**
 * Runs `REQUESTS` calls with `CONCURRENCY` in flight; `fn(i, worker)` does one request and returns whether it
 * succeeded. Each worker runs its calls one after another, so per-worker state (a refresh-token chain) is safe.
 */
async function measure(name, fn, serverPid) {
  // Warm-up: JIT, prepared statements, connection pools, keep-alive connections.
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, w) => {
      for (let i = 0; i < Math.max(2, Math.ceil(Math.min(500, REQUESTS / 4) / CONCURRENCY)); i++)
        await fn(-1 - i, w);
    }),
  );
  const latencies = [];
  let next = 0;
  let failures = 0;
  const cpu0 = processCpuMs(serverPid);
  const start = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, w) => {
      while (next < REQUESTS) {
        const i = next++;
        const t0 = performance.now();
        const ok = await fn(i, w);
        latencies.push(performance.now() - t0);
        if (!ok) failures++;
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  const cpu1 = processCpuMs(serverPid);
  latencies.sort((a, b) => a - b);
  const pct = (p) =>
    latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
  const cpuUs = cpu0 === null || cpu1 === null ? null : ((cpu1 - cpu0) * 1000) / REQUESTS;
  return { name, rps: REQUESTS / seconds, p50: pct(50), p99: pct(99), cpuUs, failures };
}

/** Authorization code flow through the real login and consent pages (the session cookie is kept). */
async function authorizeCode(base, jar, client, user) {
  const verifier = randomBytes(32).toString('base64url');
  const params = new URLSearchParams({
    response_type: 'code',
    client_id: client.client_id,
    redirect_uri: client.redirect_uris[0],
    scope: 'openid profile email offline_access',
    state: randomBytes(8).toString('hex'),
    nonce: randomBytes(8).toString('hex'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  });
  const code = await followAuthorization(`${base}/api/v1/oauth/authorize?${params}`, jar, user);
  return { code, verifier };
}

async function main() {
  const port = await freePort();
  const db = await setupDatabase();
  const base = `http://127.0.0.1:${port}`;
  const env = {
    NODE_ENV: 'production',
    ISSUER: base,
    // Loopback http issuer: production refuses http otherwise (docs/faults.md).
    ALLOW_HTTP_ISSUER: 'true',
    HOST: '127.0.0.1',
    PORT: String(port),
    LOG_LEVEL: 'error',
    REGISTRATION_RATE_LIMIT: '0',
    TOKEN_RATE_LIMIT: '0',
    INTROSPECT_RATE_LIMIT: '0',
    AUTHORIZE_RATE_LIMIT: '0',
    REGISTRATION_ROTATE_ACCESS_TOKEN: 'false',
    KEYS_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    ...db.env,
  };
  const user = { username: 'bench', password: randomBytes(12).toString('base64url') };
  const results = [];
  let server;
  try {
    // The end-user of the authorization-code scenarios, created by the CLI (this also runs the migrations).
    const created = await runNode(
      'dist/src/cli/user-create.js',
      [
        '--username',
        user.username,
        '--email',
        'bench@example.com',
        '--email-verified',
        '--name',
        'Bench User',
      ],
      { ...env, AUTHMS_USER_PASSWORD: user.password },
    ).exited;
    if (created.code !== 0)
      throw new Error(`user:create failed (${created.code}): ${created.stderr}`);
    // BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=prof" profiles the server under the load.
    server = runNode('dist/src/main.js', [], env, {
      onStderr: (d) => process.stderr.write(d),
      // After the production flags (as `npm start` passes them), so that they can override them.
      nodeArgs: [
        ...SERVER_NODE_FLAGS,
        ...(process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
      ],
    });
    const deadline = Date.now() + 30_000;
    for (;;) {
      const r = await http(`${base}/api/v1/health`).catch(() => null);
      if (r?.status === 200) break;
      if (server.child.exitCode !== null || Date.now() > deadline)
        throw new Error(`server did not start: ${server.stderr()}`);
      await new Promise((r) => setTimeout(r, 100));
    }

    // A confidential client_credentials client used by the token and introspection scenarios.
    const reg = parseJson(
      await http(
        `${base}/connect/register`,
        json({
          client_name: 'bench',
          grant_types: ['client_credentials'],
          redirect_uris: [],
          scope: 'profile email',
        }),
      ),
      'register',
    );
    // One registered client per concurrent client for the management scenarios: a client is managed by
    // its developer, and concurrent PUTs of one client are meant to conflict (version check), not to scale.
    const webRegs = [];
    for (let w = 0; w < CONCURRENCY; w++) {
      webRegs.push(
        parseJson(
          await http(
            `${base}/connect/register`,
            json({ client_name: `bench-web ${w}`, redirect_uris: ['https://app.example.com/cb'] }),
          ),
          'register web',
        ),
      );
    }
    const app = parseJson(
      await http(
        `${base}/connect/register`,
        json({
          client_name: 'bench-app',
          redirect_uris: ['https://rp.example.com/cb'],
          grant_types: ['authorization_code', 'refresh_token'],
          response_types: ['code'],
          scope: 'openid profile email offline_access',
        }),
      ),
      'register app',
    );
    const basicOf = (c) =>
      `Basic ${Buffer.from(`${encodeURIComponent(c.client_id)}:${encodeURIComponent(c.client_secret)}`).toString('base64')}`;
    const basic = basicOf(reg);
    const appBasic = basicOf(app);
    const tok = parseJson(
      await http(
        `${base}/api/v1/oauth/token`,
        form({ grant_type: 'client_credentials' }, { authorization: basic }),
      ),
      'token',
    );
    if (!tok.access_token) throw new Error(`token setup failed: ${JSON.stringify(tok)}`);
    // One signed-in browser (login and consent once), then one code flow per concurrent client: each
    // worker owns a refresh-token chain (every refresh rotates it) and a user access token.
    const jar = new CookieJar(agent);
    const chains = [];
    for (let w = 0; w < CONCURRENCY; w++) {
      const { code, verifier } = await authorizeCode(base, jar, app, user);
      const t = parseJson(
        await http(
          `${base}/api/v1/oauth/token`,
          form(
            {
              grant_type: 'authorization_code',
              code,
              redirect_uri: app.redirect_uris[0],
              code_verifier: verifier,
            },
            { authorization: appBasic },
          ),
        ),
        'code exchange',
      );
      if (!t.refresh_token || !t.access_token)
        throw new Error(`code exchange failed: ${JSON.stringify(t)}`);
      chains.push({ refresh: t.refresh_token, access: t.access_token });
    }
    const ssoCookie = [...jar.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const authorizeUrl = `${base}/api/v1/oauth/authorize?${new URLSearchParams({ response_type: 'code', client_id: app.client_id, redirect_uri: app.redirect_uris[0], scope: 'openid profile email offline_access', state: 'bench', code_challenge: createHash('sha256').update('bench-verifier-bench-verifier-bench-verifier').digest('base64url'), code_challenge_method: 'S256' })}`;

    const scenarios = [
      [BASELINE, () => http(`${base}/api/v1/health`).then(okStatus)],
      [
        'GET /.well-known/openid-configuration',
        () => http(`${base}/.well-known/openid-configuration`).then(okStatus),
      ],
      ['GET /.well-known/jwks.json', () => http(`${base}/.well-known/jwks.json`).then(okStatus)],
      [
        'POST /oauth/register',
        (i) =>
          http(
            `${base}/connect/register`,
            json({ client_name: `bench ${i}`, redirect_uris: [`https://app${i}.example.com/cb`] }),
          ).then(okStatus),
      ],
      [
        'GET /oauth/register/{id}',
        (_i, w) =>
          http(webRegs[w].registration_client_uri, {
            headers: { authorization: `Bearer ${webRegs[w].registration_access_token}` },
          }).then(okStatus),
      ],
      [
        'PUT /oauth/register/{id}',
        (i, w) =>
          http(webRegs[w].registration_client_uri, {
            ...json({ client_name: `renamed ${i}`, redirect_uris: ['https://app.example.com/cb'] }),
            method: 'PUT',
            headers: {
              'content-type': 'application/json',
              authorization: `Bearer ${webRegs[w].registration_access_token}`,
            },
          }).then(okStatus),
      ],
      [
        'POST /oauth/token (client_credentials)',
        () =>
          http(
            `${base}/api/v1/oauth/token`,
            form({ grant_type: 'client_credentials' }, { authorization: basic }),
          ).then(okStatus),
      ],
      [
        'POST /oauth/token (refresh_token)',
        async (_i, w) => {
          const r = await http(
            `${base}/api/v1/oauth/token`,
            form(
              { grant_type: 'refresh_token', refresh_token: chains[w].refresh },
              { authorization: appBasic },
            ),
          );
          if (r.status !== 200) return false;
          chains[w].refresh = JSON.parse(r.body).refresh_token;
          return true;
        },
      ],
      [
        'POST /oauth/introspect',
        () =>
          http(
            `${base}/api/v1/oauth/introspect`,
            form({ token: tok.access_token }, { authorization: basic }),
          ).then(okStatus),
      ],
      [
        'GET /oauth/userinfo',
        async (_i, w) => {
          const r = await http(`${base}/api/v1/oauth/userinfo`, {
            headers: { authorization: `Bearer ${chains[w].access}` },
          });
          return r.status === 200 && r.body.includes('"sub"');
        },
      ],
      [
        'GET /oauth/authorize (session, remembered consent)',
        async () => {
          const r = await http(authorizeUrl, { headers: { cookie: ssoCookie } });
          return r.status >= 300 && r.status < 400 && String(r.headers.location).includes('code=');
        },
      ],
    ];
    for (const [name, fn] of scenarios) {
      if (name !== BASELINE && ONLY && !ONLY.some((s) => name.includes(s))) continue;
      results.push(await measure(name, fn, server.child.pid));
    }
  } finally {
    if (server && server.child.exitCode === null) {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    agent.destroy();
    await db.drop();
  }
  const baseline = results[0].rps;
  let missed = 0;
  const rows = results.map((r) => {
    const ratio = r.rps / baseline;
    const goal = GOALS[r.name];
    const verdict =
      goal === undefined
        ? 'baseline'
        : ratio >= goal
          ? `ok (goal >= ${goal})`
          : `MISSED (goal >= ${goal})`;
    if (goal !== undefined && ratio < goal) missed++;
    if (r.failures > 0) missed++;
    return {
      scenario: r.name,
      'req/s': Math.round(r.rps),
      'p50 ms': r.p50.toFixed(1),
      'p99 ms': r.p99.toFixed(1),
      'server CPU µs/req': r.cpuUs === null ? 'n/a' : Math.round(r.cpuUs),
      failures: r.failures,
      ratio: ratio.toFixed(2),
      verdict,
    };
  });
  console.log(
    `AuthMS benchmark on ${DB_TYPE}: ${REQUESTS} requests per scenario, concurrency ${CONCURRENCY}, ${cpus().length} CPUs, Node ${process.version}`,
  );
  console.table(rows);
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(
    `bench/results/${DB_TYPE}.json`,
    JSON.stringify(
      {
        date: new Date().toISOString(),
        db: DB_TYPE,
        requests: REQUESTS,
        concurrency: CONCURRENCY,
        cpus: cpus().length,
        node: process.version,
        rows,
      },
      null,
      2,
    ),
  );
  process.exitCode = missed > 0 ? 1 : 0;
}

// `npm run bench -- --compare oidc-provider|sqlite [options]`: the side-by-side mode (bench/compare.mjs).
const run =
  process.argv.slice(2).length > 0 ? import('./compare.mjs').then((m) => m.main()) : main();
run.catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
