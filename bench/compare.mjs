// Side-by-side benchmark (issue 11): AuthMS against panva's oidc-provider on the same MariaDB, or AuthMS
// on SQLite against AuthMS on MariaDB, in one run, printed as a ratio table.
//
//   npm run bench -- --compare oidc-provider        # six operations, AuthMS (MariaDB) vs oidc-provider (MariaDB)
//   npm run bench -- --compare sqlite               # four operations, AuthMS on SQLite vs AuthMS on MariaDB
//   npm run bench -- --compare oidc-provider --clients 1000000   # seed 1M registered clients in SQL first
//   npm run bench -- --compare clients              # AuthMS with 1,000 vs with 1,000,000 registered clients
//                                                   # (two MariaDB databases, seeded in SQL; --clients a,b)
//   npm run bench -- --compare oidc-provider --only get,token --duration 120 --runs 1 --rounds 1  # RSS soak
//   npm run bench -- --compare oidc-provider --smoke   # 1-second runs: checks that everything works
//
// Options: --only get,put,register,token,code,introspect  --clients N  --duration S (10)  --runs N (3)
// --rounds N (2)  --warmup S (5)  --connections N (16)  --loader wrk|node  --no-pin
// --report bench/results/compare-<mode>.json (print the table of an earlier run again)
// --registration-path /path (AuthMS's registration endpoint; default: discovery's registration_endpoint).
// Environment: DB_HOST DB_PORT DB_USER DB_PASSWORD (MariaDB, default 127.0.0.1:3306 root, no password),
// BENCH_SERVER_NODE_ARGS (node flags for the AuthMS servers, after the production ones of
// bin/server-node-flags.js, so they can override them, e.g. "--cpu-prof --cpu-prof-dir=prof"),
// BENCH_OIDC_NODE_ARGS (the same for oidc-provider).
//
// Method (docs/benchmarks.md has the reasoning and the results):
// - Each server is its own process, pinned to core 0 with taskset where it exists; the load generator,
//   this process and MariaDB are pinned to core 1 for the run (MariaDB's affinity is restored at the end).
// - Load: `wrk -t1 -c16` with bench/wrk/requests.lua (pre-rendered requests), or this process's node:http
//   client when wrk is missing (`apt-get install wrk`; the table says which one ran).
// - Per operation, the servers take turns A B | B A (two rounds); each turn is a warm-up then 3 runs of
//   10 s; a server's figure is the mean over rounds of the median run of each round, which cancels a
//   linear drift of the machine's load. SQL statements per request are the smallest over the runs (other
//   clients of the same MariaDB can only add to the global counters), RSS the largest sample.
// - GET and PUT go round-robin over 64 registered clients, so no two in-flight requests touch one client.
// Loopback only; every run is bounded in time and the servers are stopped at the end.
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SERVER_NODE_FLAGS } from '../bin/server-node-flags.js';
import {
  CookieJar,
  basicAuth,
  findProcess,
  followAuthorization,
  form,
  freePort,
  http,
  json,
  keepAliveAgent,
  median,
  mysqlParams,
  parseJson,
  processCpuMs,
  processRssMb,
  runNode,
} from './lib/common.mjs';
import { runLoad, stopLoad } from './lib/load.mjs';
import { seedAuthms, seedOidcProvider } from './lib/seed.mjs';

/** The resource server (RFC 8707) every access token of the bench is for, on both servers. */
const RESOURCE = 'https://api.bench.example/';
const WEB_REDIRECT = 'https://app.example.com/cb';
const APP_REDIRECT = 'https://rp.example.com/cb';
const MANAGED_CLIENTS = 64;

/** Operations, their table title and the issue's goal (ratio of req/s, this server / the other). */
const OPERATIONS = {
  get: { title: 'GET /oauth/register/{id}', goal: 1.5 },
  put: { title: 'PUT /oauth/register/{id}', goal: 1.5 },
  register: { title: 'POST /oauth/register', goal: 1.5 },
  token: { title: 'POST /oauth/token client_credentials', goal: 1.5 },
  code: { title: 'POST /oauth/token authorization_code', goal: 1.0 },
  introspect: { title: 'POST /oauth/introspect', goal: 1.0 },
};

/** MariaDB counters that count SQL statements (prepared executions count here too). */
const DML_COUNTERS = [
  'Com_select',
  'Com_insert',
  'Com_insert_select',
  'Com_update',
  'Com_update_multi',
  'Com_delete',
  'Com_delete_multi',
  'Com_replace',
  'Com_replace_select',
];
const TX_COUNTERS = ['Com_begin', 'Com_commit', 'Com_rollback', 'Com_savepoint'];

