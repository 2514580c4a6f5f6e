import { createHash } from 'node:crypto';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import * as client from 'openid-client';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOAuthError } from './helpers/oauth-assertions.js';
import { createTestApp, TEST_DB_TYPE, type TestApp } from './helpers/test-app.js';
import type { Registered } from './helpers/clients.js';
import { basic, createUser, issueCode, pkce, postForm, type User } from './helpers/token-flow.js';

// OpenID Connect Dynamic Client Registration 1.0 §2 `id_token_signed_response_alg`.

const REGISTER = '/api/v1/oauth/register';
/** The standard registration endpoint: flat RFC 7591 bodies. */
const FLAT_REGISTER = '/connect/register';
const REDIRECT = 'https://app.example.com/callback';
const valid = {
  redirect_uris: [REDIRECT],
  grant_types: ['authorization_code', 'refresh_token'],
  scope: 'openid profile email offline_access',
};

describe(`id_token_signed_response_alg registration, envelope style (${TEST_DB_TYPE})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { REGISTRATION_RATE_LIMIT: '0' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  const register = async (body: object): Promise<Registered> =>
    (await request(t.url).post(REGISTER).send(body).expect(201)).body.data as Registered;
  const read = async (d: Registered, token = d.registration_access_token) =>
    (
      await request(t.url)
        .get(`${REGISTER}/${d.client_id}`)
        .auth(token, { type: 'bearer' })
        .expect(200)
    ).body.data as Registered;
  const put = (d: Registered, body: object) =>
    request(t.url)
      .put(`${REGISTER}/${d.client_id}`)
      .auth(d.registration_access_token, { type: 'bearer' })
      .send(body);

  it.each(['RS256', 'ES256'])('stores and echoes %s on register and read', async (alg) => {
    const d = await register({ ...valid, id_token_signed_response_alg: alg });
    expect(d.id_token_signed_response_alg).toBe(alg);
    expect((await read(d)).id_token_signed_response_alg).toBe(alg);
    const rows: Record<string, unknown>[] = await t.dataSource.query(
      'SELECT id_token_signed_response_alg FROM oauth_clients WHERE id = ?',
      [d.client_id],
    );
    expect(rows[0]?.id_token_signed_response_alg).toBe(alg);
  });

  it('omits the field when it was not registered (never null or ""), and stores null', async () => {
    for (const body of [valid, { ...valid, id_token_signed_response_alg: null }]) {
      const d = await register(body);
      expect(d).not.toHaveProperty('id_token_signed_response_alg');
      expect(await read(d)).not.toHaveProperty('id_token_signed_response_alg');
      const rows: Record<string, unknown>[] = await t.dataSource.query(
        'SELECT id_token_signed_response_alg FROM oauth_clients WHERE id = ?',
        [d.client_id],
      );
      expect(rows[0]?.id_token_signed_response_alg).toBeNull();
    }
  });

  it('is replaced by PUT like other metadata: set, changed, and cleared when omitted (RFC 7592 §2.2)', async () => {
    let d = await register(valid);
    const set = await put(d, { ...valid, id_token_signed_response_alg: 'ES256' }).expect(200);
    d = set.body.data as Registered;
    expect(d.id_token_signed_response_alg).toBe('ES256');
    const changed = await put(d, { ...valid, id_token_signed_response_alg: 'RS256' }).expect(200);
    d = changed.body.data as Registered;
    expect(d.id_token_signed_response_alg).toBe('RS256');
    const cleared = await put(d, valid).expect(200);
    d = cleared.body.data as Registered;
    expect(d).not.toHaveProperty('id_token_signed_response_alg');
    expect(await read(d)).not.toHaveProperty('id_token_signed_response_alg');
  });

  it.each<[string, unknown]>([
    ['none', 'none'],
    ['HS256', 'HS256'],
    ['an unknown algorithm', 'PS256'],
    ['a lower-case spelling', 'es256'],
    ['an empty string', ''],
    ['a number', 256],
    ['an array', ['ES256']],
    ['an object', { alg: 'ES256' }],
    ['a boolean', true],
  ])('refuses %s with 400 invalid_client_metadata naming the field', async (_, value) => {
    const res = await request(t.url)
      .post(REGISTER)
      .send({ ...valid, id_token_signed_response_alg: value });
    expectOAuthError(res, 400, 'invalid_client_metadata');
    expect(res.body.error_description).toContain('id_token_signed_response_alg');
  });

  it('refuses a bad value on PUT too, and changes nothing', async () => {
    const d = await register({ ...valid, id_token_signed_response_alg: 'ES256' });
    const res = await put(d, { ...valid, id_token_signed_response_alg: 'HS256' });
    expectOAuthError(res, 400, 'invalid_client_metadata');
    expect(res.body.error_description).toContain('id_token_signed_response_alg');
    expect((await read(d)).id_token_signed_response_alg).toBe('ES256');
  });

  it('is documented in the Swagger request, update and response schemas with description and example', async () => {
    const doc = (await request(t.url).get('/api/docs-json').expect(200)).body as {
      components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
    };
    for (const schema of [
      'ClientRegistrationRequest',
      'ClientRegistrationUpdateRequest',
      'ClientRegistrationResponse',
    ]) {
      const prop = doc.components.schemas[schema]?.properties?.id_token_signed_response_alg as
        Record<string, unknown> | undefined;
      expect(prop, schema).toMatchObject({
        type: 'string',
        enum: ['RS256', 'ES256'],
        example: 'ES256',
        description: expect.stringContaining('ID token'),
      });
    }
  });
});

describe(`id_token_signed_response_alg registration, flat style (${TEST_DB_TYPE})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      env: { REGISTRATION_RATE_LIMIT: '0' },
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('echoes the field at the top level, omits it when unset and clears it on PUT', async () => {
    const reg = await request(t.url)
      .post(FLAT_REGISTER)
      .send({ ...valid, id_token_signed_response_alg: 'ES256' })
      .expect(201);
    expect(reg.body).not.toHaveProperty('data');
    expect(reg.body.id_token_signed_response_alg).toBe('ES256');
    const id = reg.body.client_id as string;
    const got = await request(t.url)
      .get(`${FLAT_REGISTER}/${id}`)
      .auth(reg.body.registration_access_token as string, { type: 'bearer' })
      .expect(200);
    expect(got.body.id_token_signed_response_alg).toBe('ES256');
    const upd = await request(t.url)
      .put(`${FLAT_REGISTER}/${id}`)
      .auth(reg.body.registration_access_token as string, { type: 'bearer' })
      .send(valid)
      .expect(200);
    expect(upd.body).not.toHaveProperty('id_token_signed_response_alg');

    const plain = await request(t.url).post(FLAT_REGISTER).send(valid).expect(201);
    expect(plain.body).not.toHaveProperty('id_token_signed_response_alg');
    expectOAuthError(
      await request(t.url)
        .post(FLAT_REGISTER)
        .send({ ...valid, id_token_signed_response_alg: 'none' }),
      400,
      'invalid_client_metadata',
    );
  });
});

