import { createRemoteJWKSet, jwtVerify } from 'jose';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientEntity } from '../src/client-registration/index.js';
import { AuthorizationRequestEntity } from '../src/authorize/entities/authorization-request.entity.js';
import { seedClient, type SeededClient } from './helpers/clients.js';
import { authorize, AUTHORIZE_PATH, CookieJar, createUser, send } from './helpers/login-flow.js';
import { createTestApp, TEST_DB_TYPE, type TestApp } from './helpers/test-app.js';
import { basic, pkce, postForm } from './helpers/token-flow.js';

const REDIRECT = 'https://app.example.com/callback';

describe(`GET/POST /oauth/authorize (${TEST_DB_TYPE})`, () => {
  let t: TestApp;
  let user: Awaited<ReturnType<typeof createUser>>;
  let client: SeededClient;

  beforeAll(async () => {
    t = await createTestApp();
    user = await createUser(t);
    client = await seedClient(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  const url = (params: Record<string, string | string[]>) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) {
      for (const one of Array.isArray(v) ? v : [v]) q.append(k, one);
    }
    return `${t.url}${AUTHORIZE_PATH}?${q.toString()}`;
  };
  const base = (extra: Record<string, string | string[]> = {}) => ({
    response_type: 'code',
    client_id: client.clientId,
    redirect_uri: REDIRECT,
    state: 'st-123',
    ...extra,
  });

  /** An error page, never a redirect (RFC 6749 §4.1.2.1). */
  async function expectErrorPage(
    params: Record<string, string | string[]>,
    error: string,
  ): Promise<string> {
    const { res, body } = await send(new CookieJar(), url(params));
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(body).toContain(error);
    return body;
  }

  /** An error redirected to the client with error, error_description, state and iss (RFC 9207). */
  async function expectErrorRedirect(
    params: Record<string, string | string[]>,
    error: string,
    redirect = REDIRECT,
  ): Promise<URL> {
    const { res } = await send(new CookieJar(), url(params));
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).toBe(redirect.split('?')[0]);
    expect(location.searchParams.get('error')).toBe(error);
    expect(location.searchParams.get('error_description')).toBeTruthy();
    expect(location.searchParams.get('iss')).toBe(t.url);
    expect(location.searchParams.get('code')).toBeNull();
    return location;
  }

  describe('client and redirect URI (never redirected)', () => {
    it('shows an error page when client_id is missing (RFC 6749 §4.1.2.1)', async () => {
      await expectErrorPage({ response_type: 'code', redirect_uri: REDIRECT }, 'invalid_request');
    });

    it('shows an error page for an unknown client', async () => {
      await expectErrorPage(base({ client_id: '01ARZ3NDEKTSV4RRFFQ69G5FAV' }), 'invalid_client');
    });

    it('shows an error page for a malformed client_id', async () => {
      await expectErrorPage(base({ client_id: '<script>' }), 'invalid_client');
    });

    it('shows an error page when client_id is repeated (RFC 6749 §3.1)', async () => {
      await expectErrorPage(
        base({ client_id: [client.clientId, client.clientId] }),
        'invalid_request',
      );
    });

    it('answers OAuthErrorResponse JSON to a caller that accepts only JSON', async () => {
      const res = await request(t.url)
        .get(AUTHORIZE_PATH)
        .query({ ...base(), client_id: '01ARZ3NDEKTSV4RRFFQ69G5FAV' })
        .set('Accept', 'application/json');
      expect(res.status).toBe(400);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.body).toEqual({ error: 'invalid_client', error_description: expect.any(String) });
    });

    it.each([
      ['trailing slash', `${REDIRECT}/`],
      ['extra query', `${REDIRECT}?x=1`],
      ['different case in path', 'https://app.example.com/Callback'],
      ['different port', 'https://app.example.com:8443/callback'],
      ['different host', 'https://evil.example.com/callback'],
      ['http instead of https', 'http://app.example.com/callback'],
    ])(
      'refuses a redirect_uri near miss (%s) with an error page (RFC 6749 §3.1.2.3)',
      async (_l, uri) => {
        const body = await expectErrorPage(base({ redirect_uri: uri }), 'invalid_request');
        expect(body).not.toContain('evil.example.com');
      },
    );

    it('refuses a repeated redirect_uri with an error page', async () => {
      await expectErrorPage(base({ redirect_uri: [REDIRECT, REDIRECT] }), 'invalid_request');
    });

    it('uses the only registered redirect URI when redirect_uri is omitted (RFC 6749 §3.1.2.3)', async () => {
      const { redirect_uri: _omit, ...params } = base({ response_type: 'token' });
      await expectErrorRedirect(params, 'unsupported_response_type');
    });

    it('requires redirect_uri when several are registered', async () => {
      const c = await seedClient(t, {
        redirectUris: [REDIRECT, 'https://app.example.com/other'],
      });
      await expectErrorPage(
        { response_type: 'code', client_id: c.clientId, state: 's' },
        'invalid_request',
      );
    });

    it('lets a native client use any port on its loopback redirect (RFC 8252 §7.3)', async () => {
      const c = await seedClient(t, {
        applicationType: 'native',
        tokenEndpointAuthMethod: 'none',
        redirectUris: ['http://127.0.0.1/cb'],
      });
      const { challenge } = pkce();
      const r = await authorize(
        t,
        {
          response_type: 'code',
          client_id: c.clientId,
          redirect_uri: 'http://127.0.0.1:49152/cb',
          scope: 'openid',
          code_challenge: challenge,
          code_challenge_method: 'S256',
        },
        user,
      );
      expect(r.location.href.startsWith('http://127.0.0.1:49152/cb?')).toBe(true);
      expect(r.code).toMatch(/^ac_/);
      // Only the port may vary.
      await expectErrorPage(
        {
          response_type: 'code',
          client_id: c.clientId,
          redirect_uri: 'http://127.0.0.1:49152/cb/',
          code_challenge: challenge,
          code_challenge_method: 'S256',
        },
        'invalid_request',
      );
    });

    it('does not let a web client vary the port of a loopback redirect', async () => {
      const c = await seedClient(t, { redirectUris: ['http://127.0.0.1:4000/cb'] });
      await expectErrorPage(
        { response_type: 'code', client_id: c.clientId, redirect_uri: 'http://127.0.0.1:4001/cb' },
        'invalid_request',
      );
    });

    it('refuses a client deleted through the registration API (RFC 7592 §2.3)', async () => {
      const c = await seedClient(t);
      await request(t.url)
        .delete(`/api/v1/oauth/register/${c.clientId}`)
        .set('Authorization', `Bearer ${c.registrationAccessToken}`)
        .expect(204);
      const row = await t.dataSource
        .getRepository(ClientEntity)
        .findOne({ where: { id: c.clientId }, withDeleted: true });
      expect(row?.deletedAt).toBeTruthy();
      await expectErrorPage(base({ client_id: c.clientId }), 'invalid_client');
    });

    it('applies updated redirect URIs on the next request (RFC 7592 §2.2)', async () => {
      const c = await seedClient(t);
      const put = await request(t.url)
        .put(`/api/v1/oauth/register/${c.clientId}`)
        .set('Authorization', `Bearer ${c.registrationAccessToken}`)
        .send({
          redirect_uris: ['https://app.example.com/new'],
          grant_types: ['authorization_code', 'refresh_token'],
          response_types: ['code'],
          token_endpoint_auth_method: 'client_secret_basic',
          scope: 'openid profile',
        });
      expect(put.status, JSON.stringify(put.body)).toBe(200);
      await expectErrorPage(base({ client_id: c.clientId }), 'invalid_request');
      await expectErrorRedirect(
        base({
          client_id: c.clientId,
          redirect_uri: 'https://app.example.com/new',
          response_type: 'token',
        }),
        'unsupported_response_type',
        'https://app.example.com/new',
      );
    });
  });

  describe('errors after the redirect URI is known (redirected with state and iss, RFC 9207)', () => {
    it('echoes state and iss, keeping the registered query component (RFC 6749 §3.1.2)', async () => {
      const c = await seedClient(t, { redirectUris: ['https://app.example.com/cb?tenant=a b'] });
      const { res } = await send(
        new CookieJar(),
        url({
          response_type: 'token',
          client_id: c.clientId,
          redirect_uri: 'https://app.example.com/cb?tenant=a b',
          state: 'S&1',
        }),
      );
      const location = res.headers.get('location')!;
      expect(location.startsWith('https://app.example.com/cb?tenant=a b&')).toBe(true);
      const q = new URL(location).searchParams;
      expect(q.get('error')).toBe('unsupported_response_type');
      expect(q.get('state')).toBe('S&1');
      expect(q.get('iss')).toBe(t.url);
    });

    it('requires response_type (RFC 6749 §4.1.1)', async () => {
      const { response_type: _rt, ...params } = base();
      const loc = await expectErrorRedirect(params, 'invalid_request');
      expect(loc.searchParams.get('state')).toBe('st-123');
    });

    it.each(['token', 'id_token', 'code id_token', 'code token', 'none'])(
      'refuses response_type=%s: implicit and hybrid flows are not offered (RFC 9700 §2.1.2)',
      async (rt) => {
        await expectErrorRedirect(base({ response_type: rt }), 'unsupported_response_type');
      },
    );

    it('refuses a client not registered for authorization_code (unauthorized_client)', async () => {
      const c = await seedClient(t, {
        grantTypes: ['client_credentials'],
        responseTypes: [],
      });
      await expectErrorRedirect(base({ client_id: c.clientId }), 'unauthorized_client');
    });

    it('refuses a repeated parameter (RFC 6749 §3.1)', async () => {
      const loc = await expectErrorRedirect(
        base({ scope: ['openid', 'profile'] }),
        'invalid_request',
      );
      expect(loc.searchParams.get('state')).toBe('st-123');
    });

    it('does not echo a repeated state', async () => {
      const loc = await expectErrorRedirect(base({ state: ['a', 'b'] }), 'invalid_request');
      expect(loc.searchParams.get('state')).toBeNull();
    });

    it('refuses scopes outside the client registration (RFC 6749 §3.3)', async () => {
      const c = await seedClient(t, { scope: 'openid profile' });
      await expectErrorRedirect(
        base({ client_id: c.clientId, scope: 'openid email' }),
        'invalid_scope',
      );
    });

    it('refuses scopes the server does not offer', async () => {
      await expectErrorRedirect(base({ scope: 'openid admin' }), 'invalid_scope');
    });

    it('refuses a malformed scope (RFC 6749 §3.3 syntax)', async () => {
      await expectErrorRedirect(base({ scope: 'openid "profile"' }), 'invalid_scope');
    });

    it('refuses the plain PKCE method (RFC 9700 §2.1.1)', async () => {
      await expectErrorRedirect(
        base({ code_challenge: pkce().verifier, code_challenge_method: 'plain' }),
        'invalid_request',
      );
    });

    it('refuses a code_challenge without method (defaults to plain, RFC 7636 §4.3)', async () => {
      await expectErrorRedirect(base({ code_challenge: pkce().challenge }), 'invalid_request');
    });

    it('refuses a code_challenge_method without code_challenge', async () => {
      await expectErrorRedirect(base({ code_challenge_method: 'S256' }), 'invalid_request');
    });

    it.each([
      ['too short', 'abc'],
      ['not base64url', `${'a'.repeat(42)}=`],
      ['too long', 'a'.repeat(129)],
    ])('refuses a malformed code_challenge (%s, RFC 7636 §4.2)', async (_l, challenge) => {
      await expectErrorRedirect(
        base({ code_challenge: challenge, code_challenge_method: 'S256' }),
        'invalid_request',
      );
    });

    it('requires PKCE from public clients (RFC 9700 §2.1.1)', async () => {
      const c = await seedClient(t, { tokenEndpointAuthMethod: 'none' });
      await expectErrorRedirect(base({ client_id: c.clientId }), 'invalid_request');
    });

    it('refuses request objects (request_not_supported, OIDC Core §6)', async () => {
      await expectErrorRedirect(
        base({ request: 'eyJhbGciOiJub25lIn0.e30.' }),
        'request_not_supported',
      );
    });

    it('refuses a request_uri that was not pushed (invalid_request_uri, RFC 9126 §4), on a page', async () => {
      await expectErrorPage(
        base({ request_uri: 'urn:ietf:params:oauth:request_uri:x' }),
        'invalid_request_uri',
      );
      await expectErrorPage(
        base({ request_uri: 'https://app.example.com/request.jwt' }),
        'invalid_request_uri',
      );
    });

    it('refuses response modes other than query', async () => {
      await expectErrorRedirect(base({ response_mode: 'fragment' }), 'invalid_request');
    });

    it.each(['sometimes', 'none login'])('refuses prompt=%s (OIDC Core §3.1.2.1)', async (p) => {
      await expectErrorRedirect(base({ prompt: p }), 'invalid_request');
    });

    it.each(['-1', 'abc', '1.5'])('refuses max_age=%s', async (m) => {
      await expectErrorRedirect(base({ max_age: m }), 'invalid_request');
    });

    it('answers a database failure with server_error to the client, not a stack trace', async () => {
      await t.dataSource.query(
        TEST_DB_TYPE === 'mysql'
          ? 'RENAME TABLE authorization_requests TO authorization_requests_off'
          : 'ALTER TABLE authorization_requests RENAME TO authorization_requests_off',
      );
      try {
        const loc = await expectErrorRedirect(base({ scope: 'openid' }), 'server_error');
        expect(loc.searchParams.get('error_description')).not.toMatch(
          /authorization_requests|SQL/i,
        );
      } finally {
        await t.dataSource.query(
          TEST_DB_TYPE === 'mysql'
            ? 'RENAME TABLE authorization_requests_off TO authorization_requests'
            : 'ALTER TABLE authorization_requests_off RENAME TO authorization_requests',
        );
      }
    });
  });

  describe('successful flow', () => {
    it('redirects to the login page, stores the pending request, and sends no code yet', async () => {
      const { res } = await send(new CookieJar(), url(base({ scope: 'openid' })));
      expect(res.status).toBe(302);
      const location = res.headers.get('location')!;
      expect(location).toMatch(/^\/api\/v1\/oauth\/login\?request=req_[A-Za-z0-9_-]{32}$/);
      const id = new URL(location, t.url).searchParams.get('request')!;
      const row = await t.dataSource.getRepository(AuthorizationRequestEntity).findOneBy({ id });
      expect(row).toMatchObject({
        clientId: client.clientId,
        redirectUri: REDIRECT,
        state: 'st-123',
      });
    });

    it('issues a code that the token endpoint exchanges with PKCE (RFC 6749 §4.1, RFC 7636)', async () => {
      const { verifier, challenge } = pkce();
      const r = await authorize(
        t,
        base({
          scope: 'openid profile',
          nonce: 'n-0S6',
          code_challenge: challenge,
          code_challenge_method: 'S256',
        }),
        user,
      );
      expect(r.pages).toEqual(['/api/v1/oauth/login', '/api/v1/oauth/consent']);
      expect(`${r.location.origin}${r.location.pathname}`).toBe(REDIRECT);
      expect(r.state).toBe('st-123');
      expect(r.iss).toBe(t.url);
      const res = await postForm(
        t,
        {
          grant_type: 'authorization_code',
          code: r.code!,
          redirect_uri: REDIRECT,
          code_verifier: verifier,
        },
        { auth: basic(client.clientId, client.clientSecret!) },
      );
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.scope).toBe('openid profile');
      const jwks = createRemoteJWKSet(new URL(`${t.url}/.well-known/jwks.json`));
      const id = await jwtVerify(res.body.id_token, jwks, {
        issuer: t.url,
        audience: client.clientId,
      });
      expect(id.payload).toMatchObject({ sub: user.id, nonce: 'n-0S6' });
      expect(typeof id.payload.auth_time).toBe('number');
    });

    it('defaults the scope to the registered scope without offline_access', async () => {
      const { verifier, challenge } = pkce();
      const { state: _s, ...params } = base({
        code_challenge: challenge,
        code_challenge_method: 'S256',
      });
      const r = await authorize(t, params, user);
      expect(r.state).toBeUndefined();
      const res = await postForm(
        t,
        {
          grant_type: 'authorization_code',
          code: r.code!,
          redirect_uri: REDIRECT,
          code_verifier: verifier,
        },
        { auth: basic(client.clientId, client.clientSecret!) },
      );
      expect(res.body.scope).toBe('openid profile email');
    });

    it('accepts the request as a form-encoded POST and answers with 303 (OIDC Core §3.1.2.1)', async () => {
      const jar = new CookieJar();
      const { res } = await send(jar, `${t.url}${AUTHORIZE_PATH}`, {
        form: base({ scope: 'openid' }),
      });
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toMatch(/^\/api\/v1\/oauth\/login\?request=/);
      const r = await authorize(t, base({ scope: 'openid' }), user, { method: 'POST' });
      expect(r.code).toMatch(/^ac_/);
    });

    it('accepts the request as a JSON POST (contract O2) and refuses non-string values', async () => {
      const { res } = await send(new CookieJar(), `${t.url}${AUTHORIZE_PATH}`, {
        json: base({ scope: 'openid' }),
      });
      expect(res.status).toBe(303);
      const bad = await send(new CookieJar(), `${t.url}${AUTHORIZE_PATH}`, {
        json: { ...base(), scope: ['openid'] },
      });
      expect(bad.res.status).toBe(303);
      expect(new URL(bad.res.headers.get('location')!).searchParams.get('error')).toBe(
        'invalid_request',
      );
    });

    it('issues a code for a public client with PKCE, which the token endpoint accepts without secret', async () => {
      const c = await seedClient(t, { tokenEndpointAuthMethod: 'none' });
      const { verifier, challenge } = pkce();
      const r = await authorize(
        t,
        base({
          client_id: c.clientId,
          scope: 'openid',
          code_challenge: challenge,
          code_challenge_method: 'S256',
        }),
        user,
      );
      const res = await postForm(t, {
        grant_type: 'authorization_code',
        code: r.code!,
        redirect_uri: REDIRECT,
        code_verifier: verifier,
        client_id: c.clientId,
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    });
  });
  it('documents GET and POST /oauth/authorize and the pages in the OpenAPI document', async () => {
    const doc = (await (await fetch(`${t.url}/api/docs-json`)).json()) as {
      paths: Record<
        string,
        Record<
          string,
          {
            responses: Record<string, unknown>;
            parameters?: { name: string }[];
            requestBody?: { content: Record<string, unknown> };
          }
        >
      >;
    };
    const get = doc.paths['/api/v1/oauth/authorize'].get;
    expect(Object.keys(get.responses)).toEqual(expect.arrayContaining(['302', '400', '500']));
    expect(get.parameters?.map((p) => p.name)).toEqual(
      expect.arrayContaining([
        'response_type',
        'client_id',
        'redirect_uri',
        'code_challenge',
        'prompt',
      ]),
    );
    const post = doc.paths['/api/v1/oauth/authorize'].post;
    expect(Object.keys(post.responses)).toEqual(expect.arrayContaining(['303', '400', '500']));
    expect(Object.keys(post.requestBody!.content)).toEqual([
      'application/x-www-form-urlencoded',
      'application/json',
    ]);
    expect(doc.paths['/api/v1/oauth/login'].post.requestBody).toBeDefined();
    expect(doc.paths['/api/v1/oauth/consent'].post.requestBody).toBeDefined();
  });
});