function options() {
  const { values } = parseArgs({
    options: {
      compare: { type: 'string' },
      only: { type: 'string' },
      clients: { type: 'string' },
      duration: { type: 'string' },
      runs: { type: 'string' },
      rounds: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      loader: { type: 'string' },
      'no-pin': { type: 'boolean' },
      'registration-path': { type: 'string' },
      smoke: { type: 'boolean' },
    },
    strict: true,
  });
  if (!['oidc-provider', 'sqlite', 'clients'].includes(values.compare))
    throw new Error('usage: npm run bench -- --compare oidc-provider|sqlite|clients [options]');
  const smoke = values.smoke === true;
  const num = (v, d) => (v === undefined ? d : Number(v));
  const o = {
    compare: values.compare,
    // `--compare clients` takes two counts (default 1,000 and 1,000,000), the other modes one.
    clients: values.compare === 'clients' ? 0 : num(values.clients, 0),
    clientCounts:
      values.compare === 'clients'
        ? (values.clients ?? '1000,1000000').split(',').map(Number)
        : undefined,
    duration: num(values.duration, smoke ? 1 : 10),
    runs: num(values.runs, smoke ? 1 : 3),
    rounds: num(values.rounds, smoke ? 1 : 2),
    warmup: num(values.warmup, smoke ? 1 : 5),
    connections: num(values.connections, 16),
    loader: values.loader ?? (hasWrk() ? 'wrk' : 'node'),
    pin: values['no-pin'] !== true,
    registrationPath:
      values['registration-path'] ?? process.env.BENCH_REGISTRATION_PATH ?? undefined,
    smoke,
  };
  if (o.clientCounts && (o.clientCounts.length !== 2 || !o.clientCounts.every(Number.isInteger)))
    throw new Error('--compare clients needs --clients a,b (two counts)');
  const all =
    o.compare === 'oidc-provider' ? Object.keys(OPERATIONS) : ['get', 'put', 'register', 'token'];
  o.ops = values.only ? values.only.split(',').filter(Boolean) : all;
  for (const op of o.ops) if (!all.includes(op)) throw new Error(`unknown operation ${op}`);
  for (const k of ['clients', 'duration', 'runs', 'rounds', 'warmup', 'connections'])
    if (!Number.isInteger(o[k]) || o[k] < (k === 'clients' ? 0 : 1))
      throw new Error(`--${k} must be a positive integer`);
  return o;
}

function hasWrk() {
  return spawnSync('wrk', ['--version'], { stdio: 'ignore' }).error === undefined;
}

// ---------------------------------------------------------------------------------------------------
// Core pinning.

/** Pins the servers to core 0 and everything else of the bench (and MariaDB) to core 1; undoable. */
function pinning(enabled) {
  const state = { enabled: false, serverPrefix: [], notes: [], restore: () => {} };
  if (!enabled) {
    state.notes.push('not pinned (--no-pin)');
    return state;
  }
  if (cpus().length < 2 || spawnSync('taskset', ['-V'], { stdio: 'ignore' }).error) {
    state.notes.push('not pinned (no taskset or a single CPU)');
    return state;
  }
  const setAll = (pid, spec) =>
    spawnSync('taskset', ['-a', '-p', ...spec, String(pid)], { encoding: 'utf8' }).status === 0;
  state.enabled = true;
  state.serverPrefix = ['taskset', '-c', '0'];
  setAll(process.pid, ['-c', '1']);
  const db = findProcess('mariadbd') ?? findProcess('mysqld');
  if (db !== null) {
    const out = spawnSync('taskset', ['-p', String(db)], { encoding: 'utf8' }).stdout ?? '';
    const mask = /mask:\s*([0-9a-f]+)/i.exec(out)?.[1];
    if (mask && setAll(db, ['-c', '1'])) {
      state.notes.push(
        `servers on core 0; load generator, this process and MariaDB (pid ${db}) on core 1`,
      );
      state.restore = () => setAll(db, [mask]);
    } else
      state.notes.push(
        'servers on core 0; load generator on core 1; MariaDB not pinned (no permission)',
      );
  } else
    state.notes.push('servers on core 0; load generator on core 1; MariaDB not local, not pinned');
  return state;
}

// ---------------------------------------------------------------------------------------------------
// Databases and MariaDB counters.

async function mysql() {
  return import('mysql2/promise');
}

async function createDatabase(prefix) {
  const { createConnection } = await mysql();
  const name = `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const c = await createConnection(mysqlParams());
  await c.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await c.end();
  return name;
}

async function dropDatabase(name) {
  const { createConnection } = await mysql();
  const c = await createConnection(mysqlParams());
  await c.query(`DROP DATABASE IF EXISTS \`${name}\``);
  await c.end();
}

