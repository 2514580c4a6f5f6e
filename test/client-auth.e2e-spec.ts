import { generateSecret, jwtVerify, createRemoteJWKSet, SignJWT } from 'jose';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nowSeconds } from '../src/common/crypto/tokens.js';
import { seedClient } from './helpers/clients.js';
import { expectOAuthError } from './helpers/oauth-assertions.js';
import { createTestApp, TEST_DB_TYPE, type TestApp } from './helpers/test-app.js';
import {
  assertion,
  basic,
  clientKey,
  JWT_BEARER,
  postForm,
  serveJwks,
  TOKEN_PATH,
} from './helpers/token-flow.js';

const CC = { grantTypes: ['client_credentials'], responseTypes: [], redirectUris: [] };

describe(`client authentication at the token endpoint (${TEST_DB_TYPE})`, () => {
  let t: TestApp;
  let jwksServer: Awaited<ReturnType<typeof serveJwks>>;
  let uriKey: Awaited<ReturnType<typeof clientKey>>;

  beforeAll(async () => {
    uriKey = await clientKey();
    jwksServer = await serveJwks(() => ({ keys: [uriKey.publicJwk] }));
    t = await createTestApp({ env: { JWKS_URI_ALLOW_PRIVATE: 'true', TOKEN_RATE_LIMIT: '0' } });
  });
  afterAll(async () => {
    await t?.close();
    await jwksServer?.close();
  });

  describe('client_secret_basic (RFC 6749 §2.3.1)', () => {
    it('issues an RFC 9068 access token for client_credentials with the registered scope', async () => {
      const c = await seedClient(t, { ...CC, scope: 'openid profile email offline_access' });
      const res = await postForm(
        t,
        { grant_type: 'client_credentials' },
        { auth: basic(c.clientId, c.clientSecret!) },
      );
      expect(res.status).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['pragma']).toBe('no-cache');
      expect(res.body).toEqual({
        access_token: expect.any(String),
        token_type: 'Bearer',
        expires_in: 3600,
        scope: 'profile email',
      });
      const jwks = createRemoteJWKSet(new URL(`${t.url}/.well-known/jwks.json`));
      const { payload, protectedHeader } = await jwtVerify(res.body.access_token, jwks, {
        issuer: t.url,
        audience: t.url,
        typ: 'at+jwt',
      });
      expect(protectedHeader.typ).toBe('at+jwt');
      expect(payload).toMatchObject({
        iss: t.url,
        sub: c.clientId,
        aud: t.url,
        client_id: c.clientId,
        scope: 'profile email',
      });
      expect(payload.exp! - payload.iat!).toBe(3600);
      expect(typeof payload.jti).toBe('string');
    });

    it('decodes form-urlencoded credentials in the Basic header (RFC 6749 §2.3.1)', async () => {
      const c = await seedClient(t, CC);
      // A "+" in the secret must arrive encoded as %2B; our secrets are base64url, so force one by hand.
      const header = `Basic ${Buffer.from(`${c.clientId}:${encodeURIComponent(c.clientSecret!)}`).toString('base64')}`;
      const res = await postForm(t, { grant_type: 'client_credentials' }, { auth: header });
      expect(res.status).toBe(200);
    });

    it('narrows the scope on request and refuses unregistered or user-only scopes (RFC 6749 §3.3)', async () => {
      const c = await seedClient(t, { ...CC, scope: 'profile email' });
      const auth = basic(c.clientId, c.clientSecret!);
      const ok = await postForm(t, { grant_type: 'client_credentials', scope: 'email' }, { auth });
      expect(ok.body.scope).toBe('email');
      expectOAuthError(
        await postForm(t, { grant_type: 'client_credentials', scope: 'email admin' }, { auth }),
        400,
        'invalid_scope',
      );
      expectOAuthError(
        await postForm(t, { grant_type: 'client_credentials', scope: 'openid' }, { auth }),
        400,
        'invalid_scope',
      );
      expectOAuthError(
        await postForm(t, { grant_type: 'client_credentials', scope: 'bad"scope' }, { auth }),
        400,
        'invalid_scope',
      );
    });

    it('answers 401 invalid_client with a Basic challenge for a wrong secret', async () => {
      const c = await seedClient(t, CC);
      const res = await postForm(
        t,
        { grant_type: 'client_credentials' },
        { auth: basic(c.clientId, 'sec_wrong') },
      );
      expectOAuthError(res, 401, 'invalid_client');
      expect(res.headers['www-authenticate']).toMatch(/^Basic /);
    });

    it('answers 401 invalid_client for an expired secret (RFC 7591 §3.2.1)', async () => {
      const c = await seedClient(t, { ...CC, clientSecretExpiresAt: nowSeconds() - 10 });
      const res = await postForm(
        t,
        { grant_type: 'client_credentials' },
        { auth: basic(c.clientId, c.clientSecret!) },
      );
      expectOAuthError(res, 401, 'invalid_client');
      expect(res.body.error_description).toMatch(/expired/);
      expect(res.headers['www-authenticate']).toMatch(/^Basic /);
    });

    it('answers 401 invalid_client for an unknown or deleted client', async () => {
      const c = await seedClient(t, { ...CC, deletedAt: new Date() });
      expectOAuthError(
        await postForm(
          t,
          { grant_type: 'client_credentials' },
          { auth: basic(c.clientId, c.clientSecret!) },
        ),
        401,
        'invalid_client',
      );
      expectOAuthError(
        await postForm(
          t,
          { grant_type: 'client_credentials' },
          { auth: basic('01JNXXXXXXXXXXXXXXXXXXXXXX', 'sec_x') },
        ),
        401,
        'invalid_client',
      );
    });

    it('answers 401 invalid_client for a malformed Basic header', async () => {
      for (const header of ['Basic !!!', 'Basic ' + Buffer.from('no-colon').toString('base64')]) {
        const res = await postForm(t, { grant_type: 'client_credentials' }, { auth: header });
        expectOAuthError(res, 401, 'invalid_client');
        expect(res.headers['www-authenticate']).toMatch(/^Basic /);
      }
    });

    it('refuses a body client_id naming another client than Basic', async () => {
      const c = await seedClient(t, CC);
      const other = await seedClient(t, CC);
      expectOAuthError(
        await postForm(
          t,
          { grant_type: 'client_credentials', client_id: other.clientId },
          { auth: basic(c.clientId, c.clientSecret!) },
        ),
        401,
        'invalid_client',
      );
    });
  });

  describe('registered method only (RFC 7591 §2 token_endpoint_auth_method)', () => {
    it('refuses client_secret_post from a client registered for client_secret_basic', async () => {
      const c = await seedClient(t, CC);
      const res = await postForm(t, {
        grant_type: 'client_credentials',
        client_id: c.clientId,
        client_secret: c.clientSecret!,
      });
      expectOAuthError(res, 401, 'invalid_client');
      expect(res.headers['www-authenticate']).toBeUndefined();
    });

    it('refuses Basic from a client registered for client_secret_post', async () => {
      const c = await seedClient(t, { ...CC, tokenEndpointAuthMethod: 'client_secret_post' });
      expectOAuthError(
        await postForm(
          t,
          { grant_type: 'client_credentials' },
          { auth: basic(c.clientId, c.clientSecret!) },
        ),
        401,
        'invalid_client',
      );
    });

    it('refuses two methods at once (RFC 6749 §2.3)', async () => {
      const c = await seedClient(t, CC);
      expectOAuthError(
        await postForm(
          t,
          { grant_type: 'client_credentials', client_secret: c.clientSecret! },
          { auth: basic(c.clientId, c.clientSecret!) },
        ),
        401,
        'invalid_client',
      );
    });

    it('refuses a request with no client authentication at all', async () => {
      expectOAuthError(
        await postForm(t, { grant_type: 'client_credentials' }),
        401,
        'invalid_client',
      );
    });

    it('refuses a confidential client presenting only its client_id (method none)', async () => {
      const c = await seedClient(t, CC);
      expectOAuthError(
        await postForm(t, { grant_type: 'client_credentials', client_id: c.clientId }),
        401,
        'invalid_client',
      );
    });
  });

  describe('client_secret_post (RFC 6749 §2.3.1)', () => {
    it('issues tokens with id and secret in the body, JSON bodies included', async () => {
      const c = await seedClient(t, { ...CC, tokenEndpointAuthMethod: 'client_secret_post' });
      const form = await postForm(t, {
        grant_type: 'client_credentials',
        client_id: c.clientId,
        client_secret: c.clientSecret!,
      });
      expect(form.status).toBe(200);
      const json = await request(t.url).post(TOKEN_PATH).send({
        grant_type: 'client_credentials',
        client_id: c.clientId,
        client_secret: c.clientSecret,
      });
      expect(json.status).toBe(200);
      expect(json.body.token_type).toBe('Bearer');
    });

    it('answers 401 invalid_client for a wrong secret, without a Basic challenge', async () => {
      const c = await seedClient(t, { ...CC, tokenEndpointAuthMethod: 'client_secret_post' });
      const res = await postForm(t, {
        grant_type: 'client_credentials',
        client_id: c.clientId,
        client_secret: 'sec_nope',
      });
      expectOAuthError(res, 401, 'invalid_client');
      expect(res.headers['www-authenticate']).toBeUndefined();
    });
  });

  describe('none (public clients)', () => {
    it('refuses client_credentials to a public client with unauthorized_client (RFC 6749 §4.4)', async () => {
      const c = await seedClient(t, { ...CC, tokenEndpointAuthMethod: 'none' });
      expectOAuthError(
        await postForm(t, { grant_type: 'client_credentials', client_id: c.clientId }),
        400,
        'unauthorized_client',
      );
    });
  });

  describe('private_key_jwt (RFC 7523 §3, OIDC Core §9)', () => {
    let key: Awaited<ReturnType<typeof clientKey>>;
    let clientId: string;
    const send = (a: string, extra: Record<string, string> = {}) =>
      postForm(t, {
        grant_type: 'client_credentials',
        client_assertion_type: JWT_BEARER,
        client_assertion: a,
        ...extra,
      });

    beforeAll(async () => {
      key = await clientKey();
      clientId = (
        await seedClient(t, {
          ...CC,
          tokenEndpointAuthMethod: 'private_key_jwt',
          jwks: { keys: [key.publicJwk] },
        })
      ).clientId;
    });

    it('accepts an assertion signed by a key of the inline jwks, with aud = issuer or token endpoint', async () => {
      for (const aud of [t.url, `${t.url}${TOKEN_PATH}`]) {
        const res = await send(await assertion(key, clientId, aud));
        expect(res.status, JSON.stringify(res.body)).toBe(200);
        expect(res.body.access_token).toBeTruthy();
      }
    });

    it('accepts a matching client_id in the body beside the assertion', async () => {
      const res = await send(await assertion(key, clientId, t.url), { client_id: clientId });
      expect(res.status).toBe(200);
    });

    it('refuses a replayed assertion: jti is accepted once (RFC 7523 §3 item 7)', async () => {
      const a = await assertion(key, clientId, t.url);
      expect((await send(a)).status).toBe(200);
      const again = await send(a);
      expectOAuthError(again, 401, 'invalid_client');
      expect(again.body.error_description).toMatch(/jti/);
    });

    it('refuses a wrong audience, an expired assertion and one that lives too long', async () => {
      const now = nowSeconds();
      for (const a of [
        await assertion(key, clientId, 'https://somebody-else.example'),
        await assertion(key, clientId, t.url, { iat: now - 600, exp: now - 120 }),
        await assertion(key, clientId, t.url, { exp: now + 3600 }),
      ]) {
        expectOAuthError(await send(a), 401, 'invalid_client');
      }
    });

    it('refuses assertions without exp or jti, or with iss different from sub', async () => {
      for (const a of [
        await assertion(key, clientId, t.url, { exp: undefined }),
        await assertion(key, clientId, t.url, { jti: undefined }),
        await assertion(key, clientId, t.url, { iss: 'someone-else' }),
      ]) {
        expectOAuthError(await send(a), 401, 'invalid_client');
      }
    });

    it('refuses an HS256 assertion, even one "signed" with a shared secret (asymmetric only)', async () => {
      const secret = await generateSecret('HS256');
      const now = nowSeconds();
      const a = await new SignJWT({ iss: clientId, sub: clientId, aud: t.url, jti: 'x1' })
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuedAt(now)
        .setExpirationTime(now + 60)
        .sign(secret);
      const res = await send(a);
      expectOAuthError(res, 401, 'invalid_client');
      expect(res.body.error_description).toMatch(/asymmetric/);
    });

    it('refuses an assertion signed by a key that is not the client’s', async () => {
      const stranger = await clientKey();
      const a = await assertion({ privateKey: stranger.privateKey, kid: key.kid }, clientId, t.url);
      expectOAuthError(await send(a), 401, 'invalid_client');
    });

    it('refuses a wrong client_assertion_type, a missing assertion and a non-JWT', async () => {
      const a = await assertion(key, clientId, t.url);
      expectOAuthError(
        await send(a, { client_assertion_type: 'urn:example:other' }),
        401,
        'invalid_client',
      );
      expectOAuthError(
        await postForm(t, { grant_type: 'client_credentials', client_assertion_type: JWT_BEARER }),
        401,
        'invalid_client',
      );
      expectOAuthError(await send('not-a-jwt'), 401, 'invalid_client');
    });

    it('refuses an assertion from a client registered for client_secret_basic', async () => {
      const c = await seedClient(t, CC);
      expectOAuthError(await send(await assertion(key, c.clientId, t.url)), 401, 'invalid_client');
    });

    it('fetches keys from jwks_uri (with JWKS_URI_ALLOW_PRIVATE=true) and caches them', async () => {
      const c = await seedClient(t, {
        ...CC,
        tokenEndpointAuthMethod: 'private_key_jwt',
        jwksUri: jwksServer.url,
      });
      const before = jwksServer.hits();
      const first = await send(await assertion(uriKey, c.clientId, t.url));
      expect(first.status, JSON.stringify(first.body)).toBe(200);
      const second = await send(await assertion(uriKey, c.clientId, t.url));
      expect(second.status).toBe(200);
      expect(jwksServer.hits() - before).toBe(1);
      const stranger = await clientKey();
      expectOAuthError(
        await send(await assertion(stranger, c.clientId, t.url)),
        401,
        'invalid_client',
      );
    });

    it('answers invalid_client when jwks_uri cannot be fetched', async () => {
      const c = await seedClient(t, {
        ...CC,
        tokenEndpointAuthMethod: 'private_key_jwt',
        jwksUri: 'http://127.0.0.1:1/jwks.json',
      });
      expectOAuthError(
        await send(await assertion(uriKey, c.clientId, t.url)),
        401,
        'invalid_client',
      );
    });
  });

  it('answers 400 invalid_request for a missing grant_type and a repeated parameter', async () => {
    const c = await seedClient(t, CC);
    const auth = basic(c.clientId, c.clientSecret!);
    expectOAuthError(await postForm(t, {}, { auth }), 400, 'invalid_request');
    expectOAuthError(
      await postForm(t, { grant_type: ['client_credentials', 'client_credentials'] }, { auth }),
      400,
      'invalid_request',
    );
    expectOAuthError(
      await request(t.url).post(TOKEN_PATH).set('Authorization', auth).send({ grant_type: 7 }),
      400,
      'invalid_request',
    );
  });

  it('answers 400 unsupported_grant_type for password, implicit and unknown grants', async () => {
    const c = await seedClient(t, CC);
    for (const grant of ['password', 'implicit', 'urn:example:unknown']) {
      expectOAuthError(
        await postForm(t, { grant_type: grant }, { auth: basic(c.clientId, c.clientSecret!) }),
        400,
        'unsupported_grant_type',
      );
    }
  });

  it('ClientAuthGuard keeps the order of errors: request and grant_type checks before client authentication', async () => {
    const wrong = basic('no-such-client', 'wrong-secret');
    expectOAuthError(
      await postForm(t, { grant_type: 'password' }, { auth: wrong }),
      400,
      'unsupported_grant_type',
    );
    expectOAuthError(
      await postForm(
        t,
        { grant_type: 'authorization_code' },
        { path: '/api/v1/oauth/refresh', auth: wrong },
      ),
      400,
      'invalid_request',
    );
    expectOAuthError(
      await postForm(t, { token: ['a', 'b'] }, { path: '/api/v1/oauth/revoke', auth: wrong }),
      400,
      'invalid_request',
    );
    const res = await postForm(
      t,
      { token: 'x' },
      { path: '/api/v1/oauth/introspect', auth: wrong },
    );
    expectOAuthError(res, 401, 'invalid_client');
    expect(res.headers['www-authenticate']).toMatch(/^Basic/);
    // RFC 9449 §8.2: the DPoP nonce is offered before client authentication can fail.
    const withProof = await postForm(t, { grant_type: 'client_credentials' }, { auth: wrong }).set(
      'DPoP',
      'not-a-proof',
    );
    expectOAuthError(withProof, 401, 'invalid_client');
    expect(withProof.headers['dpop-nonce']).toEqual(expect.any(String));
  });

  it('answers 400 unauthorized_client when the client is not registered for the grant', async () => {
    const c = await seedClient(t); // authorization_code + refresh_token only
    expectOAuthError(
      await postForm(
        t,
        { grant_type: 'client_credentials' },
        { auth: basic(c.clientId, c.clientSecret!) },
      ),
      400,
      'unauthorized_client',
    );
  });

  it('sets aud from an RFC 8707 resource and refuses a relative, fragment or non-RFC 3986 resource', async () => {
    const c = await seedClient(t, CC);
    const auth = basic(c.clientId, c.clientSecret!);
    const ok = await postForm(
      t,
      { grant_type: 'client_credentials', resource: 'https://api.example.com/' },
      { auth },
    );
    expect(ok.status).toBe(200);
    const payload = JSON.parse(
      Buffer.from(ok.body.access_token.split('.')[1], 'base64url').toString(),
    );
    expect(payload.aud).toBe('https://api.example.com/');
    for (const resource of [
      '/relative',
      'https://api.example.com/#frag',
      'https://api.example.com/\\x',
      'https://api.example.com/ü',
      'https://api.example.com/%zz',
    ]) {
      expectOAuthError(
        await postForm(t, { grant_type: 'client_credentials', resource }, { auth }),
        400,
        'invalid_target',
      );
    }
  });
});

