import { calculateJwkThumbprint, decodeJwt } from 'jose';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DPOP_NONCE_WINDOW_SECONDS, DpopNonceService } from '../src/token/index.js';
import { ADMIN_CLIENTS, adminToken } from './helpers/admin.js';
import { seedClient, type SeededClient } from './helpers/clients.js';
import { ath, proof, proofKey, type ProofKey } from './helpers/dpop.js';
import { expectOAuthError } from './helpers/oauth-assertions.js';
import { createTestApp, TEST_DB_TYPE, type TestApp } from './helpers/test-app.js';
import { basic, createUser, issueCode, pkce, postForm, TOKEN_PATH } from './helpers/token-flow.js';

const NONCE_PATH = '/api/v1/oauth/dpop/nonce';
const USERINFO_PATH = '/api/v1/oauth/userinfo';
const REFRESH_PATH = '/api/v1/oauth/refresh';
const NONCE = /^[A-Za-z0-9_-]{43}$/;
const ALGS = 'algs="ES256 RS256 PS256 EdDSA Ed25519"';

/** The database settings of `t`, for a second instance on the same database. */
function databaseOf(t: TestApp): Record<string, string> {
  return Object.fromEntries(Object.entries(t.env).filter(([k]) => k.startsWith('DB_')));
}

async function nonceOf(t: TestApp): Promise<string> {
  const res = await request(t.url).get(NONCE_PATH);
  expect(res.status).toBe(200);
  return res.headers['dpop-nonce'];
}

/** A public client's authorization code (openid), ready to exchange. */
async function publicCode(t: TestApp, userId: string, seed: Parameters<typeof seedClient>[1] = {}) {
  const client = await seedClient(t, { tokenEndpointAuthMethod: 'none', ...seed });
  const { verifier, challenge } = pkce();
  const code = await issueCode(t, {
    clientId: client.clientId,
    userId,
    codeChallenge: challenge,
    codeChallengeMethod: 'S256',
  });
  const form = {
    grant_type: 'authorization_code',
    code,
    client_id: client.clientId,
    redirect_uri: 'https://app.example.com/callback',
    code_verifier: verifier,
  };
  return { client, form };
}