/** Reads MariaDB's global statement counters; `null` when MariaDB is not used. */
class SqlCounters {
  static async open() {
    const { createConnection } = await mysql();
    const s = new SqlCounters();
    s.conn = await createConnection(mysqlParams());
    const [[v]] = await s.conn.query('SELECT VERSION() AS v');
    s.version = v.v;
    return s;
  }
  async read() {
    const [rows] = await this.conn.query("SHOW GLOBAL STATUS LIKE 'Com\\_%'");
    const m = Object.fromEntries(rows.map((r) => [r.Variable_name, Number(r.Value)]));
    const sum = (keys) => keys.reduce((a, k) => a + (m[k] ?? 0), 0);
    return { dml: sum(DML_COUNTERS), tx: sum(TX_COUNTERS) };
  }
  async close() {
    await this.conn.end();
  }
}

// ---------------------------------------------------------------------------------------------------
// Servers.

async function waitFor(url, server, what) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const r = await http(url).catch(() => null);
    if (r?.status === 200) return;
    if (server.child.exitCode !== null || Date.now() > deadline)
      throw new Error(`${what} did not start: ${server.stderr()}`);
    await new Promise((res) => setTimeout(res, 100));
  }
}

const nodeArgs = (v) => v?.split(' ').filter(Boolean) ?? [];

/**
 * AuthMS (`node <SERVER_NODE_FLAGS> dist/src/main.js`, as `npm start` runs it) on MariaDB or on a SQLite
 * file, with the bench's settings.
 */
class AuthmsTarget {
  constructor(label, dbType, o) {
    this.label = label;
    this.dbType = dbType;
    this.o = o;
    this.introspectsJwt = true;
    this.user = { username: 'bench', password: randomBytes(12).toString('base64url') };
  }

  async start(pin) {
    const port = await freePort();
    this.base = `http://127.0.0.1:${port}`;
    let dbEnv;
    if (this.dbType === 'mysql') {
      this.database = await createDatabase('authms_bench');
      const p = mysqlParams();
      dbEnv = {
        DB_TYPE: 'mysql',
        DB_HOST: p.host,
        DB_PORT: String(p.port),
        DB_USER: p.user,
        DB_PASSWORD: p.password,
        DB_NAME: this.database,
      };
    } else {
      this.dir = mkdtempSync(join(tmpdir(), 'authms-bench-'));
      this.sqlitePath = join(this.dir, 'bench.sqlite');
      dbEnv = { DB_TYPE: 'sqlite', DB_SQLITE_PATH: this.sqlitePath };
    }
    const env = {
      NODE_ENV: 'production',
      ISSUER: this.base,
      // Loopback http issuer: production refuses http otherwise (docs/faults.md).
      ALLOW_HTTP_ISSUER: 'true',
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'error',
      REGISTRATION_RATE_LIMIT: '0',
      TOKEN_RATE_LIMIT: '0',
      // oidc-provider has no rate limits: none of AuthMS's counters (database writes) either.
      INTROSPECT_RATE_LIMIT: '0',
      AUTHORIZE_RATE_LIMIT: '0',
      // Issue 11's conditions: no registration-access-token rotation, flat bodies, ES256 access tokens.
      REGISTRATION_ROTATE_ACCESS_TOKEN: 'false',
      REGISTRATION_RESPONSE_STYLE: 'flat',
      KEYS_ALG: 'ES256',
      // The one resource server of the bench, allowed explicitly (oidc-provider: getResourceServerInfo).
      RESOURCE_INDICATORS_ALLOWED: RESOURCE,
      // Codes are made before a run and exchanged during it (oidc-provider: the same 600 s).
      AUTH_CODE_TTL: '600',
      KEYS_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      ...dbEnv,
    };
    // The end-user of the code flow, created by the CLI (this also runs the migrations).
    const created = await runNode(
      'dist/src/cli/user-create.js',
      ['--username', this.user.username, '--email', 'bench@example.com', '--email-verified'],
      { ...env, AUTHMS_USER_PASSWORD: this.user.password },
    ).exited;
    if (created.code !== 0)
      throw new Error(`user:create failed (${created.code}): ${created.stderr}`);
    this.server = runNode('dist/src/main.js', [], env, {
      onStderr: (d) => process.stderr.write(`[${this.label}] ${d}`),
      nodeArgs: [...SERVER_NODE_FLAGS, ...nodeArgs(process.env.BENCH_SERVER_NODE_ARGS)],
      prefix: pin.serverPrefix,
    });
    await waitFor(`${this.base}/api/v1/health`, this.server, this.label);
    this.pid = this.server.child.pid;
  }

  registrationEndpoint(discovered) {
    return this.o.registrationPath ? new URL(this.o.registrationPath, this.base).href : discovered;
  }

  /** Signs the bench user in through the login and consent forms (once); the session then suffices. */
  async signIn(authorizeUrl, jar) {
    return followAuthorization(authorizeUrl, jar, this.user);
  }

  async seed(n, template) {
    return seedAuthms(this, n, template);
  }

