import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TEST_DB_TYPE, type TestApp } from './helpers/test-app.js';

const REGISTER = '/api/v1/oauth/register';
const BODY = JSON.stringify({ redirect_uris: ['https://app.example.com/callback'] });

/**
 * A minimal reverse proxy, as a load balancer in front of the server: it connects to the server from
 * 127.0.0.1 and appends the address it received the request from to `X-Forwarded-For`, keeping whatever
 * the client wrote there before it.
 */
async function startProxy(target: string): Promise<{ url: string; close: () => Promise<void> }> {
  const upstream = new URL(target);
  const server: Server = createServer((req, res) => {
    const prior = req.headers['x-forwarded-for'];
    const xff = [prior, req.socket.remoteAddress].filter(Boolean).join(', ');
    const out = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        localAddress: '127.0.0.1',
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host, 'x-forwarded-for': xff },
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    out.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(out);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** POSTs a registration through `base` from the local address `from`, with a forged X-Forwarded-For. */
function register(base: string, from: string, forged: string): Promise<number> {
  const url = new URL(REGISTER, base);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        localAddress: from,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(BODY),
          'x-forwarded-for': forged,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(BODY);
  });
}

/** The registration limit counts in fixed windows: start well inside one. */
async function awayFromWindowEnd(windowSeconds: number): Promise<void> {
  const left = windowSeconds - (Math.floor(Date.now() / 1000) % windowSeconds);
  if (left < 5) await new Promise((r) => setTimeout(r, left * 1000));
}

/**
 * Issue 7 item 12: `TRUST_PROXY=true` made the leftmost X-Forwarded-For entry — the client's own words —
 * the client IP, so a new forged header per request dodged every per-IP rate limit. `true` is now refused;
 * a hop count or the proxy's subnet gives the address the proxy saw.
 */
describe.each([
  ['a hop count (TRUST_PROXY=1)', '1'],
  ['the proxy address (TRUST_PROXY=127.0.0.1/32)', '127.0.0.1/32'],
])(`registration rate limit behind one proxy, %s (${TEST_DB_TYPE})`, (_name, trustProxy) => {
  let t: TestApp;
  let proxy: Awaited<ReturnType<typeof startProxy>>;

  beforeAll(async () => {
    t = await createTestApp({
      env: {
        TRUST_PROXY: trustProxy,
        REGISTRATION_RATE_LIMIT: '3',
        REGISTRATION_RATE_WINDOW: '3600',
      },
    });
    proxy = await startProxy(t.url);
  });
  afterAll(async () => {
    await proxy?.close();
    await t?.close();
  });

  it('a forged X-Forwarded-For per request does not dodge the limit; another client keeps its own', async () => {
    await awayFromWindowEnd(3600);
    const statuses: number[] = [];
    for (let i = 1; i <= 5; i++) {
      statuses.push(await register(proxy.url, '127.0.0.2', `203.0.113.${i}`));
    }
    expect(statuses).toEqual([201, 201, 201, 429, 429]);
    // The limit is per client address as the proxy saw it, not one shared bucket for the proxy.
    expect(await register(proxy.url, '127.0.0.3', '203.0.113.99')).toBe(201);
  });
});

describe('TRUST_PROXY=true at start-up', () => {
  it('is refused by the environment validation with a message that says what to set', async () => {
    await expect(createTestApp({ env: { TRUST_PROXY: 'true' } })).rejects.toThrow(
      /TRUST_PROXY=true is refused.*number of proxies in front/s,
    );
  });
});