describe(`jwks_uri SSRF protection (${TEST_DB_TYPE})`, () => {
  let t: TestApp;
  let server: Awaited<ReturnType<typeof serveJwks>>;
  let key: Awaited<ReturnType<typeof clientKey>>;
  beforeAll(async () => {
    key = await clientKey();
    server = await serveJwks(() => ({ keys: [key.publicJwk] }));
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
    await server?.close();
  });

  it('refuses a loopback jwks_uri by default and never contacts it (RFC 9700 §4.15)', async () => {
    const c = await seedClient(t, {
      ...CC,
      tokenEndpointAuthMethod: 'private_key_jwt',
      jwksUri: server.url,
    });
    const res = await postForm(t, {
      grant_type: 'client_credentials',
      client_assertion_type: JWT_BEARER,
      client_assertion: await assertion(key, c.clientId, t.url),
    });
    expectOAuthError(res, 401, 'invalid_client');
    expect(server.hits()).toBe(0);
  });

  it('refuses a host name that resolves to loopback (localhost) by default', async () => {
    const c = await seedClient(t, {
      ...CC,
      tokenEndpointAuthMethod: 'private_key_jwt',
      jwksUri: server.url.replace('http://127.0.0.1', 'https://localhost'),
    });
    const res = await postForm(t, {
      grant_type: 'client_credentials',
      client_assertion_type: JWT_BEARER,
      client_assertion: await assertion(key, c.clientId, t.url),
    });
    expectOAuthError(res, 401, 'invalid_client');
    expect(server.hits()).toBe(0);
  });
});

describe(`token endpoint rate limit (${TEST_DB_TYPE})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { TOKEN_RATE_LIMIT: '2' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers 429 rate_limit_exceeded with Retry-After past TOKEN_RATE_LIMIT per minute', async () => {
    const c = await seedClient(t, CC);
    const auth = basic(c.clientId, c.clientSecret!);
    expect((await postForm(t, { grant_type: 'client_credentials' }, { auth })).status).toBe(200);
    expect((await postForm(t, { grant_type: 'client_credentials' }, { auth })).status).toBe(200);
    const res = await postForm(t, { grant_type: 'client_credentials' }, { auth });
    expectOAuthError(res, 429, 'rate_limit_exceeded');
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
  });
});