  async stop() {
    if (this.server && this.server.child.exitCode === null) {
      this.server.child.kill('SIGTERM');
      const t = setTimeout(() => this.server.child.kill('SIGKILL'), 15_000);
      await this.server.exited;
      clearTimeout(t);
    }
    if (this.database) await dropDatabase(this.database);
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }
}

/** oidc-provider 9.x with the bench's mysql2 adapter (bench/oidc-provider/server.mjs). */
class OidcProviderTarget {
  constructor(label, o) {
    this.label = label;
    this.dbType = 'mysql';
    this.o = o;
    // oidc-provider refuses to introspect JWTs (unsupported_token_type): its scenario uses an opaque
    // client_credentials token, the only kind it can introspect.
    this.introspectsJwt = false;
  }

  async start(pin) {
    const port = await freePort();
    this.base = `http://127.0.0.1:${port}`;
    this.database = await createDatabase('oidcp_bench');
    const p = mysqlParams();
    this.server = runNode(
      'bench/oidc-provider/server.mjs',
      [],
      {
        NODE_ENV: 'production',
        PORT: String(port),
        ISSUER: this.base,
        DB_HOST: p.host,
        DB_PORT: String(p.port),
        DB_USER: p.user,
        DB_PASSWORD: p.password,
        DB_NAME: this.database,
      },
      {
        onStderr: (d) => process.stderr.write(`[${this.label}] ${d}`),
        nodeArgs: nodeArgs(process.env.BENCH_OIDC_NODE_ARGS),
        prefix: pin.serverPrefix,
      },
    );
    await waitFor(`${this.base}/.well-known/openid-configuration`, this.server, this.label);
    this.pid = this.server.child.pid;
  }

  registrationEndpoint(discovered) {
    return discovered;
  }

  /** The bench server's interaction signs the account in and grants at once (no page). */
  async signIn(authorizeUrl, jar) {
    return followAuthorization(authorizeUrl, jar, null);
  }

  async seed(n, template) {
    return seedOidcProvider(this, n, template);
  }

  async stop() {
    if (this.server && this.server.child.exitCode === null) {
      this.server.child.kill('SIGTERM');
      const t = setTimeout(() => this.server.child.kill('SIGKILL'), 15_000);
      await this.server.exited;
      clearTimeout(t);
    }
    if (this.database) await dropDatabase(this.database);
  }
}

// ---------------------------------------------------------------------------------------------------
// Fixtures: the same standard requests against both servers, endpoints from discovery.

const agent = keepAliveAgent(32);
const call = (url, init = {}) => http(url, { ...init, agent });
const pathOf = (url) => {
  const u = new URL(url);
  return u.pathname + u.search;
};

/** Registers a client; requires a flat RFC 7591 body (the envelope would not be comparable). */
async function register(t, metadata) {
  const r = await call(t.endpoints.registration, json(metadata));
  const body = parseJson(r, `${t.label} register`);
  if (r.status !== 201 || typeof body.client_id !== 'string')
    throw new Error(
      `${t.label}: registration at ${t.endpoints.registration} answered ${r.status} ` +
        `${r.body.slice(0, 300)} (a flat RFC 7591 body is needed: REGISTRATION_RESPONSE_STYLE=flat ` +
        'or --registration-path)',
    );
  return body;
}

async function prepare(t, o) {
  const d = parseJson(
    await call(`${t.base}/.well-known/openid-configuration`),
    `${t.label} discovery`,
  );
  t.endpoints = {
    registration: t.registrationEndpoint(d.registration_endpoint),
    token: d.token_endpoint,
    introspection: d.introspection_endpoint,
    authorization: d.authorization_endpoint,
  };
  t.host = new URL(t.base).host;
  const needs = new Set(o.ops);
  const seedCount = t.seedCount ?? o.clients;
  if (seedCount > 0) {
    const template = await register(t, {
      client_name: 'bench seed template',
      redirect_uris: [WEB_REDIRECT],
    });
    const t0 = Date.now();
    const total = await t.seed(seedCount, template);
    console.log(
      `${t.label}: seeded ${seedCount} clients in SQL in ${((Date.now() - t0) / 1000).toFixed(1)} s ` +
        `(${total} registered clients)`,
    );
  }
  t.managed = [];
  if (needs.has('get') || needs.has('put'))
    for (let i = 0; i < MANAGED_CLIENTS; i++)
      t.managed.push(
        await register(t, { client_name: `bench managed ${i}`, redirect_uris: [WEB_REDIRECT] }),
      );
  if (needs.has('token') || needs.has('introspect')) {
    t.service = await register(t, {
      client_name: 'bench service',
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
    });
    t.serviceAuth = basicAuth(t.service.client_id, t.service.client_secret);
  }
  if (needs.has('introspect')) {
    const r = await call(
      t.endpoints.token,
      form(
        t.introspectsJwt
          ? { grant_type: 'client_credentials', resource: RESOURCE }
          : { grant_type: 'client_credentials' },
        { authorization: t.serviceAuth },
      ),
    );
    t.introspected = parseJson(r, `${t.label} token for introspection`).access_token;
    if (!t.introspected) throw new Error(`${t.label}: no token to introspect: ${r.body}`);
  }
  if (needs.has('code')) {
    t.app = await register(t, {
      client_name: 'bench app',
      redirect_uris: [APP_REDIRECT],
      grant_types: ['authorization_code'],
      response_types: ['code'],
    });
    t.appAuth = basicAuth(t.app.client_id, t.app.client_secret);
    t.verifier = randomBytes(32).toString('base64url');
    t.authorizeUrl = `${t.endpoints.authorization}?${new URLSearchParams({
      response_type: 'code',
      client_id: t.app.client_id,
      redirect_uri: APP_REDIRECT,
      scope: 'openid',
      resource: RESOURCE,
      state: 'bench-state',
      code_challenge: createHash('sha256').update(t.verifier).digest('base64url'),
      code_challenge_method: 'S256',
    })}`;
    t.jar = new CookieJar(agent);
    await t.signIn(t.authorizeUrl, t.jar);
    t.cookie = t.jar.header();
    t.codeRate = 400;
  }
}

