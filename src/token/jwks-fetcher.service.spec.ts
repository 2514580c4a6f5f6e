import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { RateLimitResult, RateLimitService } from '../rate-limit/index.js';
import { JwksFetcher } from './jwks-fetcher.service.js';
import { resolveTokenSettings, type TokenModuleOptions } from './token.options.js';

const servers: Server[] = [];
async function serve(handler: RequestListener): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`;
}

/** An in-memory stand-in for the database-backed counter: one window that never ends. */
class InMemoryRateLimit {
  readonly hits = new Map<string, number>();
  hit(key: string, limit: number): Promise<RateLimitResult> {
    const n = (this.hits.get(key) ?? 0) + 1;
    this.hits.set(key, n);
    const allowed = limit <= 0 || n <= limit;
    return Promise.resolve({
      allowed,
      retryAfterSeconds: allowed ? 0 : 60,
      remaining: Math.max(0, limit - n),
      hits: n,
      resetSeconds: 60,
    });
  }
}

function sut(
  jwksFetch: TokenModuleOptions['jwksFetch'] = {},
  rateLimit = new InMemoryRateLimit(),
): JwksFetcher {
  return new JwksFetcher(
    resolveTokenSettings({
      jwksFetch: { allowPrivate: true, timeoutMs: 300, maxBytes: 2048, ...jwksFetch },
    }),
    rateLimit as unknown as RateLimitService,
  );
}

const JWKS = { keys: [{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y', kid: 'k1' }] };

describe(JwksFetcher.name, () => {
  afterEach(async () => {
    await Promise.all(
      servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))),
    );
  });

  it('fetches a JWK Set and serves it from the cache afterwards', async () => {
    let hits = 0;
    const url = await serve((_req, res) => {
      hits++;
      res.end(JSON.stringify(JWKS));
    });
    const fetcher = sut();
    expect(await fetcher.get(url)).toEqual(JWKS);
    expect(await fetcher.get(url)).toEqual(JWKS);
    expect(hits).toBe(1);
  });

  it('shares one fetch between concurrent callers', async () => {
    let hits = 0;
    const url = await serve((_req, res) => {
      hits++;
      setTimeout(() => res.end(JSON.stringify(JWKS)), 50);
    });
    const fetcher = sut();
    await Promise.all([fetcher.get(url), fetcher.get(url), fetcher.get(url)]);
    expect(hits).toBe(1);
  });

  it('refuses loopback addresses unless JWKS_URI_ALLOW_PRIVATE=true, before connecting', async () => {
    let hits = 0;
    const url = await serve((_req, res) => {
      hits++;
      res.end(JSON.stringify(JWKS));
    });
    const strict = sut({ allowPrivate: false });
    await expect(strict.get(url)).rejects.toThrow(/https only|private/);
    await expect(strict.get(url.replace('http:', 'https:'))).rejects.toThrow(/private/);
    await expect(strict.get(url.replace('http://127.0.0.1', 'https://localhost'))).rejects.toThrow(
      /private/,
    );
    await expect(strict.get('https://[::1]:1/jwks')).rejects.toThrow(/private/);
    expect(hits).toBe(0);
  });

  it('refuses bodies over JWKS_URI_MAX_BYTES, declared or streamed', async () => {
    const big = JSON.stringify({ keys: [{ kty: 'oct', k: 'x'.repeat(5000) }] });
    const declared = await serve((_req, res) => res.end(big));
    await expect(sut().get(declared)).rejects.toThrow(/exceeds/);
    const streamed = await serve((_req, res) => {
      res.write(big.slice(0, 1500));
      res.write(big.slice(1500));
      res.end();
    });
    await expect(sut().get(streamed)).rejects.toThrow(/exceeds/);
  });

  it('gives up after JWKS_URI_TIMEOUT_MS', async () => {
    const url = await serve(() => {
      /* never answers */
    });
    const started = Date.now();
    await expect(sut().get(url)).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('refuses redirects, error statuses, non-JSON and non-JWKS documents', async () => {
    const redirect = await serve((_req, res) => {
      res.writeHead(302, { location: 'http://169.254.169.254/' });
      res.end();
    });
    await expect(sut().get(redirect)).rejects.toThrow(/HTTP 302/);
    const notFound = await serve((_req, res) => {
      res.writeHead(404);
      res.end();
    });
    await expect(sut().get(notFound)).rejects.toThrow(/HTTP 404/);
    const html = await serve((_req, res) => res.end('<html>'));
    await expect(sut().get(html)).rejects.toThrow(/not JSON/);
    const noKeys = await serve((_req, res) => res.end('{"keys":{}}'));
    await expect(sut().get(noKeys)).rejects.toThrow(/not a JWK Set/);
  });

  it('refuses URLs with credentials and non-http schemes', async () => {
    await expect(sut().get('https://user:pw@example.com/jwks')).rejects.toThrow(/credentials/);
    await expect(sut().get('file:///etc/passwd')).rejects.toThrow(/scheme/);
    await expect(sut().get('not a url')).rejects.toThrow(/not a URL/);
  });

  it('refetches on request (key rotation) only after the minimum interval', async () => {
    let hits = 0;
    const url = await serve((_req, res) => {
      hits++;
      res.end(JSON.stringify(JWKS));
    });
    const fetcher = sut();
    await fetcher.get(url);
    await fetcher.get(url, true);
    expect(hits).toBe(1);
  });

  it('remembers a failed fetch per URI instead of fetching again on every request', async () => {
    let hits = 0;
    const url = await serve((_req, res) => {
      hits++;
      res.writeHead(500);
      res.end();
    });
    const fetcher = sut();
    await expect(fetcher.get(url, false, 'c1')).rejects.toThrow(/HTTP 500/);
    await expect(fetcher.get(url, false, 'c1')).rejects.toThrow(/failed recently/);
    await expect(fetcher.get(url, true, 'c2')).rejects.toThrow(/failed recently/);
    expect(hits).toBe(1);
  });

  it('lets each client cause at most JWKS_URI_FETCH_LIMIT fetches per window', async () => {
    let hits = 0;
    const url = await serve((_req, res) => {
      hits++;
      res.end(JSON.stringify(JWKS));
    });
    // No document cache, so every call would fetch; distinct URIs, as a client changing its jwks_uri.
    const fetcher = sut({ cacheTtlSeconds: 0, fetchLimitPerMinute: 2 });
    await fetcher.get(`${url}?1`, false, 'c1');
    await fetcher.get(`${url}?2`, false, 'c1');
    await expect(fetcher.get(`${url}?3`, false, 'c1')).rejects.toThrow(/fetch limit/);
    expect(hits).toBe(2);
    // Another client has its own budget.
    await fetcher.get(`${url}?3`, false, 'c2');
    expect(hits).toBe(3);
  });

  it('keeps using the cached copy when a refetch is over the limit', async () => {
    let hits = 0;
    const url = await serve((_req, res) => {
      hits++;
      res.end(JSON.stringify(JWKS));
    });
    const limits = new InMemoryRateLimit();
    const fetcher = sut({ fetchLimitPerMinute: 1 }, limits);
    expect(await fetcher.get(url, false, 'c1')).toEqual(JWKS);
    limits.hits.set('jwks-fetch:client:c1', 99);
    // Old enough for a forced refetch: pretend the copy is 11 s old.
    const entry = (fetcher as unknown as { cache: Map<string, { fetchedAt: number }> }).cache.get(
      url,
    );
    entry!.fetchedAt -= 11_000;
    expect(await fetcher.get(url, true, 'c1')).toEqual(JWKS);
    expect(hits).toBe(1);
  });
});