describe(`DPoP server nonces, RFC 9449 §8-9, optional by default (${TEST_DB_TYPE})`, () => {
  let t: TestApp;
  let cc: SeededClient;
  let tokenUrl: string;
  const ccPost = (dpop: string) =>
    postForm(
      t,
      { grant_type: 'client_credentials' },
      { auth: basic(cc.clientId, cc.clientSecret!) },
    ).set('DPoP', dpop);

  beforeAll(async () => {
    t = await createTestApp();
    tokenUrl = `${t.url}${TOKEN_PATH}`;
    cc = await seedClient(t, { grantTypes: ['client_credentials'], scope: 'read' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('GET /oauth/dpop/nonce (O12): 200, the nonce in DPoP-Nonce, no body, no-store, CORS', async () => {
    const res = await request(t.url).get(NONCE_PATH).set('Origin', 'https://spa.example');
    expect(res.status).toBe(200);
    expect(res.headers['dpop-nonce']).toMatch(NONCE);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.text).toBe('');
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.headers['access-control-expose-headers']).toContain('DPoP-Nonce');
    // Stateless: the same nonce within a window, and it is not a counter or a timestamp.
    expect(await nonceOf(t)).toBe(res.headers['dpop-nonce']);
  });

  it('documents O12 and dpop_bound_access_tokens in Swagger', async () => {
    const doc = (await request(t.url).get('/api/docs-json')).body as {
      paths: Record<string, Record<string, { responses: Record<string, { headers?: object }> }>>;
      components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
    };
    expect(doc.paths['/api/v1/oauth/dpop/nonce'].get.responses['200'].headers).toHaveProperty(
      'DPoP-Nonce',
    );
    expect(doc.components.schemas.ClientRegistrationRequest.properties).toHaveProperty(
      'dpop_bound_access_tokens',
    );
    expect(doc.components.schemas.ClientRegistrationResponse.properties).toHaveProperty(
      'dpop_bound_access_tokens',
    );
  });

  it('accepts a proof without a nonce and one with a valid nonce; answers DPoP-Nonce', async () => {
    const key = await proofKey();
    const without = await ccPost(await proof(key, tokenUrl));
    expect(without.status, JSON.stringify(without.body)).toBe(200);
    expect(without.headers['dpop-nonce']).toMatch(NONCE);
    const nonce = without.headers['dpop-nonce'];
    const withNonce = await ccPost(await proof(key, tokenUrl, { nonce }));
    expect(withNonce.status, JSON.stringify(withNonce.body)).toBe(200);
    expect(withNonce.body.token_type).toBe('DPoP');
    // A request without a proof is not offered a nonce.
    const bearer = await postForm(
      t,
      { grant_type: 'client_credentials' },
      { auth: basic(cc.clientId, cc.clientSecret!) },
    );
    expect(bearer.status).toBe(200);
    expect(bearer.headers['dpop-nonce']).toBeUndefined();
  });

  it('refuses an invalid nonce with 400 use_dpop_nonce and the nonce to use', async () => {
    const key = await proofKey();
    for (const nonce of ['A'.repeat(43), 'short', 42, 'é'.repeat(43)]) {
      const res = await ccPost(await proof(key, tokenUrl, { nonce }));
      expectOAuthError(res, 400, 'use_dpop_nonce');
      expect(res.headers['dpop-nonce']).toBe(await nonceOf(t));
    }
  });

  it('refuses an expired nonce (two windows old) and accepts the previous window', async () => {
    const nonces = t.app.get(DpopNonceService);
    const now = Math.floor(Date.now() / 1000);
    const key = await proofKey();
    const expired = nonces.issuedAt(now - 2 * DPOP_NONCE_WINDOW_SECONDS);
    expectOAuthError(
      await ccPost(await proof(key, tokenUrl, { nonce: expired })),
      400,
      'use_dpop_nonce',
    );
    const previous = nonces.issuedAt(now - DPOP_NONCE_WINDOW_SECONDS);
    const res = await ccPost(await proof(key, tokenUrl, { nonce: previous }));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  });

  it('a proof refused for its nonce does not use up its jti', async () => {
    const key = await proofKey();
    const jti = 'retried-jti-1';
    expectOAuthError(
      await ccPost(await proof(key, tokenUrl, { jti, nonce: 'A'.repeat(43) })),
      400,
      'use_dpop_nonce',
    );
    const nonce = await nonceOf(t);
    expect((await ccPost(await proof(key, tokenUrl, { jti, nonce }))).status).toBe(200);
    // ... but once accepted it is: the replay is refused as before.
    expectOAuthError(
      await ccPost(await proof(key, tokenUrl, { jti, nonce })),
      400,
      'invalid_dpop_proof',
    );
  });

  it('answers DPoP-Nonce on errors of requests with a proof too', async () => {
    const key = await proofKey();
    const res = await ccPost(await proof(key, tokenUrl, { htm: 'GET' }));
    expectOAuthError(res, 400, 'invalid_dpop_proof');
    expect(res.headers['dpop-nonce']).toMatch(NONCE);
  });

  it('userinfo: a bad nonce is 401 with WWW-Authenticate: DPoP error="use_dpop_nonce"', async () => {
    const user = await createUser(t);
    const key = await proofKey();
    const { form } = await publicCode(t, user.id);
    const tokens = await postForm(t, form).set('DPoP', await proof(key, tokenUrl));
    expect(tokens.status).toBe(200);
    const at = tokens.body.access_token as string;
    const userinfoUrl = `${t.url}${USERINFO_PATH}`;
    const res = await request(t.url)
      .get(USERINFO_PATH)
      .set('Authorization', `DPoP ${at}`)
      .set(
        'DPoP',
        await proof(key, userinfoUrl, { htm: 'GET', ath: ath(at), nonce: 'A'.repeat(43) }),
      );
    expect(res.status).toBe(401);
    expect(res.body.error).toBe('use_dpop_nonce');
    expect(res.headers['www-authenticate']).toMatch(
      new RegExp(`^DPoP error="use_dpop_nonce", error_description="[^"]+", ${ALGS}, Bearer$`),
    );
    expect(res.headers['dpop-nonce']).toMatch(NONCE);
    const ok = await request(t.url)
      .get(USERINFO_PATH)
      .set('Authorization', `DPoP ${at}`)
      .set(
        'DPoP',
        await proof(key, userinfoUrl, {
          htm: 'GET',
          ath: ath(at),
          nonce: res.headers['dpop-nonce'],
        }),
      );
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.sub).toBe(user.id);
  });

  it('userinfo without any token offers both schemes', async () => {
    const res = await request(t.url).get(USERINFO_PATH);
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(
      new RegExp(`^Bearer error="invalid_token", error_description="[^"]+", DPoP ${ALGS}$`),
    );
  });

  describe('dpop_bound_access_tokens client metadata (RFC 9449 §5.2)', () => {
    for (const [style, path] of [
      ['flat', '/connect/register'],
      ['envelope', '/api/v1/oauth/register'],
    ] as const) {
      it(`is registered, echoed and read back (${style} style)`, async () => {
        const reg = await request(t.url)
          .post(path)
          .send({
            redirect_uris: ['https://app.example.com/callback'],
            dpop_bound_access_tokens: true,
          });
        expect(reg.status, JSON.stringify(reg.body)).toBe(201);
        const body = (style === 'flat' ? reg.body : reg.body.data) as Record<string, unknown>;
        expect(body.dpop_bound_access_tokens).toBe(true);
        const read = await request(t.url)
          .get(`${path}/${body.client_id as string}`)
          .auth(body.registration_access_token as string, { type: 'bearer' });
        expect(read.status).toBe(200);
        const again = (style === 'flat' ? read.body : read.body.data) as Record<string, unknown>;
        expect(again.dpop_bound_access_tokens).toBe(true);
      });
    }

    it('is omitted when false and refused when not a boolean', async () => {
      const plain = await request(t.url)
        .post('/connect/register')
        .send({ redirect_uris: ['https://app.example.com/callback'] });
      expect(plain.status).toBe(201);
      expect(plain.body).not.toHaveProperty('dpop_bound_access_tokens');
      const bad = await request(t.url)
        .post('/connect/register')
        .send({
          redirect_uris: ['https://app.example.com/callback'],
          dpop_bound_access_tokens: 'yes',
        });
      expect(bad.status).toBe(400);
      expect(bad.body.error).toBe('invalid_client_metadata');
    });

    it('refuses the client token requests without a proof (invalid_dpop_proof), binds with one', async () => {
      const user = await createUser(t);
      const { form } = await publicCode(t, user.id, { dpopBoundAccessTokens: true });
      expectOAuthError(await postForm(t, form), 400, 'invalid_dpop_proof');
      // The refused request did not spend the code: the same code works with a proof.
      const key = await proofKey();
      const res = await postForm(t, form).set('DPoP', await proof(key, tokenUrl));
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.token_type).toBe('DPoP');
      expect(decodeJwt(res.body.access_token as string).cnf).toEqual({
        jkt: await calculateJwkThumbprint(key.jwk),
      });
    });

    it('applies to client_credentials and to refreshes of a confidential client', async () => {
      const bound = await seedClient(t, {
        grantTypes: ['client_credentials', 'authorization_code', 'refresh_token'],
        dpopBoundAccessTokens: true,
      });
      const auth = basic(bound.clientId, bound.clientSecret!);
      expectOAuthError(
        await postForm(t, { grant_type: 'client_credentials' }, { auth }),
        400,
        'invalid_dpop_proof',
      );
      const user = await createUser(t);
      const code = await issueCode(t, {
        clientId: bound.clientId,
        userId: user.id,
        scopes: ['openid', 'offline_access'],
      });
      const key: ProofKey = await proofKey();
      const tokens = await postForm(
        t,
        {
          grant_type: 'authorization_code',
          code,
          redirect_uri: 'https://app.example.com/callback',
        },
        { auth },
      ).set('DPoP', await proof(key, tokenUrl));
      expect(tokens.status, JSON.stringify(tokens.body)).toBe(200);
      const refresh = { grant_type: 'refresh_token', refresh_token: tokens.body.refresh_token };
      expectOAuthError(
        await postForm(t, refresh, { auth, path: REFRESH_PATH }),
        400,
        'invalid_dpop_proof',
      );
      const ok = await postForm(t, refresh, { auth, path: REFRESH_PATH }).set(
        'DPoP',
        await proof(key, `${t.url}${REFRESH_PATH}`),
      );
      expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    });

    it('survives an update through the admin API, which does not show it', async () => {
      const reg = await request(t.url)
        .post('/connect/register')
        .send({
          redirect_uris: ['https://app.example.com/callback'],
          dpop_bound_access_tokens: true,
          require_pushed_authorization_requests: true,
        });
      const id = reg.body.client_id as string;
      const token = await adminToken(t);
      const put = await request(t.url)
        .put(`${ADMIN_CLIENTS}/${id}`)
        .set('Authorization', `Bearer ${token}`)
        .send({ name: 'Renamed by an operator' });
      expect(put.status, JSON.stringify(put.body)).toBe(200);
      const read = await request(t.url)
        .get(`/connect/register/${id}`)
        .auth(reg.body.registration_access_token as string, { type: 'bearer' });
      expect(read.body).toMatchObject({
        client_name: 'Renamed by an operator',
        dpop_bound_access_tokens: true,
        require_pushed_authorization_requests: true,
      });
    });
  });
});