/** `n` fresh authorization codes from the signed-in session (made before a run, not measured). */
async function makeCodes(t, n) {
  const codes = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < n) {
        next++;
        const r = await call(t.authorizeUrl, { headers: { cookie: t.cookie } });
        const code =
          r.status >= 300 && r.status < 400
            ? new URL(r.headers.location, t.base).searchParams.get('code')
            : null;
        if (!code)
          throw new Error(`${t.label}: authorize gave no code: ${r.status} ${r.headers.location}`);
        codes.push(code);
      }
    }),
  );
  return codes;
}

/** The requests of one operation: `{ requests, mode }` (see bench/wrk/requests.lua). */
async function scenario(t, op, seconds, o) {
  const bearer = (c) => ({ authorization: `Bearer ${c.registration_access_token}` });
  const formHeaders = (auth) => ({
    authorization: auth,
    'content-type': 'application/x-www-form-urlencoded',
  });
  switch (op) {
    case 'get':
      return {
        mode: 'cycle',
        requests: t.managed.map((c) => ({
          method: 'GET',
          path: pathOf(c.registration_client_uri),
          headers: bearer(c),
        })),
      };
    case 'put':
      return {
        mode: 'cycle',
        requests: t.managed.map((c) => ({
          method: 'PUT',
          path: pathOf(c.registration_client_uri),
          headers: { ...bearer(c), 'content-type': 'application/json' },
          // RFC 7592 §2.2: the full metadata; "@@@@N@@@@" becomes a counter (a new name each time).
          body: JSON.stringify({
            client_id: c.client_id,
            client_name: 'renamed @@@@N@@@@',
            redirect_uris: [WEB_REDIRECT],
          }),
        })),
      };
    case 'register':
      return {
        mode: 'cycle',
        requests: [
          {
            method: 'POST',
            path: pathOf(t.endpoints.registration),
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ client_name: 'bench @@@@N@@@@', redirect_uris: [WEB_REDIRECT] }),
          },
        ],
      };
    case 'token':
      return {
        mode: 'cycle',
        requests: [
          {
            method: 'POST',
            path: pathOf(t.endpoints.token),
            headers: formHeaders(t.serviceAuth),
            body: new URLSearchParams({
              grant_type: 'client_credentials',
              resource: RESOURCE,
            }).toString(),
          },
        ],
      };
    case 'introspect':
      return {
        mode: 'cycle',
        requests: [
          {
            method: 'POST',
            path: pathOf(t.endpoints.introspection),
            headers: formHeaders(t.serviceAuth),
            body: new URLSearchParams({
              token: t.introspected,
              token_type_hint: 'access_token',
            }).toString(),
          },
        ],
      };
    case 'code': {
      // Single-use codes: enough for the run at the best rate seen so far, plus a margin; a run that
      // exhausts them stops early and is measured over its active time.
      const n = Math.min(200_000, Math.ceil(t.codeRate * seconds * 1.3) + o.connections + 20);
      const codes = await makeCodes(t, n);
      return {
        mode: 'once',
        requests: codes.map((code) => ({
          method: 'POST',
          path: pathOf(t.endpoints.token),
          headers: formHeaders(t.appAuth),
          body: new URLSearchParams({
            grant_type: 'authorization_code',
            code,
            redirect_uri: APP_REDIRECT,
            code_verifier: t.verifier,
            resource: RESOURCE,
          }).toString(),
        })),
      };
    }
    default:
      throw new Error(`unknown operation ${op}`);
  }
}

