import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ClientsService } from '../src/client-registration/index.js';
import { sha256Hex } from '../src/common/crypto/tokens.js';
import { expectOAuthError } from './helpers/oauth-assertions.js';
import { createTestApp, TEST_DB_TYPE, type TestApp } from './helpers/test-app.js';
import { holdRegistrationWritesUntil, type Registered } from './helpers/clients.js';

const REGISTER = '/api/v1/oauth/register';
const valid = {
  redirect_uris: ['https://app.example.com/callback'],
  client_name: 'My Application',
  grant_types: ['authorization_code', 'refresh_token'],
  scope: 'openid profile email',
};

describe(`client registration, envelope style (${TEST_DB_TYPE})`, () => {
  // holdRegistrationWritesUntil spies on the store: the next test must see the real one.
  afterEach(() => {
    vi.restoreAllMocks();
  });
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { REGISTRATION_RATE_LIMIT: '1000' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  const register = async (body: object = valid): Promise<Registered> => {
    const res = await request(t.url).post(REGISTER).send(body).expect(201);
    return res.body.data as Registered;
  };
  const path = (id: string) => `${REGISTER}/${id}`;

  describe('register (RFC 7591 §3.1, contract O17)', () => {
    it('answers 201 with the envelope, credentials, management URI and defaults applied', async () => {
      const before = Math.floor(Date.now() / 1000);
      const res = await request(t.url)
        .post(REGISTER)
        .send({ ...valid, unknown_field: 'ignored' })
        .expect(201);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['pragma']).toBe('no-cache');
      expect(Object.keys(res.body).sort()).toEqual(['code', 'data', 'message', 'timestamp']);
      expect(res.body.code).toBe(201);
      expect(res.body.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      const d = res.body.data;
      expect(d.client_id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
      expect(d.client_secret).toMatch(/^sec_/);
      expect(d.registration_access_token).toMatch(/^reg_/);
      expect(d.registration_client_uri).toBe(`${t.url}/api/v1/oauth/register/${d.client_id}`);
      expect(d.client_id_issued_at).toBeGreaterThanOrEqual(before);
      expect(d).toMatchObject({
        client_secret_expires_at: 0,
        application_type: 'web',
        token_endpoint_auth_method: 'client_secret_basic',
        response_types: ['code'],
        grant_types: ['authorization_code', 'refresh_token'],
        redirect_uris: valid.redirect_uris,
        scope: 'openid profile email',
        client_name: 'My Application',
      });
      // Unknown metadata is ignored (RFC 7591 §2); unset fields are omitted, never null or "".
      expect(d).not.toHaveProperty('unknown_field');
      for (const v of Object.values(d)) expect(v === null || v === '').toBe(false);
      expect(d).not.toHaveProperty('logo_uri');
    });

    it('defaults grant_types to authorization_code and scope to the configured default', async () => {
      const d = await register({ redirect_uris: ['https://app.example.com/cb'] });
      expect(d.grant_types).toEqual(['authorization_code']);
      expect(d.scope).toBe('openid profile email offline_access');
    });

    it('issues no client_secret to a public client (token_endpoint_auth_method none)', async () => {
      const d = await register({ ...valid, token_endpoint_auth_method: 'none' });
      expect(d).not.toHaveProperty('client_secret');
      expect(d.client_secret_expires_at).toBe(0);
    });

    it('accepts jwks as a JSON string and echoes it as an object', async () => {
      const { generateKeyPairSync } = await import('node:crypto');
      const jwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({
        format: 'jwk',
      });
      const d = await register({
        ...valid,
        token_endpoint_auth_method: 'private_key_jwt',
        jwks: JSON.stringify({ keys: [jwk] }),
        software_id: 'sw',
        software_version: '2',
      });
      expect(d.jwks).toEqual({ keys: [jwk] });
      expect(d).toMatchObject({ software_id: 'sw', software_version: '2' });
      expect(d).not.toHaveProperty('client_secret');
    });

    it('stores only SHA-256 hashes of the secret and the registration access token', async () => {
      const d = await register();
      const rows: Record<string, unknown>[] = await t.dataSource.query(
        'SELECT * FROM oauth_clients WHERE id = ?',
        [d.client_id],
      );
      const secrets: Record<string, unknown>[] = await t.dataSource.query(
        'SELECT * FROM client_secrets WHERE client_id = ?',
        [d.client_id],
      );
      const dump = JSON.stringify([rows, secrets]);
      expect(dump).not.toContain(d.client_secret);
      expect(dump).not.toContain(d.registration_access_token);
      expect(secrets.map((r) => r.secret_hash)).toEqual([sha256Hex(d.client_secret!)]);
      expect(rows[0]?.registration_access_token_hash).toBe(sha256Hex(d.registration_access_token));
    });

    it('registers 50 clients in parallel with distinct ids', async () => {
      const results = await Promise.all(
        Array.from({ length: 50 }, () => request(t.url).post(REGISTER).send(valid)),
      );
      expect(results.map((r) => r.status)).toEqual(Array(50).fill(201));
      const ids = new Set(results.map((r) => r.body.data.client_id as string));
      expect(ids.size).toBe(50);
    });

    it.each([
      [{}, 'invalid_client_metadata', 'redirect_uris'],
      [{ redirect_uris: [] }, 'invalid_client_metadata', 'redirect_uris'],
      [{ redirect_uris: 'https://a.example.com/cb' }, 'invalid_client_metadata', 'redirect_uris'],
      [{ redirect_uris: [42] }, 'invalid_client_metadata', 'redirect_uris'],
      [{ redirect_uris: ['javascript:alert(1)'] }, 'invalid_redirect_uri', 'redirect_uris[0]'],
      [{ redirect_uris: ['https://a.example.com/cb#x'] }, 'invalid_redirect_uri', 'fragment'],
      [{ redirect_uris: ['http://a.example.com/cb'] }, 'invalid_redirect_uri', 'https'],
      [{ ...valid, client_name: 42 }, 'invalid_client_metadata', 'client_name'],
      [{ ...valid, client_name: ['x'] }, 'invalid_client_metadata', 'client_name'],
      [{ ...valid, client_name: 'x'.repeat(300) }, 'invalid_client_metadata', 'client_name'],
      [{ ...valid, client_name: 'nul\u0000byte' }, 'invalid_client_metadata', 'client_name'],
      [{ ...valid, client_name: 'lone \ud800' }, 'invalid_client_metadata', 'client_name'],
      [{ ...valid, contacts: 'admin@example.com' }, 'invalid_client_metadata', 'contacts'],
      [{ ...valid, contacts: [{}] }, 'invalid_client_metadata', 'contacts'],
      [{ ...valid, grant_types: 'authorization_code' }, 'invalid_client_metadata', 'grant_types'],
      [{ ...valid, grant_types: ['implicit'] }, 'invalid_client_metadata', 'grant_types'],
      [{ ...valid, response_types: ['token'] }, 'invalid_client_metadata', 'response_types'],
      [{ ...valid, scope: ['openid'] }, 'invalid_client_metadata', 'scope'],
      [{ ...valid, scope: 'openid admin' }, 'invalid_client_metadata', 'scope'],
      [
        { ...valid, token_endpoint_auth_method: true },
        'invalid_client_metadata',
        'token_endpoint_auth_method',
      ],
      [
        { ...valid, token_endpoint_auth_method: 'none', grant_types: ['client_credentials'] },
        'invalid_client_metadata',
        'client_credentials',
      ],
      [
        { ...valid, token_endpoint_auth_method: 'private_key_jwt' },
        'invalid_client_metadata',
        'jwks',
      ],
      [{ ...valid, jwks: 5 }, 'invalid_client_metadata', 'jwks'],
      [{ ...valid, jwks: [1] }, 'invalid_client_metadata', 'jwks'],
      [
        { ...valid, jwks: '{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}' },
        'invalid_client_metadata',
        'private',
      ],
      [
        { ...valid, jwks_uri: 'https://a.example.com/j', jwks: '{"keys":[]}' },
        'invalid_client_metadata',
        'jwks',
      ],
      [{ ...valid, logo_uri: 'data:image/png;base64,AA' }, 'invalid_client_metadata', 'logo_uri'],
      [
        { ...valid, client_uri: 'https://x.example.com/'.padEnd(3000, 'a') },
        'invalid_client_metadata',
        'client_uri',
      ],
      [{ ...valid, application_type: 'desktop' }, 'invalid_client_metadata', 'application_type'],
    ])('refuses %j with 400 %s naming the field', async (body, error, field) => {
      const res = await request(t.url).post(REGISTER).send(body);
      expectOAuthError(res, 400, error);
      expect(res.body.error_description).toContain(field);
    });

    it('says redirect_uris must be an array when it is a string, not that it has too many items', async () => {
      const res = await request(t.url)
        .post(REGISTER)
        .send({ redirect_uris: 'https://a.example.com/cb' });
      expectOAuthError(res, 400, 'invalid_client_metadata');
      expect(res.body.error_description).toBe('redirect_uris must be an array of strings');
    });

    it('refuses a body that is not a JSON object with 400 invalid_client_metadata', async () => {
      for (const raw of ['[]', '"text"', 'null', '123']) {
        const res = await request(t.url)
          .post(REGISTER)
          .set('Content-Type', 'application/json')
          .send(raw);
        expect(res.status).toBe(400);
        expect(['invalid_client_metadata', 'invalid_request']).toContain(res.body.error);
        expectOAuthError(res, 400, res.body.error as string);
      }
      const empty = await request(t.url).post(REGISTER);
      expectOAuthError(empty, 400, 'invalid_client_metadata');
    });

    it('answers malformed JSON with 400 invalid_request, never a stack trace', async () => {
      const res = await request(t.url)
        .post(REGISTER)
        .set('Content-Type', 'application/json')
        .send('{"redirect_uris": [');
      expectOAuthError(res, 400, 'invalid_request');
    });

    it('answers a non-JSON content type with 415 invalid_request', async () => {
      const form = await request(t.url)
        .post(REGISTER)
        .type('form')
        .send('redirect_uris=https://a.example.com/cb');
      expectOAuthError(form, 415, 'invalid_request');
      const text = await request(t.url).post(REGISTER).set('Content-Type', 'text/plain').send('{}');
      expectOAuthError(text, 415, 'invalid_request');
    });

    it('answers an oversized body with 413 invalid_request', async () => {
      const res = await request(t.url)
        .post(REGISTER)
        .send({ ...valid, client_name: 'x'.repeat(70 * 1024) });
      expectOAuthError(res, 413, 'invalid_request');
    });

    it('refuses deeply nested JSON with a 4xx, not a 500', async () => {
      const deep = '{"jwks":' + '{"a":'.repeat(5000) + '1' + '}'.repeat(5000) + '}';
      const res = await request(t.url)
        .post(REGISTER)
        .set('Content-Type', 'application/json')
        .send(deep);
      expectOAuthError(res, 400, 'invalid_request');
    });

    it('ignores prototype-pollution keys and registers normally', async () => {
      const raw = JSON.stringify(valid).replace(
        /^\{/,
        '{"__proto__":{"polluted":true,"token_endpoint_auth_method":"none"},"constructor":{"prototype":{"polluted":true}},',
      );
      const res = await request(t.url)
        .post(REGISTER)
        .set('Content-Type', 'application/json')
        .send(raw);
      expect(res.status).toBe(201);
      expect(res.body.data.token_endpoint_auth_method).toBe('client_secret_basic');
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    it('stores and returns unicode metadata unchanged', async () => {
      const name = 'Приложение 应用 🚀 ñ';
      const d = await register({ ...valid, client_name: name, contacts: ['josé@exämple.com'] });
      const res = await request(t.url)
        .get(path(d.client_id))
        .auth(d.registration_access_token, { type: 'bearer' })
        .expect(200);
      expect(res.body.data.client_name).toBe(name);
      expect(res.body.data.contacts).toEqual(['josé@exämple.com']);
    });
  });

  describe('read (RFC 7592 §2.1, contract O18)', () => {
    it('returns the current metadata without the secret', async () => {
      const d = await register();
      const res = await request(t.url)
        .get(path(d.client_id))
        .auth(d.registration_access_token, { type: 'bearer' })
        .expect(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.body.code).toBe(200);
      const { client_secret: _secret, ...withoutSecret } = d;
      expect(res.body.data).toEqual(withoutSecret);
    });

    it('answers every bad token with the same 401 invalid_token and Bearer challenge', async () => {
      const a = await register();
      const b = await register();
      await request(t.url)
        .delete(path(b.client_id))
        .auth(b.registration_access_token, { type: 'bearer' })
        .expect(204);
      const cases: [string, Record<string, string>][] = [
        [path(a.client_id), {}],
        [path(a.client_id), { Authorization: 'Bearer' }],
        [path(a.client_id), { Authorization: 'Basic abc' }],
        [path(a.client_id), { Authorization: 'Bearer a b' }],
        [path(a.client_id), { Authorization: 'Bearer reg_wrong' }],
        [path(a.client_id), { Authorization: `Bearer ${b.registration_access_token}` }],
        [path(b.client_id), { Authorization: `Bearer ${b.registration_access_token}` }],
        [
          path('01ARZ3NDEKTSV4RRFFQ69G5FAV'),
          { Authorization: `Bearer ${a.registration_access_token}` },
        ],
        [path('not-a-ulid'), { Authorization: `Bearer ${a.registration_access_token}` }],
      ];
      const bodies = new Set<string>();
      for (const [p, headers] of cases) {
        const res = await request(t.url).get(p).set(headers);
        expectOAuthError(res, 401, 'invalid_token');
        bodies.add(JSON.stringify(res.body));
      }
      expect(bodies.size).toBe(1);
    });

    it('refuses the token in the query string (RFC 6750 §2.3 is not offered)', async () => {
      const d = await register();
      const res = await request(t.url).get(
        `${path(d.client_id)}?access_token=${d.registration_access_token}`,
      );
      expectOAuthError(res, 401, 'invalid_token');
    });
  });

  describe('update (RFC 7592 §2.2, contract O19)', () => {
    const put = (d: Registered, body: unknown, token = d.registration_access_token) =>
      request(t.url)
        .put(path(d.client_id))
        .auth(token, { type: 'bearer' })
        .send(body as object);

    it('replaces the metadata: omitted fields are cleared or reset to defaults', async () => {
      const d = await register({
        ...valid,
        logo_uri: 'https://app.example.com/l.png',
        contacts: ['a@example.com'],
      });
      const res = await put(d, {
        redirect_uris: ['https://new.example.com/cb'],
        client_name: 'Renamed',
      }).expect(200);
      expect(res.headers['cache-control']).toBe('no-store');
      const u = res.body.data;
      expect(u).toMatchObject({
        client_id: d.client_id,
        client_name: 'Renamed',
        redirect_uris: ['https://new.example.com/cb'],
        grant_types: ['authorization_code'],
        scope: 'openid profile email offline_access',
        client_id_issued_at: d.client_id_issued_at,
      });
      expect(u).not.toHaveProperty('logo_uri');
      expect(u).not.toHaveProperty('contacts');
      expect(u).not.toHaveProperty('client_secret');
      const read = await request(t.url)
        .get(path(d.client_id))
        .auth(u.registration_access_token, { type: 'bearer' });
      expect(read.body.data).toEqual(u);
    });

    it('rotates the registration access token: the old one stops working at once', async () => {
      const d = await register();
      const res = await put(d, valid).expect(200);
      const next = res.body.data.registration_access_token as string;
      expect(next).toMatch(/^reg_/);
      expect(next).not.toBe(d.registration_access_token);
      expectOAuthError(
        await request(t.url)
          .get(path(d.client_id))
          .auth(d.registration_access_token, { type: 'bearer' }),
        401,
        'invalid_token',
      );
      await request(t.url).get(path(d.client_id)).auth(next, { type: 'bearer' }).expect(200);
    });

    it('ignores server-managed fields in the body', async () => {
      const d = await register();
      const res = await put(d, {
        ...valid,
        registration_access_token: 'reg_mine',
        registration_client_uri: 'https://evil.example.com/',
        client_id_issued_at: 1,
        client_secret_expires_at: 99,
      }).expect(200);
      expect(res.body.data).toMatchObject({
        client_id_issued_at: d.client_id_issued_at,
        client_secret_expires_at: 0,
        registration_client_uri: d.registration_client_uri,
      });
      expect(res.body.data.registration_access_token).not.toBe('reg_mine');
    });

    it('accepts client_id and client_secret in the body only when they match', async () => {
      const d = await register();
      let res = await put(d, { ...valid, client_id: '01ARZ3NDEKTSV4RRFFQ69G5FAV' });
      expectOAuthError(res, 400, 'invalid_client_metadata');
      expect(res.body.error_description).toContain('client_id');
      res = await put(d, { ...valid, client_secret: 'sec_nope' });
      expectOAuthError(res, 400, 'invalid_client_metadata');
      expect(res.body.error_description).toContain('client_secret');
      await put(d, { ...valid, client_id: d.client_id, client_secret: d.client_secret }).expect(
        200,
      );
    });

    it('changes nothing when the new metadata is invalid', async () => {
      const d = await register();
      const before: unknown[] = await t.dataSource.query(
        'SELECT * FROM oauth_clients WHERE id = ?',
        [d.client_id],
      );
      const res = await put(d, {
        ...valid,
        redirect_uris: ['https://ok.example.com/cb', 'javascript:x'],
      });
      expectOAuthError(res, 400, 'invalid_redirect_uri');
      const res2 = await put(d, { ...valid, client_name: 7 });
      expectOAuthError(res2, 400, 'invalid_client_metadata');
      const after: unknown[] = await t.dataSource.query(
        'SELECT * FROM oauth_clients WHERE id = ?',
        [d.client_id],
      );
      expect(after).toEqual(before);
      // The token did not rotate either.
      await request(t.url)
        .get(path(d.client_id))
        .auth(d.registration_access_token, { type: 'bearer' })
        .expect(200);
    });

    it('says redirect_uris must be an array when an update gives a string', async () => {
      const d = await register();
      const res = await put(d, { ...valid, redirect_uris: 'https://a.example.com/cb' });
      expectOAuthError(res, 400, 'invalid_client_metadata');
      expect(res.body.error_description).toBe('redirect_uris must be an array of strings');
    });

    it('checks the token before the body, and refuses non-JSON bodies', async () => {
      const d = await register();
      expectOAuthError(await put(d, { client_name: 5 }, 'reg_bad'), 401, 'invalid_token');
      const res = await request(t.url)
        .put(path(d.client_id))
        .auth(d.registration_access_token, { type: 'bearer' })
        .set('Content-Type', 'text/plain')
        .send('x');
      expectOAuthError(res, 415, 'invalid_request');
    });

    it('issues a secret when a public client becomes confidential, once', async () => {
      const d = await register({ ...valid, token_endpoint_auth_method: 'none' });
      const res = await put(d, {
        ...valid,
        token_endpoint_auth_method: 'client_secret_post',
      }).expect(200);
      const secret = res.body.data.client_secret as string;
      expect(secret).toMatch(/^sec_/);
      const clients = t.app.get(ClientsService);
      expect(await clients.checkSecret(d.client_id, secret)).toBe('valid');
      const read = await request(t.url)
        .get(path(d.client_id))
        .auth(res.body.data.registration_access_token, { type: 'bearer' });
      expect(read.body.data).not.toHaveProperty('client_secret');
    });

    it('lets exactly one of 10 parallel updates with the same token win, without a mixed record', async () => {
      const d = await register();
      const bodies = Array.from({ length: 10 }, (_, i) => ({
        redirect_uris: [`https://r${i}.example.com/cb`],
        client_name: `writer ${i}`,
        contacts: [`w${i}@example.com`],
      }));
      // All ten authenticate before any writes: the winner's rotation makes the others' token stale.
      holdRegistrationWritesUntil(t, bodies.length);
      const results = await Promise.all(bodies.map((b) => put(d, b)));
      const statuses = results.map((r) => r.status).sort();
      expect(statuses).toEqual([200, ...Array(9).fill(401)]);
      for (const r of results.filter((x) => x.status === 401)) {
        expectOAuthError(r, 401, 'invalid_token');
      }
      const winner = results.find((r) => r.status === 200)!;
      const i = bodies.findIndex((b) => b.client_name === winner.body.data.client_name);
      const read = await request(t.url)
        .get(path(d.client_id))
        .auth(winner.body.data.registration_access_token, { type: 'bearer' })
        .expect(200);
      expect(read.body.data).toMatchObject(bodies[i]);
    });
  });

  describe('delete (RFC 7592 §2.3, contract O20)', () => {
    it('soft-deletes: 204 without a body, then token and secret are rejected', async () => {
      const d = await register();
      const clients = t.app.get(ClientsService);
      expect(await clients.checkSecret(d.client_id, d.client_secret!)).toBe('valid');
      const res = await request(t.url)
        .delete(path(d.client_id))
        .auth(d.registration_access_token, { type: 'bearer' })
        .expect(204);
      expect(res.text).toBe('');
      const rows: { deleted_at: unknown }[] = await t.dataSource.query(
        'SELECT deleted_at FROM oauth_clients WHERE id = ?',
        [d.client_id],
      );
      expect(rows[0]?.deleted_at).not.toBeNull();
      expect(await clients.checkSecret(d.client_id, d.client_secret!)).toBe('invalid');
      expect(await clients.findActiveById(d.client_id)).toBeNull();
      for (const method of ['get', 'put', 'delete'] as const) {
        const r = await request(t.url)
          [method](path(d.client_id))
          .auth(d.registration_access_token, { type: 'bearer' })
          .send(valid);
        expectOAuthError(r, 401, 'invalid_token');
      }
    });
  });
});

describe(`registration database failures (${TEST_DB_TYPE})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { REGISTRATION_RATE_LIMIT: '0' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers 500 server_error with a generic description when the store fails', async () => {
    const ok = await request(t.url).post(REGISTER).send(valid).expect(201);
    const d = ok.body.data as Registered;
    await t.dataSource.query('DROP TABLE oauth_clients');
    const post = await request(t.url).post(REGISTER).send(valid);
    expectOAuthError(post, 500, 'server_error');
    expect(post.body.error_description).toBe('The server encountered an internal error');
    const get = await request(t.url)
      .get(`${REGISTER}/${d.client_id}`)
      .auth(d.registration_access_token, { type: 'bearer' });
    expectOAuthError(get, 500, 'server_error');
    expect(JSON.stringify(post.body) + JSON.stringify(get.body)).not.toMatch(
      /oauth_clients|SQL|table/i,
    );
  });
});