/** The JWK Set as served now (a fresh fetch, as a relying party that sees an unknown kid does). */
async function jwksNow(t: TestApp): Promise<JSONWebKeySet> {
  return (await request(t.url).get('/.well-known/jwks.json').expect(200)).body as JSONWebKeySet;
}

/** Verifies an ID token against the served JWK Set and checks its `at_hash` (OIDC Core §3.1.3.6). */
async function verifyIdToken(
  t: TestApp,
  tokens: { id_token: string; access_token: string },
  clientId: string,
): Promise<string> {
  const { payload, protectedHeader } = await jwtVerify(
    tokens.id_token,
    createLocalJWKSet(await jwksNow(t)),
    { issuer: t.url, audience: clientId, algorithms: ['RS256', 'ES256'] },
  );
  // Both algorithms hash with SHA-256: at_hash is the left half of it.
  const digest = createHash('sha256').update(tokens.access_token, 'ascii').digest();
  expect(payload.at_hash).toBe(digest.subarray(0, 16).toString('base64url'));
  return protectedHeader.alg;
}

describe(`ID tokens signed with the client's id_token_signed_response_alg (${TEST_DB_TYPE})`, () => {
  let t: TestApp;
  let user: User;
  beforeAll(async () => {
    // Every configured key is RSA, so the ES256 key does not exist until an ES256 ID token needs it.
    t = await createTestApp({ env: { KEYS_ALG: 'RS256', REGISTRATION_RATE_LIMIT: '0' } });
    user = await createUser(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  const register = async (body: object): Promise<Registered> =>
    (await request(t.url).post(REGISTER).send(body).expect(201)).body.data as Registered;
  const codeGrant = async (d: Registered) => {
    const code = await issueCode(t, { clientId: d.client_id, userId: user.id });
    const res = await postForm(
      t,
      { grant_type: 'authorization_code', code, redirect_uri: REDIRECT },
      { auth: basic(d.client_id, d.client_secret!) },
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body as { id_token: string; access_token: string; refresh_token: string };
  };
  const refreshGrant = async (d: Registered, refreshToken: string) => {
    const res = await postForm(
      t,
      { grant_type: 'refresh_token', refresh_token: refreshToken },
      { auth: basic(d.client_id, d.client_secret!) },
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body as { id_token: string; access_token: string; refresh_token: string };
  };

  it("signs a default client's ID tokens with TOKEN_ID_ALG (RS256)", async () => {
    const d = await register(valid);
    const tokens = await codeGrant(d);
    expect(await verifyIdToken(t, tokens, d.client_id)).toBe('RS256');
    expect(decodeProtectedHeader(tokens.id_token).typ).toBe('JWT');
  });

  it("signs an ES256 client's ID tokens with ES256, with a key the JWK Set publishes (code and refresh)", async () => {
    // Every algorithm a client may choose has a published key before any token needs it.
    const before = await jwksNow(t);
    expect(before.keys.map((k) => k.alg).sort()).toEqual(['ES256', 'RS256']);
    const d = await register({ ...valid, id_token_signed_response_alg: 'ES256' });
    const tokens = await codeGrant(d);
    expect(await verifyIdToken(t, tokens, d.client_id)).toBe('ES256');
    const jwks = await jwksNow(t);
    expect(jwks).toEqual(before);
    expect(jwks.keys.map((k) => k.alg).sort()).toEqual(['ES256', 'RS256']);
    expect(jwks.keys.map((k) => k.kid)).toContain(decodeProtectedHeader(tokens.id_token).kid);
    // The access token keeps KEYS_ALG.
    expect(decodeProtectedHeader(tokens.access_token).alg).toBe('RS256');
    const refreshed = await refreshGrant(d, tokens.refresh_token);
    expect(await verifyIdToken(t, refreshed, d.client_id)).toBe('ES256');
  });

  it('honours an explicit RS256 registration', async () => {
    const d = await register({ ...valid, id_token_signed_response_alg: 'RS256' });
    expect(await verifyIdToken(t, await codeGrant(d), d.client_id)).toBe('RS256');
  });

  it('applies a registration update on the very next token request, both ways', async () => {
    let d = await register(valid);
    const first = await codeGrant(d);
    expect(await verifyIdToken(t, first, d.client_id)).toBe('RS256');
    const toEs = await request(t.url)
      .put(`${REGISTER}/${d.client_id}`)
      .auth(d.registration_access_token, { type: 'bearer' })
      .send({ ...valid, id_token_signed_response_alg: 'ES256' })
      .expect(200);
    d = { ...(toEs.body.data as Registered), client_secret: d.client_secret };
    expect(await verifyIdToken(t, await codeGrant(d), d.client_id)).toBe('ES256');
    // A refresh token issued before the update gets the new algorithm too.
    const refreshed = await refreshGrant(d, first.refresh_token);
    expect(await verifyIdToken(t, refreshed, d.client_id)).toBe('ES256');
    const back = await request(t.url)
      .put(`${REGISTER}/${d.client_id}`)
      .auth(d.registration_access_token, { type: 'bearer' })
      .send(valid)
      .expect(200);
    d = { ...(back.body.data as Registered), client_secret: d.client_secret };
    expect(
      await verifyIdToken(t, await refreshGrant(d, refreshed.refresh_token), d.client_id),
    ).toBe('RS256');
  });
});

describe(`discovery of the ID token algorithms (${TEST_DB_TYPE})`, () => {
  for (const [env, expected] of [
    [{}, ['RS256', 'ES256']],
    [{ KEYS_ALG: 'RS256' }, ['RS256', 'ES256']],
    [{ TOKEN_ID_ALG: 'ES256' }, ['ES256', 'RS256']],
  ] as const) {
    it(`advertises ${expected.join(', ')} with ${JSON.stringify(env)}, each with a published key`, async () => {
      const t = await createTestApp({ env });
      try {
        const doc = (await request(t.url).get('/.well-known/openid-configuration').expect(200))
          .body as Record<string, unknown>;
        expect(doc.id_token_signing_alg_values_supported).toEqual(expected);
        const algs = (await jwksNow(t)).keys.map((k) => k.alg);
        for (const alg of expected) expect(algs).toContain(alg);
      } finally {
        await t.close();
      }
    });
  }
});

describe(`openid-client v6 with id_token_signed_response_alg ES256 (${TEST_DB_TYPE})`, () => {
  let t: TestApp;
  let user: User;
  beforeAll(async () => {
    t = await createTestApp({
      env: { KEYS_ALG: 'RS256', REGISTRATION_RATE_LIMIT: '0' },
    });
    user = await createUser(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('registers ES256, then validates the ES256 ID token signature against discovery and the JWK Set', async () => {
    const config = await client.dynamicClientRegistration(
      new URL(t.url),
      {
        redirect_uris: [REDIRECT],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        scope: 'openid profile email offline_access',
        id_token_signed_response_alg: 'ES256',
      },
      client.ClientSecretBasic(),
      { execute: [client.allowInsecureRequests] },
    );
    expect(config.clientMetadata().id_token_signed_response_alg).toBe('ES256');
    expect(config.serverMetadata().id_token_signing_alg_values_supported).toEqual([
      'RS256',
      'ES256',
    ]);
    // Verify ID token signatures with the keys from jwks_uri (not only trust TLS).
    client.enableNonRepudiationChecks(config);
    const { verifier, challenge } = pkce();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const code = await issueCode(t, {
      clientId: config.clientMetadata().client_id,
      userId: user.id,
      codeChallenge: challenge,
      codeChallengeMethod: 'S256',
      nonce,
    });
    const url = new URL(REDIRECT);
    url.searchParams.set('code', code);
    url.searchParams.set('state', state);
    url.searchParams.set('iss', t.url);
    const tokens = await client.authorizationCodeGrant(config, url, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
      idTokenExpected: true,
    });
    expect(decodeProtectedHeader(tokens.id_token!).alg).toBe('ES256');
    expect(tokens.claims()!.sub).toBe(user.id);
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
    expect(decodeProtectedHeader(refreshed.id_token!).alg).toBe('ES256');
    expect(refreshed.claims()!.sub).toBe(user.id);
  });
});