/** One request of each scenario through node:http, checked for the right answer, before measuring. */
async function check(t, op, o) {
  const s = await scenario(t, op, 0, o);
  const spec = s.requests[0];
  const body = spec.body?.replace('@@@@N@@@@', '000000000');
  const r = await call(`${t.base}${spec.path}`, {
    method: spec.method,
    headers: spec.headers,
    body,
  });
  const ok = r.status >= 200 && r.status < 300;
  const b = ok ? parseJson(r, `${t.label} ${op}`) : null;
  const jwtAlg = (tok) =>
    JSON.parse(Buffer.from(String(tok).split('.')[0], 'base64url').toString()).alg;
  let problem = ok ? null : `${r.status} ${r.body.slice(0, 300)}`;
  if (!problem && (op === 'token' || op === 'code') && jwtAlg(b.access_token) !== 'ES256')
    problem = `access token is not an ES256 JWT: ${String(b.access_token).slice(0, 60)}`;
  if (!problem && op === 'introspect' && b.active !== true) problem = `token not active: ${r.body}`;
  if (!problem && op === 'code' && typeof b.id_token !== 'string') problem = 'no id_token';
  if (problem) throw new Error(`${t.label} ${op}: ${problem}`);
}

// ---------------------------------------------------------------------------------------------------
// Measuring.

/** One timed run of `op` against `t`, with the server's CPU, SQL counts, MariaDB CPU and RSS around it. */
async function measureRun(t, op, seconds, o, ctx) {
  const s = await scenario(t, op, seconds, o);
  const rss = [];
  const sample = () => {
    const v = processRssMb(t.pid);
    if (v !== null) rss.push(v);
  };
  const sql0 = t.dbType === 'mysql' ? await ctx.sql.read() : null;
  const cpu0 = processCpuMs(t.pid);
  const db0 = ctx.dbPid ? processCpuMs(ctx.dbPid) : null;
  const startUs = Number(process.hrtime.bigint() / 1000n);
  sample();
  const timer = setInterval(sample, 250);
  let r;
  try {
    r = await runLoad({
      loader: o.loader,
      host: t.host,
      base: t.base,
      requests: s.requests,
      mode: s.mode,
      seconds,
      connections: o.connections,
    });
  } finally {
    clearInterval(timer);
  }
  sample();
  const endUs = Number(process.hrtime.bigint() / 1000n);
  const cpu1 = processCpuMs(t.pid);
  const db1 = ctx.dbPid ? processCpuMs(ctx.dbPid) : null;
  const sql1 = t.dbType === 'mysql' ? await ctx.sql.read() : null;
  const n = r.requests;
  if (op === 'code' && n > 0) t.codeRate = Math.max(t.codeRate, n / r.seconds);
  return {
    ...r,
    rps: n / r.seconds,
    cpuUs: cpu0 !== null && cpu1 !== null && n > 0 ? ((cpu1 - cpu0) * 1000) / n : null,
    dbCpuUs: db0 !== null && db1 !== null && n > 0 ? ((db1 - db0) * 1000) / n : null,
    sqlPerReq: sql0 && n > 0 ? (sql1.dml - sql0.dml) / n : null,
    txPerReq: sql0 && n > 0 ? (sql1.tx - sql0.tx) / n : null,
    rssMaxMb: rss.length ? Math.max(...rss) : null,
    rssFirstMb: rss.length ? rss[0] : null,
    rssLastMb: rss.length ? rss[rss.length - 1] : null,
    // One sample per 10 s (40 samples of 250 ms): shows whether RSS stays flat over a long run.
    rssEvery10sMb: rss.filter((_, i) => i % 40 === 0).map((v) => Math.round(v)),
    window: { startUs, endUs },
  };
}

function summarise(rounds) {
  const runs = rounds.flat();
  const perRound = (k) => {
    const ms = rounds.map((rs) => median(rs.map((r) => r[k]))).filter((x) => x !== null);
    return ms.length ? ms.reduce((a, b) => a + b, 0) / ms.length : null;
  };
  const min = (k) => {
    const xs = runs.map((r) => r[k]).filter((x) => x !== null && Number.isFinite(x));
    return xs.length ? Math.min(...xs) : null;
  };
  const max = (k) => {
    const xs = runs.map((r) => r[k]).filter((x) => x !== null && Number.isFinite(x));
    return xs.length ? Math.max(...xs) : null;
  };
  return {
    rps: perRound('rps'),
    p50Ms: perRound('p50Ms'),
    p99Ms: perRound('p99Ms'),
    cpuUs: perRound('cpuUs'),
    dbCpuUs: perRound('dbCpuUs'),
    sqlPerReq: min('sqlPerReq'),
    txPerReq: min('txPerReq'),
    rssMaxMb: max('rssMaxMb'),
    failures: runs.reduce((a, r) => a + r.failures, 0),
    requests: runs.reduce((a, r) => a + r.requests, 0),
    roundRps: rounds.map((rs) => median(rs.map((r) => r.rps))),
  };
}

