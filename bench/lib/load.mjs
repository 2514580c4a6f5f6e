// Load generation for bench/compare.mjs: wrk with bench/wrk/requests.lua, or, where wrk is missing, a
// node:http client with the same semantics (slower: it shares the load core with nothing else but costs
// more CPU per request than wrk, so it may limit req/s before the server does).
//
// A scenario is a list of requests `{ method, path, headers, body }` and a mode: `cycle` (round-robin
// for the whole run) or `once` (each request at most once; the run ends early when they run out).
// The 9-byte placeholder "@@@@N@@@@" in a request becomes a zero-padded counter.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { http, keepAliveAgent } from './common.mjs';

const PLACEHOLDER = '@@@@N@@@@';
/** wrk processes running now, so that an interrupted bench can stop them. */
const running = new Set();

/** Stops any wrk still running (Ctrl-C of the bench). */
export function stopLoad() {
  for (const child of running) child.kill('SIGKILL');
}
const LUA = new URL('../wrk/requests.lua', import.meta.url).pathname;

/** A complete HTTP/1.1 request as wrk sends it. */
function render(host, { method, path, headers = {}, body }) {
  let head = `${method} ${path} HTTP/1.1\r\nHost: ${host}\r\n`;
  for (const [k, v] of Object.entries(headers)) head += `${k}: ${v}\r\n`;
  if (body !== undefined) head += `Content-Length: ${Buffer.byteLength(body)}\r\n`;
  return `${head}\r\n${body ?? ''}`;
}

/**
 * Runs one timed load. Returns `{ requests, seconds, p50Ms, p99Ms, failures }`: `failures` counts
 * non-2xx/3xx answers and socket errors; `seconds` is the active time (shorter than asked when a
 * `once` scenario ran out of requests).
 */
export async function runLoad({ loader, host, base, requests, mode, seconds, connections }) {
  return loader === 'wrk'
    ? wrk({ host, base, requests, mode, seconds, connections })
    : nodeLoad({ base, requests, mode, seconds, connections });
}

async function wrk({ host, base, requests, mode, seconds, connections }) {
  const dir = mkdtempSync(join(tmpdir(), 'authms-wrk-'));
  try {
    const file = join(dir, 'requests.txt');
    const parts = [`${requests.length}\n`];
    for (const r of requests) {
      const raw = Buffer.from(render(host, r));
      parts.push(`${raw.length}\n`, raw);
    }
    writeFileSync(file, Buffer.concat(parts.map((p) => (Buffer.isBuffer(p) ? p : Buffer.from(p)))));
    const args = [
      '-t1',
      `-c${connections}`,
      `-d${seconds}s`,
      '--timeout',
      '10s',
      '-s',
      LUA,
      `${base}/`,
      '--',
      file,
      mode,
      String(connections),
    ];
    const { code, stdout, stderr } = await new Promise((resolve, reject) => {
      const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
      running.add(child);
      child.on('exit', () => running.delete(child));
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (err += d));
      child.on('error', reject);
      child.on('exit', (c) => resolve({ code: c, stdout: out, stderr: err }));
    });
    const line = stdout.split('\n').find((l) => l.startsWith('BENCH_JSON '));
    if (code !== 0 || !line) throw new Error(`wrk failed (${code}): ${stderr}${stdout}`);
    const j = JSON.parse(line.slice('BENCH_JSON '.length));
    const activeUs = j.active_us > 0 ? j.active_us : j.duration_us;
    return {
      requests: j.requests,
      seconds: activeUs / 1e6,
      p50Ms: j.p50_us / 1000,
      p99Ms: j.p99_us / 1000,
      failures: j.connect_errors + j.read_errors + j.write_errors + j.status_errors + j.timeouts,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function nodeLoad({ base, requests, mode, seconds, connections }) {
  const agent = keepAliveAgent(connections);
  const latencies = [];
  let failures = 0;
  let index = 0;
  let counter = 0;
  const start = performance.now();
  const deadline = start + seconds * 1000;
  let end = start;
  try {
    await Promise.all(
      Array.from({ length: connections }, async () => {
        while (performance.now() < deadline) {
          if (mode === 'once' && index >= requests.length) return;
          const spec = requests[index % requests.length];
          index++;
          let body = spec.body;
          if (body?.includes(PLACEHOLDER)) {
            counter++;
            body = body.replace(PLACEHOLDER, String(counter % 1e9).padStart(9, '0'));
          }
          const t0 = performance.now();
          try {
            const r = await http(`${base}${spec.path}`, {
              method: spec.method,
              headers: spec.headers,
              body,
              agent,
            });
            if (r.status >= 400) failures++;
          } catch {
            failures++;
          }
          const t1 = performance.now();
          latencies.push(t1 - t0);
          end = Math.max(end, t1);
        }
      }),
    );
  } finally {
    agent.destroy();
  }
  latencies.sort((a, b) => a - b);
  const pct = (p) =>
    latencies.length
      ? latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]
      : null;
  return {
    requests: latencies.length,
    seconds: (end - start) / 1000,
    p50Ms: pct(50),
    p99Ms: pct(99),
    failures,
  };
}
