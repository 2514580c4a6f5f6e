import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsentEntity } from '../src/authorize/entities/consent.entity.js';
import { seedClient, type SeededClient } from './helpers/clients.js';
import { authorize, createUser } from './helpers/login-flow.js';
import { expectOAuthError, expectSimpleError } from './helpers/oauth-assertions.js';
import {
  createTestApp,
  createTestDatabase,
  TEST_DB_TYPE,
  type TestApp,
} from './helpers/test-app.js';
import { basic, introspect, pkce, postForm } from './helpers/token-flow.js';

const REDIRECT = 'https://app.example.com/callback';
const SCOPE = 'openid profile offline_access';

type Tokens = { access_token: string; refresh_token: string };

// The reference's O13-O15: a signed-in user lists and withdraws the consents they gave, and consent pages
// read a client's public information. Withdrawing a consent ends the client's tokens for that user at
// once (on every instance: each use reads the token's row).
describe(`end-user consents and public client info (O13-O15) (${TEST_DB_TYPE})`, () => {
  let t: TestApp;
  let second: TestApp;
  let rsAuth: string;
  let drop: (() => Promise<void>) | undefined;

  /** A real sign-in and consent through the pages, then the code exchange. */
  async function signInAndConsent(
    client: SeededClient,
    user: { username: string; password: string },
  ): Promise<Tokens> {
    const { verifier, challenge } = pkce();
    const flow = await authorize(
      t,
      {
        response_type: 'code',
        client_id: client.clientId,
        redirect_uri: REDIRECT,
        scope: SCOPE,
        state: 's',
        code_challenge: challenge,
        code_challenge_method: 'S256',
      },
      user,
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
      { auth: basic(client.clientId, client.clientSecret!) },
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.refresh_token).toEqual(expect.any(String));
    return res.body as Tokens;
  }

  const listConsents = (accessToken: string) =>
    request(t.url).get('/api/v1/oauth/consents').set('Authorization', `Bearer ${accessToken}`);

  beforeAll(async () => {
    const db = await createTestDatabase();
    drop = db.drop;
    t = await createTestApp({ database: db.env });
    // A second instance on the same database, same issuer: one server behind a load balancer.
    second = await createTestApp({ database: db.env, env: { ISSUER: t.url } });
    const rs = await seedClient(t, {
      grantTypes: ['client_credentials'],
      responseTypes: [],
      redirectUris: [],
      introspectAnyToken: true,
    });
    rsAuth = basic(rs.clientId, rs.clientSecret!);
  });
  afterAll(async () => {
    await second?.close();
    await t?.close();
    await drop?.();
  });

  it('GET /oauth/consents lists the signed-in user’s consents, and only theirs', async () => {
    const user = await createUser(t);
    const other = await createUser(t);
    const a = await seedClient(t, { clientName: 'App A' });
    const b = await seedClient(t, { clientName: 'App B' });
    const tokensA = await signInAndConsent(a, user);
    await signInAndConsent(b, user);
    await signInAndConsent(a, other);

    const res = await listConsents(tokensA.access_token);
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toMatchObject({ code: 200, message: expect.any(String) });
    expect(res.body.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const data = res.body.data as Record<string, string>[];
    expect(data.map((c) => c.client_id).sort()).toEqual([a.clientId, b.clientId].sort());
    for (const c of data) {
      expect(Object.keys(c).sort()).toEqual(['client_id', 'granted_at', 'id', 'scopes']);
      expect(c.scopes).toBe(SCOPE);
      expect(c.id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
      expect(c.granted_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    }
  });

  it('DELETE /oauth/consents/{id} ends the client’s access and refresh tokens for the user at once, on every instance', async () => {
    const user = await createUser(t);
    const a = await seedClient(t);
    const b = await seedClient(t);
    const first = await signInAndConsent(a, user);
    const second2 = await signInAndConsent(a, user);
    const keep = await signInAndConsent(b, user);
    const consentA = (
      (await listConsents(keep.access_token)).body.data as { id: string; client_id: string }[]
    ).find((c) => c.client_id === a.clientId)!;

    const res = await request(t.url)
      .delete(`/api/v1/oauth/consents/${consentA.id}`)
      .set('Authorization', `Bearer ${keep.access_token}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      code: 200,
      message: expect.any(String),
      timestamp: expect.any(String),
    });

    // Both grants of client A for this user are dead, checked on the other instance.
    for (const tokens of [first, second2]) {
      expect((await introspect(second, tokens.access_token, rsAuth)).body).toEqual({
        active: false,
      });
      expect((await introspect(second, tokens.refresh_token, rsAuth)).body).toEqual({
        active: false,
      });
      const userinfo = await request(second.url)
        .get('/api/v1/oauth/userinfo')
        .set('Authorization', `Bearer ${tokens.access_token}`);
      expectOAuthError(userinfo, 401, 'invalid_token');
      expectOAuthError(
        await postForm(
          second,
          { grant_type: 'refresh_token', refresh_token: tokens.refresh_token },
          { auth: basic(a.clientId, a.clientSecret!) },
        ),
        400,
        'invalid_grant',
      );
    }
    // Client B's tokens, and the consent to B, are untouched.
    expect((await introspect(second, keep.refresh_token, rsAuth)).body.active).toBe(true);
    const left = (await listConsents(keep.access_token)).body.data as { client_id: string }[];
    expect(left.map((c) => c.client_id)).toEqual([b.clientId]);

    // Idempotent in effect: the consent is gone, a second DELETE is 404.
    expectSimpleError(
      await request(t.url)
        .delete(`/api/v1/oauth/consents/${consentA.id}`)
        .set('Authorization', `Bearer ${keep.access_token}`),
      404,
      { error: 'not_found' },
    );
  });

  it('answers 404 for another user’s consent and for unknown or malformed ids, and changes nothing', async () => {
    const owner = await createUser(t);
    const intruder = await createUser(t);
    const c = await seedClient(t);
    const ownerTokens = await signInAndConsent(c, owner);
    const intruderTokens = await signInAndConsent(await seedClient(t), intruder);
    const [consent] = (await listConsents(ownerTokens.access_token)).body.data as { id: string }[];
    for (const id of [consent.id, '01ARZ3NDEKTSV4RRFFQ69G5FAV', 'not-an-id', "1' OR '1'='1"]) {
      expectSimpleError(
        await request(t.url)
          .delete(`/api/v1/oauth/consents/${encodeURIComponent(id)}`)
          .set('Authorization', `Bearer ${intruderTokens.access_token}`),
        404,
        { error: 'not_found' },
      );
    }
    expect(await t.dataSource.getRepository(ConsentEntity).existsBy({ id: consent.id })).toBe(true);
    expect((await introspect(t, ownerTokens.access_token, rsAuth)).body.active).toBe(true);
  });

  it('answers 401 invalid_token without a user’s valid access token', async () => {
    const user = await createUser(t);
    const c = await seedClient(t, {
      grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'],
    });
    const tokens = await signInAndConsent(c, user);
    const clientOnly = (
      await postForm(
        t,
        { grant_type: 'client_credentials', scope: 'profile' },
        { auth: basic(c.clientId, c.clientSecret!) },
      )
    ).body.access_token as string;
    await postForm(
      t,
      { token: tokens.access_token },
      { path: '/api/v1/oauth/revoke', auth: basic(c.clientId, c.clientSecret!) },
    );
    const headers = [
      undefined,
      'Basic abc',
      'Bearer',
      'Bearer not-a-jwt',
      `Bearer ${tokens.refresh_token}`,
      `Bearer ${tokens.access_token}`, // revoked
      `Bearer ${clientOnly}`, // no user
    ];
    for (const h of headers) {
      for (const req of [
        request(t.url).get('/api/v1/oauth/consents'),
        request(t.url).delete('/api/v1/oauth/consents/01ARZ3NDEKTSV4RRFFQ69G5FAV'),
      ]) {
        if (h) void req.set('Authorization', h);
        expectSimpleError(await req, 401, { error: 'invalid_token' });
      }
    }
  });

  it('GET /oauth/client/{client_id} shows name, logo and scopes, never a secret or an internal field', async () => {
    const c = await seedClient(t, {
      clientName: 'Public App',
      logoUri: 'https://app.example.com/logo.png',
      scope: 'openid profile',
      jwksUri: 'https://app.example.com/jwks.json',
      introspectAnyToken: true,
    });
    const res = await request(t.url).get(`/api/v1/oauth/client/${c.clientId}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ code: 200, message: expect.any(String) });
    expect(res.body.data).toEqual({
      client_name: 'Public App',
      logo_uri: 'https://app.example.com/logo.png',
      scopes: ['openid', 'profile'],
    });
    const text = JSON.stringify(res.body);
    for (const secret of [c.clientSecret!, c.registrationAccessToken]) {
      expect(text).not.toContain(secret);
    }
    expect(text).not.toMatch(/redirect|secret|registration|jwks|introspect|version|hash/i);
  });

  it('GET /oauth/client/{client_id} answers 404 for unknown, malformed and deleted clients', async () => {
    const reg = await request(t.url)
      .post('/connect/register')
      .send({ redirect_uris: [REDIRECT], client_name: 'Soon gone' })
      .expect(201);
    const id = reg.body.client_id as string;
    expect((await request(t.url).get(`/api/v1/oauth/client/${id}`)).status).toBe(200);
    await request(t.url)
      .delete(`/connect/register/${id}`)
      .set('Authorization', `Bearer ${reg.body.registration_access_token as string}`)
      .expect(204);
    for (const unknown of [id, '01ARZ3NDEKTSV4RRFFQ69G5FAV', 'x', '%27%20OR%201%3D1']) {
      expectSimpleError(await request(t.url).get(`/api/v1/oauth/client/${unknown}`), 404, {
        error: 'not_found',
      });
    }
  });
});