// ---------------------------------------------------------------------------------------------------
// Report.

const fmt = (v, digits = 0) =>
  v === null || v === undefined
    ? 'n/a'
    : v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

function table(results, targets, o) {
  const [a, b] = targets;
  const head =
    `| operation | ${a.label} req/s | p99 ms | CPU µs/req | SQL/req | DB µs/req | RSS MB | ` +
    `${b.label} req/s | p99 ms | CPU µs/req | SQL/req | DB µs/req | RSS MB | ratio req/s | ratio CPU | goal |`;
  const lines = [head, `|${'---|'.repeat(16)}`];
  for (const op of o.ops) {
    const ra = results[op][a.label];
    const rb = results[op][b.label];
    const ratio = ra.rps && rb.rps ? ra.rps / rb.rps : null;
    const cpuRatio = ra.cpuUs && rb.cpuUs ? rb.cpuUs / ra.cpuUs : null;
    const goal = o.compare === 'sqlite' ? 1.0 : OPERATIONS[op].goal;
    const p99ok = ra.p99Ms !== null && rb.p99Ms !== null && ra.p99Ms <= rb.p99Ms;
    // Issue 11: latency flat (±20 %) between the two client counts: p50 and p99 of the second / first.
    const flat = (k) => (ra[k] && rb[k] ? rb[k] / ra[k] : null);
    const verdict =
      o.compare === 'clients'
        ? `p50 ×${fmt(flat('p50Ms'), 2)}, p99 ×${fmt(flat('p99Ms'), 2)}: ` +
          `${[flat('p50Ms'), flat('p99Ms')].every((x) => x !== null && x >= 0.8 && x <= 1.2) ? 'flat' : 'not flat'} (±20 %)`
        : ratio === null
          ? 'n/a'
          : `${ratio >= goal ? 'met' : 'missed'} (>= ${goal.toFixed(1)})` +
            (o.compare === 'sqlite' ? '' : `, p99 ${p99ok ? 'ok' : 'higher'}`);
    const sql = (r) =>
      r.sqlPerReq === null
        ? 'n/a'
        : `${fmt(r.sqlPerReq, 1)}${r.txPerReq >= 0.5 ? ` +${fmt(r.txPerReq, 1)} tx` : ''}`;
    // MariaDB's CPU per request (all its clients: noisy on a shared machine); n/a on SQLite.
    const db = (r) => (r.sqlPerReq === null ? 'n/a' : fmt(r.dbCpuUs));
    lines.push(
      `| ${OPERATIONS[op].title} | ${fmt(ra.rps)} | ${fmt(ra.p99Ms, 1)} | ${fmt(ra.cpuUs)} | ${sql(ra)} | ` +
        `${db(ra)} | ${fmt(ra.rssMaxMb)} | ${fmt(rb.rps)} | ${fmt(rb.p99Ms, 1)} | ${fmt(rb.cpuUs)} | ` +
        `${sql(rb)} | ${db(rb)} | ${fmt(rb.rssMaxMb)} | ${fmt(ratio, 2)} | ${fmt(cpuRatio, 2)} | ${verdict} |`,
    );
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------------

export async function main() {
  // `--report bench/results/compare-….json`: prints the table of an earlier run again.
  const report = process.argv.indexOf('--report');
  if (report > 0) {
    const saved = JSON.parse(readFileSync(process.argv[report + 1], 'utf8'));
    const labels = Object.keys(Object.values(saved.results)[0]);
    console.log(
      `${saved.header}\n\n${table(
        saved.results,
        labels.map((label) => ({ label })),
        saved.options,
      )}`,
    );
    return;
  }
  const o = options();
  const pin = pinning(o.pin);
  const seeded = (n) => {
    const t = new AuthmsTarget(`AuthMS ${n.toLocaleString('en-US')} clients`, 'mysql', o);
    t.seedCount = n;
    return t;
  };
  const targets =
    o.compare === 'oidc-provider'
      ? [new AuthmsTarget('AuthMS', 'mysql', o), new OidcProviderTarget('oidc-provider', o)]
      : o.compare === 'clients'
        ? o.clientCounts.map(seeded)
        : [
            new AuthmsTarget('AuthMS SQLite', 'sqlite', o),
            new AuthmsTarget('AuthMS MariaDB', 'mysql', o),
          ];
  const ctx = { sql: null, dbPid: findProcess('mariadbd') ?? findProcess('mysqld') };
  const load0 = loadavg();
  const started = new Date();
  const results = {};
  const windows = [];
  let cleaned = false;
  const cleanup = async () => {
    if (cleaned) return;
    cleaned = true;
    stopLoad();
    for (const t of targets) await t.stop().catch((e) => console.error(`${t.label} stop:`, e));
    await ctx.sql?.close().catch(() => {});
    agent.destroy();
    pin.restore();
  };
  const onSignal = () => {
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    ctx.sql = await SqlCounters.open();
    for (const t of targets) {
      await t.start(pin);
      t.rssIdleMb = processRssMb(t.pid);
      await prepare(t, o);
      for (const op of o.ops) await check(t, op, o);
      console.log(`${t.label}: ${t.base}, registration endpoint ${t.endpoints.registration}`);
    }
    console.log(
      `bench: ${o.compare} — ${o.ops.join(', ')}; ${o.rounds} round(s) A-B|B-A, warm-up ${o.warmup} s, ` +
        `${o.runs}×${o.duration} s; load ${o.loader === 'wrk' ? `wrk -t1 -c${o.connections}` : `node:http client, ${o.connections} connections (wrk not found)`}; ${pin.notes.join('; ')}`,
    );
    for (const op of o.ops) {
      results[op] = {};
      const rounds = Object.fromEntries(targets.map((t) => [t.label, []]));
      for (let round = 0; round < o.rounds; round++) {
        const order = round % 2 === 0 ? targets : [...targets].reverse();
        for (const t of order) {
          const w = await measureRun(t, op, o.warmup, o, ctx);
          // A warm-up's last requests may be cut when wrk closes its connections; more is a fault.
          if (w.failures > o.connections)
            console.warn(`  warm-up of ${op} on ${t.label}: ${w.failures} failed requests`);
          const runs = [];
          for (let i = 0; i < o.runs; i++) {
            const r = await measureRun(t, op, o.duration, o, ctx);
            runs.push(r);
            windows.push({ target: t.label, op, ...r.window, requests: r.requests });
            process.stdout.write(
              `  ${OPERATIONS[op].title} | ${t.label} | round ${round + 1} run ${i + 1}: ` +
                `${fmt(r.rps)} req/s, p99 ${fmt(r.p99Ms, 1)} ms, ${fmt(r.cpuUs)} µs CPU/req, ` +
                `${r.sqlPerReq === null ? '' : `${fmt(r.sqlPerReq, 2)} SQL/req, `}` +
                `RSS ${fmt(r.rssMaxMb)} MB${r.failures ? `, ${r.failures} FAILED` : ''}` +
                `${o.duration >= 60 ? ` (every 10 s: ${r.rssEvery10sMb.join(' ')} MB)` : ''}\n`,
            );
          }
          rounds[t.label].push(runs);
        }
      }
      for (const t of targets) results[op][t.label] = summarise(rounds[t.label]);
    }
  } finally {
    await cleanup();
  }
  const load1 = loadavg();
  const md = table(results, targets, o);
  const header =
    `${started.toISOString()} · ${{ 'oidc-provider': 'AuthMS vs oidc-provider 9 (mysql2 adapter), both on', sqlite: 'AuthMS on SQLite vs on', clients: 'AuthMS with few vs many registered clients, both on' }[o.compare]} ` +
    `MariaDB ${ctx.sql?.version ?? ''} · ${o.clients > 0 ? `${o.clients.toLocaleString('en-US')} seeded clients · ` : ''}` +
    `${o.loader === 'wrk' ? `wrk -t1 -c${o.connections}` : `node:http load client (no wrk), ${o.connections} connections`} · ` +
    `${o.rounds} round(s), warm-up ${o.warmup} s, ${o.runs}×${o.duration} s · ${pin.notes.join('; ')} · ` +
    `RSS after start-up: ${targets.map((t) => `${t.label} ${fmt(t.rssIdleMb)} MB`).join(', ')} · ` +
    `${cpus().length} CPUs, Node ${process.version} · load average ${load0.map((x) => x.toFixed(2)).join(' ')} → ${load1.map((x) => x.toFixed(2)).join(' ')}`;
  console.log(`\n${header}\n\n${md}\n`);
  console.log(
    'ratio req/s = first server / second; ratio CPU = second server CPU µs/req / first (> 1: the first is cheaper). ' +
      'SQL/req counts SELECT/INSERT/UPDATE/DELETE (+ transaction statements) from SHOW GLOBAL STATUS; ' +
      "DB µs/req is MariaDB's CPU per request (every client of it counts: noisy on a shared machine).",
  );
  mkdirSync('bench/results', { recursive: true });
  const name = `compare-${o.compare}${o.clients ? `-${o.clients}` : ''}`;
  writeFileSync(
    `bench/results/${name}.json`,
    JSON.stringify({ header, options: o, results, windows }, null, 2),
  );
  writeFileSync(`bench/results/${name}.md`, `${header}\n\n${md}\n`);
  const failures = Object.values(results)
    .flatMap((r) => Object.values(r))
    .reduce((a, r) => a + r.failures, 0);
  if (failures > 0) {
    console.error(
      `${failures} requests failed (non-2xx or socket errors): the figures are not valid`,
    );
    process.exitCode = 1;
  }
}
