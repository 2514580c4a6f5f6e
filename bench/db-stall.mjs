// How fast requests fail while MariaDB stalls, and how fast the server recovers (issue 9, docs/faults.md).
//
//   npm run build && node bench/db-stall.mjs
//   STALL_REQUESTS=60 DB_ACQUIRE_TIMEOUT_MS=3000 DB_QUERY_TIMEOUT_MS=5000 node bench/db-stall.mjs
//
// Starts the built server (`node dist/src/main.js`) on a fresh database of the MariaDB at 127.0.0.1:3306,
// through a TCP proxy of its own. It pauses the proxy (no byte passes, connections stay open: a stalled
// database), sends STALL_REQUESTS concurrent registrations and reports their status counts and the
// p50/max time to answer; then it resumes the proxy and reports the time until the first registration
// succeeds again (polled every 20 ms). The server keeps the default settings unless they are set here.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { connect, createServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import mysql from 'mysql2/promise';

const N = Number(process.env.STALL_REQUESTS ?? 60);
const target = { host: process.env.DB_HOST ?? '127.0.0.1', port: Number(process.env.DB_PORT ?? 3306) };
const user = process.env.DB_USER ?? 'root';
const password = process.env.DB_PASSWORD ?? '';

/** A pausable TCP proxy (the same behaviour as test/helpers/tcp-proxy.ts). */
function proxy() {
  let paused = false;
  const pairs = new Set();
  const server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    const pair = { held: [], sockets: [client, upstream] };
    pairs.add(pair);
    const forward = (from, to) => {
      from.on('data', (chunk) => (paused ? pair.held.push({ to, chunk }) : to.write(chunk)));
      const end = () => {
        client.destroy();
        upstream.destroy();
        pairs.delete(pair);
      };
      from.on('error', end);
      from.on('close', end);
    };
    forward(client, upstream);
    forward(upstream, client);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: server.address().port,
        pause: () => (paused = true),
        resume: () => {
          paused = false;
          for (const p of pairs) for (const { to, chunk } of p.held.splice(0)) to.write(chunk);
        },
        close: () => {
          for (const p of pairs) for (const s of p.sockets) s.destroy();
          server.close();
        },
      }),
    ),
  );
}

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

const name = `authms_stall_${randomBytes(4).toString('hex')}`;
const admin = await mysql.createConnection({ ...target, user, password });
await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
const p = await proxy();
const port = await freePort();
const url = `http://127.0.0.1:${port}`;
const server = spawn(process.execPath, ['dist/src/main.js'], {
  env: {
    ...process.env,
    NODE_ENV: 'test',
    LOG_LEVEL: 'error',
    HOST: '127.0.0.1',
    PORT: String(port),
    ISSUER: url,
    KEYS_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    DB_TYPE: 'mariadb',
    DB_HOST: '127.0.0.1',
    DB_PORT: String(p.port),
    DB_USER: user,
    DB_PASSWORD: password,
    DB_NAME: name,
    REGISTRATION_RATE_LIMIT: '0',
  },
  stdio: ['ignore', 'ignore', 'inherit'],
});

const register = async () => {
  const start = performance.now();
  const res = await fetch(`${url}/connect/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ redirect_uris: ['https://app.example.com/cb'] }),
  });
  await res.arrayBuffer();
  return { status: res.status, retryAfter: res.headers.get('retry-after'), ms: performance.now() - start };
};

try {
  for (let i = 0; i < 400; i++) {
    const ok = await fetch(`${url}/api/v1/health`).then((r) => r.ok, () => false);
    if (ok) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await register(); // warm the pool
  p.pause();
  const results = await Promise.all(Array.from({ length: N }, register));
  const ms = results.map((r) => r.ms).sort((a, b) => a - b);
  const statuses = {};
  for (const r of results) statuses[`${r.status} (Retry-After ${r.retryAfter})`] = (statuses[`${r.status} (Retry-After ${r.retryAfter})`] ?? 0) + 1;
  const resumedAt = performance.now();
  p.resume();
  let first;
  for (;;) {
    const r = await register();
    if (r.status === 201) {
      first = performance.now() - resumedAt;
      break;
    }
    await new Promise((res) => setTimeout(res, 20));
  }
  console.log(`stall: ${N} concurrent registrations while the database is paused`);
  console.log(`  statuses: ${JSON.stringify(statuses)}`);
  console.log(`  time to answer: p50 ${Math.round(ms[Math.floor(N / 2)])} ms, max ${Math.round(ms[N - 1])} ms`);
  console.log(`recovery: first 201 ${Math.round(first)} ms after the proxy resumed`);
} finally {
  server.kill('SIGTERM');
  await new Promise((r) => server.on('exit', r));
  p.close();
  await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
  await admin.end();
}
