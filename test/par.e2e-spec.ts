import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PushedAuthorizationRequestEntity } from '../src/authorize/entities/pushed-authorization-request.entity.js';
import { sha256Hex } from '../src/common/crypto/tokens.js';
import { seedClient, type SeededClient } from './helpers/clients.js';
import { createAdminClient, createUserWithRoles } from './helpers/admin.js';
import {
  authorize,
  AUTHORIZE_PATH,
  CookieJar,
  createUser,
  DEFAULT_PASSWORD,
  send,
} from './helpers/login-flow.js';
import { createTestApp, TEST_DB_TYPE, type TestApp } from './helpers/test-app.js';
import { assertion, basic, clientKey, pkce, postForm, TOKEN_PATH } from './helpers/token-flow.js';

const PAR_PATH = '/api/v1/oauth/pushed-authorization';
const REDIRECT = 'https://app.example.com/callback';
const REQUEST_URI = /^urn:ietf:params:oauth:request_uri:[A-Za-z0-9_-]{43}$/;

/** RFC 9126: pushed authorization requests, redeemed at /oauth/authorize through the real pages. */
describe(`pushed authorization requests, RFC 9126 (${TEST_DB_TYPE})`, () => {
  let t: TestApp;
  let confidential: SeededClient;
  let other: SeededClient;
  let user: Awaited<ReturnType<typeof createUser>>;

  beforeAll(async () => {
    t = await createTestApp({ env: { REGISTRATION_RATE_LIMIT: '0' } });
    confidential = await seedClient(t);
    other = await seedClient(t);
    user = await createUser(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  const authRequest = (extra: Record<string, string> = {}) => {
    const p = pkce();
    return {
      verifier: p.verifier,
      form: {
        response_type: 'code',
        redirect_uri: REDIRECT,
        scope: 'openid profile',
        state: 'st-123',
        nonce: 'n-1',
        code_challenge: p.challenge,
        code_challenge_method: 'S256',
        ...extra,
      },
    };
  };

  async function push(
    client: SeededClient,
    extra: Record<string, string> = {},
  ): Promise<{ requestUri: string; verifier: string }> {
    const { form, verifier } = authRequest(extra);
    const res = await postForm(t, form, {
      path: PAR_PATH,
      auth: basic(client.clientId, client.clientSecret!),
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return { requestUri: res.body.request_uri as string, verifier };
  }

  /** GET /oauth/authorize asking for JSON, to read an error the page would show. */
  async function authorizeJson(params: Record<string, string>) {
    return request(t.url).get(AUTHORIZE_PATH).query(params).set('Accept', 'application/json');
  }

  it('answers 201 with a one-time request_uri and expires_in (RFC 9126 §2.2)', async () => {
    const { form } = authRequest();
    const res = await postForm(t, form, {
      path: PAR_PATH,
      auth: basic(confidential.clientId, confidential.clientSecret!),
    });
    expect(res.status).toBe(201);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toEqual({ request_uri: expect.stringMatching(REQUEST_URI), expires_in: 60 });
    // Only the hash of the random part is stored.
    const reference = (res.body.request_uri as string).split(':').at(-1)!;
    const rows = await t.dataSource.getRepository(PushedAuthorizationRequestEntity).find();
    expect(rows.map((r) => r.idHash)).toContain(sha256Hex(reference));
    expect(JSON.stringify(rows)).not.toContain(reference);
    expect(JSON.stringify(rows)).not.toContain(confidential.clientSecret!);
  });

  it('accepts a JSON body and client_secret_post as the contract documents', async () => {
    const c = await seedClient(t, { tokenEndpointAuthMethod: 'client_secret_post' });
    const { form } = authRequest();
    const res = await request(t.url)
      .post(PAR_PATH)
      .send({ ...form, client_id: c.clientId, client_secret: c.clientSecret });
    expect(res.status).toBe(201);
    expect(res.body.request_uri).toMatch(REQUEST_URI);
  });

  it('runs the code flow with the pushed request through the login and consent pages', async () => {
    const { requestUri, verifier } = await push(confidential, { state: 'pushed-state' });
    // Parameters beside client_id and request_uri are ignored: the pushed ones count (RFC 9126 §4).
    const flow = await authorize(
      t,
      { client_id: confidential.clientId, request_uri: requestUri, state: 'tampered' },
      user,
    );
    expect(flow.error, flow.errorDescription).toBeUndefined();
    expect(flow.pages).toEqual(['/api/v1/oauth/login', '/api/v1/oauth/consent']);
    expect(flow.location.origin + flow.location.pathname).toBe(REDIRECT);
    expect(flow.state).toBe('pushed-state');
    expect(flow.iss).toBe(t.url);
    const tokens = await postForm(
      t,
      {
        grant_type: 'authorization_code',
        code: flow.code!,
        redirect_uri: REDIRECT,
        code_verifier: verifier,
      },
      { auth: basic(confidential.clientId, confidential.clientSecret!) },
    );
    expect(tokens.status).toBe(200);
    expect(tokens.body.scope).toBe('openid profile');
    expect(tokens.body.id_token).toBeDefined();
  });

  it('refuses a reused request_uri with invalid_request_uri (one-time use)', async () => {
    const { requestUri } = await push(confidential);
    const first = await authorize(
      t,
      { client_id: confidential.clientId, request_uri: requestUri },
      user,
    );
    expect(first.code).toBeDefined();
    const again = await authorizeJson({
      client_id: confidential.clientId,
      request_uri: requestUri,
    });
    expect(again.status).toBe(400);
    expect(again.body).toEqual({
      error: 'invalid_request_uri',
      error_description: expect.stringContaining('already used'),
    });
    // A browser gets the page, never a redirect (the redirect URI is in the pushed request).
    const page = await send(
      new CookieJar(),
      `${t.url}${AUTHORIZE_PATH}?${new URLSearchParams({ client_id: confidential.clientId, request_uri: requestUri }).toString()}`,
    );
    expect(page.res.status).toBe(400);
    expect(page.res.headers.get('location')).toBeNull();
    expect(page.body).toContain('invalid_request_uri');
  });

  it('refuses an expired request_uri with invalid_request_uri', async () => {
    const { requestUri } = await push(confidential);
    const reference = requestUri.split(':').at(-1)!;
    await t.dataSource
      .getRepository(PushedAuthorizationRequestEntity)
      .update({ idHash: sha256Hex(reference) }, { expiresAt: Math.floor(Date.now() / 1000) - 1 });
    const res = await authorizeJson({ client_id: confidential.clientId, request_uri: requestUri });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_request_uri');
    expect(res.body.error_description).toContain('expired');
  });

  it("refuses another client's request_uri, which stays usable by its own client", async () => {
    const { requestUri } = await push(confidential);
    const res = await authorizeJson({ client_id: other.clientId, request_uri: requestUri });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_request_uri');
    const own = await authorize(
      t,
      { client_id: confidential.clientId, request_uri: requestUri },
      user,
    );
    expect(own.code).toBeDefined();
  });

  it('refuses an unknown request_uri and one without client_id', async () => {
    const unknown = await authorizeJson({
      client_id: confidential.clientId,
      request_uri: `urn:ietf:params:oauth:request_uri:${'A'.repeat(43)}`,
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toBe('invalid_request_uri');
    const { requestUri } = await push(confidential);
    const noClient = await authorizeJson({ request_uri: requestUri });
    expect(noClient.status).toBe(400);
    expect(noClient.body.error).toBe('invalid_request');
  });

  describe('client authentication (as at the token endpoint)', () => {
    it('refuses a confidential client without authentication (401 invalid_client)', async () => {
      const { form } = authRequest();
      const res = await postForm(
        t,
        { ...form, client_id: confidential.clientId },
        { path: PAR_PATH },
      );
      expect(res.status).toBe(401);
      expect(res.body.error).toBe('invalid_client');
    });

    it('refuses a wrong secret and a request with no client at all', async () => {
      const { form } = authRequest();
      const wrong = await postForm(t, form, {
        path: PAR_PATH,
        auth: basic(confidential.clientId, 'sec_wrong'),
      });
      expect(wrong.status).toBe(401);
      expect(wrong.body.error).toBe('invalid_client');
      expect(wrong.headers['www-authenticate']).toMatch(/^Basic/);
      const none = await postForm(t, form, { path: PAR_PATH });
      expect(none.status).toBe(401);
      expect(none.body.error).toBe('invalid_client');
    });

    it('accepts a public client identified by client_id (PKCE required)', async () => {
      const pub = await seedClient(t, { tokenEndpointAuthMethod: 'none' });
      const { form } = authRequest();
      const ok = await postForm(t, { ...form, client_id: pub.clientId }, { path: PAR_PATH });
      expect(ok.status).toBe(201);
      const { code_challenge: _c, code_challenge_method: _m, ...noPkce } = form;
      const refused = await postForm(t, { ...noPkce, client_id: pub.clientId }, { path: PAR_PATH });
      expect(refused.status).toBe(400);
      expect(refused.body.error).toBe('invalid_request');
    });

    it('accepts private_key_jwt with the PAR endpoint as audience (RFC 9126 §2)', async () => {
      const key = await clientKey();
      const c = await seedClient(t, {
        tokenEndpointAuthMethod: 'private_key_jwt',
        jwks: { keys: [key.publicJwk] },
      });
      const { form } = authRequest();
      const res = await postForm(
        t,
        {
          ...form,
          client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
          client_assertion: await assertion(key, c.clientId, `${t.url}${PAR_PATH}`),
        },
        { path: PAR_PATH },
      );
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    });
  });

  describe('validation of the pushed request (the rules of /oauth/authorize, as JSON errors)', () => {
    it.each([
      [
        'a redirect_uri that is not registered',
        { redirect_uri: 'https://evil.example/cb' },
        'invalid_request',
      ],
      ['a scope the client may not have', { scope: 'openid admin' }, 'invalid_scope'],
      ['response_type=token', { response_type: 'token' }, 'unsupported_response_type'],
      ['the plain PKCE method', { code_challenge_method: 'plain' }, 'invalid_request'],
      [
        'a request_uri (RFC 9126 §2.1)',
        { request_uri: 'urn:ietf:params:oauth:request_uri:abc' },
        'invalid_request',
      ],
      ['a request object', { request: 'eyJhbGciOiJub25lIn0.e30.' }, 'request_not_supported'],
    ])('refuses %s with 400', async (_label, extra, error) => {
      const { form } = authRequest(extra);
      const res = await postForm(t, form, {
        path: PAR_PATH,
        auth: basic(confidential.clientId, confidential.clientSecret!),
      });
      expect(res.status).toBe(400);
      expect(res.headers.location).toBeUndefined();
      expect(res.body).toEqual({ error, error_description: expect.any(String) });
    });

    it('refuses an authenticated request without a body (response_type is required)', async () => {
      const res = await request(t.url)
        .post(PAR_PATH)
        .set('Authorization', basic(confidential.clientId, confidential.clientSecret!));
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('invalid_request');
    });

    it('refuses a repeated parameter', async () => {
      const { form } = authRequest();
      const res = await postForm(
        t,
        { ...form, scope: ['openid', 'profile'] },
        { path: PAR_PATH, auth: basic(confidential.clientId, confidential.clientSecret!) },
      );
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('invalid_request');
    });
  });

  describe('the admin scope through PAR (issue 8: as at /oauth/authorize)', () => {
    it('an admin client pushes scope=openid admin; an admin user gets it, an ordinary user not', async () => {
      const admin = await createAdminClient(t, { redirectUris: [REDIRECT] });
      for (const [roles, expectAdmin] of [
        [['admin'], true],
        [[], false],
      ] as const) {
        const signer = await createUserWithRoles(t, [...roles]);
        const { form, verifier } = authRequest({ scope: 'openid admin' });
        const pushed = await postForm(t, form, {
          path: PAR_PATH,
          auth: basic(admin.clientId, admin.clientSecret),
        });
        expect(pushed.status, JSON.stringify(pushed.body)).toBe(201);
        const flow = await authorize(
          t,
          { client_id: admin.clientId, request_uri: pushed.body.request_uri as string },
          { username: signer.username, password: DEFAULT_PASSWORD },
        );
        expect(flow.error, flow.errorDescription).toBeUndefined();
        const res = await postForm(
          t,
          {
            grant_type: 'authorization_code',
            code: flow.code!,
            redirect_uri: REDIRECT,
            code_verifier: verifier,
          },
          { auth: basic(admin.clientId, admin.clientSecret) },
        );
        expect(res.status, JSON.stringify(res.body)).toBe(200);
        expect((res.body.scope as string).split(' ').includes('admin')).toBe(expectAdmin);
      }
    });

    it('a client without admin access still cannot push it (invalid_scope)', async () => {
      const { form } = authRequest({ scope: 'admin' });
      const res = await postForm(t, form, {
        path: PAR_PATH,
        auth: basic(other.clientId, other.clientSecret!),
      });
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('invalid_scope');
    });
  });

  describe('require_pushed_authorization_requests (RFC 9126 §6)', () => {
    it('is registered, echoed and enforced per client', async () => {
      const reg = await request(t.url)
        .post('/connect/register')
        .send({ redirect_uris: [REDIRECT], require_pushed_authorization_requests: true });
      expect(reg.status).toBe(201);
      expect(reg.body.require_pushed_authorization_requests).toBe(true);
      const read = await request(t.url)
        .get(`/connect/register/${reg.body.client_id as string}`)
        .auth(reg.body.registration_access_token as string, { type: 'bearer' });
      expect(read.body.require_pushed_authorization_requests).toBe(true);

      const { form } = authRequest();
      const plain = await send(
        new CookieJar(),
        `${t.url}${AUTHORIZE_PATH}?${new URLSearchParams({ ...form, client_id: reg.body.client_id as string }).toString()}`,
      );
      expect(plain.res.status).toBe(302);
      const location = new URL(plain.res.headers.get('location')!);
      expect(location.searchParams.get('error')).toBe('invalid_request');
      expect(location.searchParams.get('error_description')).toContain('push');
      expect(location.searchParams.get('code')).toBeNull();

      const pushed = await postForm(t, form, {
        path: PAR_PATH,
        auth: basic(reg.body.client_id as string, reg.body.client_secret as string),
      });
      expect(pushed.status).toBe(201);
      const flow = await authorize(
        t,
        { client_id: reg.body.client_id as string, request_uri: pushed.body.request_uri as string },
        user,
      );
      expect(flow.code).toBeDefined();
    });

    it('is omitted when false and refused when not a boolean', async () => {
      const reg = await request(t.url)
        .post('/connect/register')
        .send({ redirect_uris: [REDIRECT] });
      expect(reg.status).toBe(201);
      expect(reg.body).not.toHaveProperty('require_pushed_authorization_requests');
      const bad = await request(t.url)
        .post('/connect/register')
        .send({ redirect_uris: [REDIRECT], require_pushed_authorization_requests: 'yes' });
      expect(bad.status).toBe(400);
      expect(bad.body.error).toBe('invalid_client_metadata');
    });
  });

  it('is advertised in discovery (RFC 9126 §5)', async () => {
    const meta = await request(t.url).get('/.well-known/oauth-authorization-server').expect(200);
    expect(meta.body.pushed_authorization_request_endpoint).toBe(`${t.url}${PAR_PATH}`);
    expect(meta.body.require_pushed_authorization_requests).toBe(false);
  });

  it('never answers a token request at the PAR endpoint', async () => {
    const res = await request(t.url).get(PAR_PATH);
    expect([404, 405]).toContain(res.status);
    expect(TOKEN_PATH).not.toBe(PAR_PATH);
  });
});

describe(`REQUIRE_PUSHED_AUTHORIZATION_REQUESTS=true (${TEST_DB_TYPE})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      env: { REQUIRE_PUSHED_AUTHORIZATION_REQUESTS: 'true', PAR_REQUEST_URI_TTL: '30' },
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('refuses plain authorization requests of every client and accepts pushed ones', async () => {
    const c = await seedClient(t);
    const user = await createUser(t);
    const meta = await request(t.url).get('/.well-known/openid-configuration').expect(200);
    expect(meta.body.require_pushed_authorization_requests).toBe(true);
    const p = pkce();
    const form = {
      response_type: 'code',
      redirect_uri: REDIRECT,
      scope: 'openid',
      code_challenge: p.challenge,
      code_challenge_method: 'S256',
    };
    const plain = await authorize(t, { ...form, client_id: c.clientId }, user);
    expect(plain.error).toBe('invalid_request');
    expect(plain.code).toBeUndefined();
    const pushed = await postForm(t, form, {
      path: PAR_PATH,
      auth: basic(c.clientId, c.clientSecret!),
    });
    expect(pushed.status).toBe(201);
    expect(pushed.body.expires_in).toBe(30);
    const flow = await authorize(
      t,
      { client_id: c.clientId, request_uri: pushed.body.request_uri as string },
      user,
    );
    expect(flow.code).toBeDefined();
  });
});
