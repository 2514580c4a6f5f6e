import { request as httpRequest } from 'node:http';
import { gzipSync } from 'node:zlib';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOAuthError } from './helpers/oauth-assertions.js';
import { createTestApp, TEST_DB_TYPE, type TestApp } from './helpers/test-app.js';

/**
 * HTTP-level behaviour every endpoint shares, probed the way a black-box conformance check or a browser
 * does: wrong methods (405 + Allow, RFC 9110 §15.5.6), OPTIONS and CORS preflights, unknown paths
 * outside /api, and hostile bodies whose parser errors must not be echoed.
 */
describe(`HTTP semantics: methods, CORS, parser errors (${TEST_DB_TYPE})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { REGISTRATION_RATE_LIMIT: '1000' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  const register = async () => {
    const res = await request(t.url)
      .post('/api/v1/oauth/register')
      .send({ redirect_uris: ['https://app.example.com/cb'] })
      .expect(201);
    return res.body.data as { client_id: string; registration_access_token: string };
  };

  describe('405 Method Not Allowed with Allow', () => {
    it.each([
      ['get', '/api/v1/oauth/token', 'POST, OPTIONS'],
      ['put', '/api/v1/oauth/revoke', 'POST, OPTIONS'],
      ['delete', '/api/v1/oauth/introspect', 'POST, OPTIONS'],
      ['get', '/api/v1/oauth/refresh', 'POST, OPTIONS'],
      ['get', '/api/v1/oauth/register', 'POST, OPTIONS'],
      ['delete', '/api/v1/oauth/userinfo', 'GET, POST, HEAD, OPTIONS'],
      ['post', '/.well-known/openid-configuration', 'GET, HEAD, OPTIONS'],
      ['put', '/.well-known/oauth-authorization-server', 'GET, HEAD, OPTIONS'],
      ['post', '/.well-known/jwks.json', 'GET, HEAD, OPTIONS'],
      ['put', '/api/v1/oauth/authorize', 'GET, POST, HEAD, OPTIONS'],
    ] as const)('%s %s -> 405, Allow: %s', async (method, path, allow) => {
      const res = await request(t.url)[method](path);
      expectOAuthError(res, 405, 'invalid_request');
      expect(res.headers.allow).toBe(allow);
    });

    it('answers PATCH and POST on a client configuration URI with 405, before any token check', async () => {
      const c = await register();
      for (const method of ['patch', 'post'] as const) {
        const res = await request(t.url)[method](`/api/v1/oauth/register/${c.client_id}`);
        expectOAuthError(res, 405, 'invalid_request');
        expect(res.headers.allow).toBe('GET, PUT, DELETE, HEAD, OPTIONS');
      }
    });

    it('answers HEAD on a POST-only endpoint with 405 and no body', async () => {
      const res = await request(t.url).head('/api/v1/oauth/token');
      expect(res.status).toBe(405);
      expect(res.headers.allow).toBe('POST, OPTIONS');
    });

    it('still answers 404 for unknown paths, inside and outside /api/v1, as JSON', async () => {
      expectOAuthError(await request(t.url).get('/api/v1/oauth/nope'), 404, 'not_found');
      for (const path of [
        '/',
        '/.well-known/oauth-protected-resource',
        '/.well-known/oauth-authorization-server/api/v1',
      ]) {
        const res = await request(t.url).get(path);
        expectOAuthError(res, 404, 'not_found');
        expect(res.text).not.toMatch(/<html|Cannot GET/i);
      }
    });
  });

  describe('OPTIONS and CORS', () => {
    const origin = 'https://spa.example.org';

    it.each([
      ['/api/v1/oauth/token', 'POST, OPTIONS'],
      ['/api/v1/oauth/register', 'POST, OPTIONS'],
      ['/api/v1/oauth/register/01ANYCLIENT', 'GET, PUT, DELETE, HEAD, OPTIONS'],
      ['/api/v1/oauth/revoke', 'POST, OPTIONS'],
      ['/api/v1/oauth/userinfo', 'GET, POST, HEAD, OPTIONS'],
      ['/.well-known/oauth-authorization-server', 'GET, HEAD, OPTIONS'],
      ['/.well-known/jwks.json', 'GET, HEAD, OPTIONS'],
    ])(
      'answers a CORS preflight on %s for any origin, without credentials',
      async (path, allow) => {
        const res = await request(t.url)
          .options(path)
          .set('Origin', origin)
          .set('Access-Control-Request-Method', 'POST')
          .set(
            'Access-Control-Request-Headers',
            'authorization, content-type, mcp-protocol-version',
          );
        expect(res.status).toBe(204);
        expect(res.headers.allow).toBe(allow);
        expect(res.headers['access-control-allow-origin']).toBe('*');
        expect(res.headers['access-control-allow-methods']).toBe(allow);
        expect(res.headers['access-control-allow-headers']).toBe(
          'authorization, content-type, mcp-protocol-version',
        );
        expect(res.headers['access-control-allow-credentials']).toBeUndefined();
      },
    );

    it('falls back to a fixed header list when the requested one is malformed', async () => {
      const res = await request(t.url)
        .options('/api/v1/oauth/token')
        .set('Origin', origin)
        .set('Access-Control-Request-Method', 'POST')
        .set('Access-Control-Request-Headers', 'x-a, <script>');
      expect(res.headers['access-control-allow-headers']).toBe(
        'Authorization, Content-Type, Accept, DPoP',
      );
    });

    it('adds preflight headers only to a preflight: max age, Vary, the fixed list without a request', async () => {
      const plain = await request(t.url)
        .options('/api/v1/oauth/token')
        .set('Access-Control-Request-Headers', 'x-a');
      expect(plain.status).toBe(204);
      expect(plain.headers['access-control-allow-origin']).toBe('*');
      expect(plain.headers['access-control-expose-headers']).toContain('WWW-Authenticate');
      expect(plain.headers['access-control-allow-methods']).toBeUndefined();
      expect(plain.headers['access-control-allow-headers']).toBeUndefined();
      expect(plain.headers['access-control-max-age']).toBeUndefined();
      const preflight = await request(t.url)
        .options('/api/v1/oauth/token')
        .set('Origin', origin)
        .set('Access-Control-Request-Method', 'POST');
      expect(preflight.status).toBe(204);
      expect(preflight.headers['access-control-allow-headers']).toBe(
        'Authorization, Content-Type, Accept, DPoP',
      );
      expect(preflight.headers['access-control-max-age']).toBe('600');
      expect(preflight.headers.vary).toContain('Access-Control-Request-Headers');
      expect(preflight.headers['cache-control']).toBe('no-store');
      expect(preflight.headers['content-length']).toBeUndefined();
    });

    it.each(['/api/v1/oauth/authorize', '/api/v1/oauth/login', '/api/v1/oauth/consent'])(
      'gives the cookie-based %s no CORS headers at all (Allow only)',
      async (path) => {
        const res = await request(t.url)
          .options(path)
          .set('Origin', origin)
          .set('Access-Control-Request-Method', 'POST');
        expect(res.status).toBe(204);
        expect(res.headers.allow).toBe('GET, POST, HEAD, OPTIONS');
        expect(res.headers['access-control-allow-origin']).toBeUndefined();
        const get = await request(t.url).get(`${path}?client_id=x`).set('Origin', origin);
        expect(get.headers['access-control-allow-origin']).toBeUndefined();
      },
    );

    it('lets browsers read discovery, JWKS and token errors with their challenge headers', async () => {
      const doc = await request(t.url)
        .get('/.well-known/openid-configuration')
        .set('Origin', origin)
        .expect(200);
      expect(doc.headers['access-control-allow-origin']).toBe('*');
      expect(doc.headers['cache-control']).toBe('public, max-age=300');
      const jwks = await request(t.url).get('/.well-known/jwks.json').expect(200);
      expect(jwks.headers['access-control-allow-origin']).toBe('*');
      const bad = await request(t.url)
        .post('/api/v1/oauth/token')
        .set('Origin', origin)
        .auth('nobody', 'wrong')
        .type('form')
        .send({ grant_type: 'client_credentials' });
      expectOAuthError(bad, 401, 'invalid_client');
      expect(bad.headers['access-control-allow-origin']).toBe('*');
      expect(bad.headers['access-control-expose-headers']).toContain('WWW-Authenticate');
    });
  });

  describe('hostile bodies', () => {
    it.each(['null', '"x"', '5', '{"a":', '{bad', '\u2022\u2022secret-looking-input'])(
      'answers the JSON body %j with a fixed description that does not echo it',
      async (body) => {
        for (const path of ['/api/v1/oauth/register', '/api/v1/oauth/token']) {
          const res = await request(t.url)
            .post(path)
            .set('Content-Type', 'application/json')
            .send(body);
          expectOAuthError(res, 400, 'invalid_request');
          expect(res.body.error_description).toBe('The request body is not valid JSON');
        }
      },
    );

    it('answers too many form parameters with 413 naming the cause', async () => {
      const form = Array.from({ length: 150 }, (_, i) => `p${i}=1`).join('&');
      const res = await request(t.url).post('/api/v1/oauth/token').type('form').send(form);
      expectOAuthError(res, 413, 'invalid_request');
      expect(res.body.error_description).toBe('Too many parameters');
    });

    it('names the wrong type, not a length, for a non-string client_id or client_secret in PUT', async () => {
      const c = await register();
      for (const [field, value] of [
        ['client_id', 5],
        ['client_secret', { a: 1 }],
      ] as const) {
        const res = await request(t.url)
          .put(`/api/v1/oauth/register/${c.client_id}`)
          .set('Authorization', `Bearer ${c.registration_access_token}`)
          .send({ redirect_uris: ['https://app.example.com/cb'], [field]: value });
        expectOAuthError(res, 400, 'invalid_client_metadata');
        expect(res.body.error_description).toBe(`${field} must be a string`);
      }
    });

    it('refuses redirect URIs that parsers read differently, and stores nothing', async () => {
      for (const uri of [
        'https://app.example.com\\@evil.example/cb',
        'http://127.1/cb',
        'https:///cb',
      ]) {
        const res = await request(t.url)
          .post('/api/v1/oauth/register')
          .send({ redirect_uris: [uri], application_type: 'native' });
        expectOAuthError(res, 400, 'invalid_redirect_uri');
      }
    });
  });

  describe('security headers by kind of route (ADR 0130)', () => {
    const DOCUMENT_ONLY = [
      'cross-origin-opener-policy',
      'cross-origin-resource-policy',
      'origin-agent-cluster',
      'referrer-policy',
      'x-dns-prefetch-control',
      'x-download-options',
      'x-permitted-cross-domain-policies',
      'x-xss-protection',
    ];

    it('gives JSON API responses nosniff, HSTS and a deny-all CSP, without the HTML document headers or a body ETag', async () => {
      const c = await register();
      const responses = [
        await request(t.url).get('/api/v1/health'),
        await request(t.url).get('/.well-known/openid-configuration'),
        await request(t.url)
          .post('/api/v1/oauth/token')
          .auth('nobody', 'wrong')
          .type('form')
          .send({ grant_type: 'client_credentials' }),
        await request(t.url)
          .get(`/api/v1/oauth/register/${c.client_id}`)
          .set('Authorization', `Bearer ${c.registration_access_token}`),
      ];
      for (const res of responses) {
        expect(res.headers['x-content-type-options']).toBe('nosniff');
        expect(res.headers['strict-transport-security']).toBe(
          'max-age=31536000; includeSubDomains',
        );
        expect(res.headers['content-security-policy']).toBe(
          "default-src 'none'; frame-ancestors 'none'",
        );
        expect(res.headers['x-frame-options']).toBe('DENY');
        for (const name of DOCUMENT_ONLY) expect(res.headers[name]).toBeUndefined();
      }
      // Only the registration read carries an entity tag: the client's version (RFC 7592), no hash.
      expect(responses[3].headers.etag).toMatch(/^"v\d+"$/);
      for (const res of responses.slice(0, 3)) expect(res.headers.etag).toBeUndefined();
    });

    it('gives the pages a browser renders the full set of document headers', async () => {
      for (const path of ['/api/v1/oauth/authorize?client_id=nobody', '/api/docs']) {
        const res = await request(t.url).get(path).set('Accept', 'text/html');
        expect(res.headers['content-type']).toMatch(/^text\/html/);
        expect(res.headers['x-content-type-options']).toBe('nosniff');
        expect(res.headers['x-frame-options']).toBe('DENY');
        expect(res.headers['content-security-policy']).toBeDefined();
        for (const name of DOCUMENT_ONLY) expect(res.headers[name]).toBeDefined();
      }
    });
  });

  describe('form bodies: the lean reader and body-parser agree (RFC 6749 §3.2)', () => {
    const TOKEN = '/api/v1/oauth/token';
    const repeated = 'grant_type=client_credentials&grant_type=client_credentials';

    /** Posts `body` with node:http, chunked (no Content-Length) when `chunked`. */
    const rawPost = (
      body: Buffer,
      headers: Record<string, string>,
      chunked = false,
    ): Promise<{ status: number; body: Record<string, unknown> }> =>
      new Promise((resolve, reject) => {
        const req = httpRequest(
          `${t.url}${TOKEN}`,
          {
            method: 'POST',
            headers: chunked ? headers : { ...headers, 'Content-Length': String(body.length) },
          },
          (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (d: string) => (text += d));
            res.on('end', () =>
              resolve({
                status: res.statusCode!,
                body: JSON.parse(text) as Record<string, unknown>,
              }),
            );
          },
        );
        req.on('error', reject);
        if (chunked) {
          req.write(body.subarray(0, 10));
          req.end(body.subarray(10));
        } else req.end(body);
      });

    it.each([
      [
        'plain',
        { 'Content-Type': 'application/x-www-form-urlencoded' },
        (b: string) => Buffer.from(b),
        false,
      ],
      [
        'UTF-8 with a BOM',
        { 'Content-Type': 'application/x-www-form-urlencoded; charset=UTF-8' },
        (b: string) => Buffer.from(`\ufeff${b}`),
        false,
      ],
      [
        'ISO-8859-1',
        { 'Content-Type': 'application/x-www-form-urlencoded; charset=iso-8859-1' },
        (b: string) => Buffer.from(b),
        false,
      ],
      [
        'gzip',
        { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Encoding': 'gzip' },
        (b: string) => gzipSync(b),
        false,
      ],
      [
        'chunked',
        { 'Content-Type': 'application/x-www-form-urlencoded' },
        (b: string) => Buffer.from(b),
        true,
      ],
    ] as const)(
      'reads a %s form: a repeated parameter is refused, a single one parsed',
      async (_, headers, encode, chunked) => {
        const twice = await rawPost(encode(repeated), headers, chunked);
        expect(twice.status).toBe(400);
        expect(twice.body).toMatchObject({
          error: 'invalid_request',
          error_description: 'Parameter grant_type must not be repeated',
        });
        // Parsed, then refused by client authentication (no credentials): the body was read.
        const once = await rawPost(
          encode('grant_type=client_credentials&client_id=nobody&client_secret=x'),
          headers,
          chunked,
        );
        expect(once.status).toBe(401);
        expect(once.body).toMatchObject({ error: 'invalid_client' });
      },
    );

    it('answers an unsupported charset with 415 and an oversized form with 413, as before', async () => {
      const latin = await rawPost(Buffer.from('grant_type=x'), {
        'Content-Type': 'application/x-www-form-urlencoded; charset=koi8-r',
      });
      expect(latin.status).toBe(415);
      expect(latin.body).toMatchObject({ error: 'invalid_request' });
      const big = await request(t.url)
        .post(TOKEN)
        .type('form')
        .send(`grant_type=client_credentials&pad=${'x'.repeat(70_000)}`);
      expectOAuthError(big, 413, 'invalid_request');
      expect(big.body.error_description).toBe('The request body is too large');
    });
  });

  describe('Bearer credentials (RFC 6750 §2.1: "Bearer" 1*SP b64token)', () => {
    it('accepts the registration access token after several spaces and a lower-case scheme', async () => {
      const c = await register();
      for (const header of [
        `Bearer   ${c.registration_access_token}`,
        `bearer ${c.registration_access_token}`,
      ]) {
        await request(t.url)
          .get(`/api/v1/oauth/register/${c.client_id}`)
          .set('Authorization', header)
          .expect(200);
      }
      const res = await request(t.url)
        .get(`/api/v1/oauth/register/${c.client_id}`)
        .set('Authorization', 'Bearer');
      expectOAuthError(res, 401, 'invalid_token');
    });
  });
});