describe(`DPOP_NONCE_REQUIRED=true, two instances on one database (${TEST_DB_TYPE})`, () => {
  let a: TestApp;
  let b: TestApp;
  let cc: SeededClient;
  let tokenUrl: string;
  const ccPost = (app: TestApp, dpop: string) =>
    postForm(
      app,
      { grant_type: 'client_credentials' },
      { auth: basic(cc.clientId, cc.clientSecret!) },
    ).set('DPoP', dpop);

  beforeAll(async () => {
    a = await createTestApp({ env: { DPOP_NONCE_REQUIRED: 'true' } });
    // The second instance shares the database, the issuer (so htu names the same URL) and the settings.
    b = await createTestApp({
      database: databaseOf(a),
      env: { DPOP_NONCE_REQUIRED: 'true', ISSUER: a.url },
    });
    tokenUrl = `${a.url}${TOKEN_PATH}`;
    cc = await seedClient(a, { grantTypes: ['client_credentials'], scope: 'read' });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('refuses a proof without a nonce: 400 use_dpop_nonce with DPoP-Nonce; the retry works', async () => {
    const key = await proofKey();
    const first = await ccPost(a, await proof(key, tokenUrl));
    expectOAuthError(first, 400, 'use_dpop_nonce');
    const nonce = first.headers['dpop-nonce'];
    expect(nonce).toMatch(NONCE);
    const retry = await ccPost(a, await proof(key, tokenUrl, { nonce }));
    expect(retry.status, JSON.stringify(retry.body)).toBe(200);
    expect(retry.body.token_type).toBe('DPoP');
  });

  it('a nonce of one instance is accepted by the other, both ways', async () => {
    const key = await proofKey();
    const fromA = await nonceOf(a);
    expect(await nonceOf(b)).toBe(fromA);
    expect((await ccPost(b, await proof(key, tokenUrl, { nonce: fromA }))).status).toBe(200);
    const fromB = (await ccPost(b, await proof(key, tokenUrl))).headers['dpop-nonce'];
    expect((await ccPost(a, await proof(key, tokenUrl, { nonce: fromB }))).status).toBe(200);
  });

  it('a replayed proof is refused by the other instance', async () => {
    const key = await proofKey();
    const p = await proof(key, tokenUrl, { nonce: await nonceOf(a) });
    expect((await ccPost(a, p)).status).toBe(200);
    expectOAuthError(await ccPost(b, p), 400, 'invalid_dpop_proof');
  });

  it('an expired nonce is refused with use_dpop_nonce', async () => {
    const old = a.app
      .get(DpopNonceService)
      .issuedAt(Math.floor(Date.now() / 1000) - 3 * DPOP_NONCE_WINDOW_SECONDS);
    const res = await ccPost(b, await proof(await proofKey(), tokenUrl, { nonce: old }));
    expectOAuthError(res, 400, 'use_dpop_nonce');
  });

  it('userinfo without a nonce: 401, WWW-Authenticate: DPoP error="use_dpop_nonce", DPoP-Nonce', async () => {
    const user = await createUser(a);
    const key = await proofKey();
    const { form } = await publicCode(a, user.id);
    const tokens = await postForm(a, form).set(
      'DPoP',
      await proof(key, tokenUrl, { nonce: await nonceOf(a) }),
    );
    expect(tokens.status, JSON.stringify(tokens.body)).toBe(200);
    const at = tokens.body.access_token as string;
    const userinfoUrl = `${a.url}${USERINFO_PATH}`;
    const res = await request(b.url)
      .get(USERINFO_PATH)
      .set('Authorization', `DPoP ${at}`)
      .set('DPoP', await proof(key, userinfoUrl, { htm: 'GET', ath: ath(at) }));
    expect(res.status).toBe(401);
    expect(res.body.error).toBe('use_dpop_nonce');
    expect(res.headers['www-authenticate']).toMatch(/^DPoP error="use_dpop_nonce"/);
    const nonce = res.headers['dpop-nonce'];
    expect(nonce).toMatch(NONCE);
    const ok = await request(a.url)
      .get(USERINFO_PATH)
      .set('Authorization', `DPoP ${at}`)
      .set('DPoP', await proof(key, userinfoUrl, { htm: 'GET', ath: ath(at), nonce }));
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
  });

  it('requests without a proof still get Bearer tokens', async () => {
    const res = await postForm(
      a,
      { grant_type: 'client_credentials' },
      { auth: basic(cc.clientId, cc.clientSecret!) },
    );
    expect(res.status).toBe(200);
    expect(res.body.token_type).toBe('Bearer');
  });
});
