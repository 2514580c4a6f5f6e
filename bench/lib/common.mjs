// Helpers shared by bench/run.mjs (ratios against the health route) and bench/compare.mjs (side by side
// with oidc-provider, or SQLite against MariaDB): processes, HTTP, cookies, the authorization-code flow
// through AuthMS's login and consent forms, /proc readings and MariaDB access.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';

/** A free TCP port on the loopback interface. */
export async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Runs a node script with `env` added to this process's environment; `prefix` (e.g. `taskset -c 0`)
 * execs node in place, so the child's pid is node's. Resolves `exited` with its exit code.
 */
export function runNode(script, args, env, { onStderr, nodeArgs = [], prefix = [] } = {}) {
  const argv = [...prefix, process.execPath, ...nodeArgs, script, ...args];
  const child = spawn(argv[0], argv.slice(1), {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
    onStderr?.(d);
  });
  child.stdout.resume();
  const exited = new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve({ code, signal, stderr }));
  });
  return { child, exited, stderr: () => stderr };
}

/** Keep-alive agent for `concurrency` parallel clients, each keeping its connection. */
export function keepAliveAgent(concurrency) {
  return new Agent({ keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency });
}

/** One HTTP exchange: `{ status, headers, body }` with the body as a string. */
export function http(url, { method = 'GET', headers = {}, body, agent } = {}) {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        headers:
          body === undefined ? headers : { ...headers, 'content-length': Buffer.byteLength(body) },
        agent,
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export const json = (body, extra = {}) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...extra },
  body: JSON.stringify(body),
});
export const form = (body, extra = {}) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded', ...extra },
  body: new URLSearchParams(body).toString(),
});
export const okStatus = (r) => r.status < 400;
export const parseJson = (r, what) => {
  try {
    return JSON.parse(r.body);
  } catch {
    throw new Error(`${what}: ${r.status} ${r.body.slice(0, 300)}`);
  }
};
export const basicAuth = (id, secret) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

/** A browser's cookies for one origin. */
export class CookieJar {
  cookies = new Map();
  constructor(agent) {
    this.agent = agent;
  }
  header() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
  async send(url, init = {}) {
    const cookie = this.header();
    const res = await http(url, {
      ...init,
      agent: this.agent,
      headers: { ...(init.headers ?? {}), ...(cookie ? { cookie } : {}) },
    });
    for (const line of [res.headers['set-cookie'] ?? []].flat()) {
      const [pair] = line.split(';');
      const eq = pair.indexOf('=');
      const value = pair.slice(eq + 1).trim();
      if (value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(line))
        this.cookies.delete(pair.slice(0, eq).trim());
      else this.cookies.set(pair.slice(0, eq).trim(), value);
    }
    return res;
  }
}

/**
 * Follows an authorization request like a browser until the redirect back to the client, which carries
 * the code: redirects inside the server's origin are followed with the cookie jar; an HTML page with a
 * POST form (AuthMS's login and consent pages) is submitted with `user`'s credentials or "allow".
 * Returns the code.
 */
export async function followAuthorization(authorizeUrl, jar, user) {
  let url = new URL(authorizeUrl);
  const origin = url.origin;
  let res = await jar.send(url);
  for (let step = 0; step < 10; step++) {
    if (res.status >= 300 && res.status < 400) {
      const next = new URL(res.headers.location, url);
      if (next.origin !== origin) {
        const code = next.searchParams.get('code');
        if (!code) throw new Error(`authorize: no code in ${next.href}`);
        return code;
      }
      url = next;
      res = await jar.send(url);
      continue;
    }
    const m = /<form[^>]*method="post"[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/i.exec(
      res.body,
    );
    if (res.status !== 200 || !m)
      throw new Error(
        `authorize flow stopped at ${url.href}: ${res.status} ${res.body.slice(0, 300)}`,
      );
    const fields = {};
    for (const f of m[2].matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g))
      fields[f[1]] = f[2].replace(/&amp;/g, '&');
    url = new URL(m[1].replace(/&amp;/g, '&'), url);
    if (url.pathname.endsWith('/oauth/login'))
      Object.assign(fields, { username: user.username, password: user.password });
    else Object.assign(fields, { decision: 'allow' });
    res = await jar.send(url, form(fields));
  }
  throw new Error('authorize flow: too many steps');
}

/**
 * CPU time (user + system, ms) a process has used so far, from /proc (Linux); null elsewhere. Clock ticks
 * are assumed to be 100 Hz (USER_HZ on every mainstream Linux).
 */
export function processCpuMs(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

/** Resident set size in MB (/proc/<pid>/status VmRSS), or null. */
export function processRssMb(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** The pid of a local process whose command name is `comm` (e.g. mariadbd), or null. */
export function findProcess(comm) {
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === comm) return Number(entry);
      } catch {
        // The process ended while we looked.
      }
    }
  } catch {
    // No /proc.
  }
  return null;
}

/** Connection parameters of the benchmark's MariaDB/MySQL (the tests' defaults). */
export function mysqlParams() {
  return {
    host: process.env.DB_HOST ?? '127.0.0.1',
    port: Number(process.env.DB_PORT ?? 3306),
    user: process.env.DB_USER ?? 'root',
    password: process.env.DB_PASSWORD ?? '',
  };
}

export const median = (xs) => {
  const s = xs.filter((x) => x !== null && Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return null;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
