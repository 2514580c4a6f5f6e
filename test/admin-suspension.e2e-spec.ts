import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientAuditLogEntity } from '../src/audit/index.js';
import { ADMIN_CLIENTS, adminToken } from './helpers/admin.js';
import { seedClient } from './helpers/clients.js';
import { expectOAuthError } from './helpers/oauth-assertions.js';
import {
  createTestApp,
  createTestDatabase,
  TEST_DB_TYPE,
  type TestApp,
} from './helpers/test-app.js';
import {
  basic,
  codeTokens,
  createUser,
  introspect,
  issueCode,
  postForm,
} from './helpers/token-flow.js';

// Two instances of one server on one database: an administrator suspends a client on A; B refuses it at
// once (every check reads the database, nothing is cached).
describe(`client suspension across instances (${TEST_DB_TYPE})`, () => {
  let a: TestApp;
  let b: TestApp;
  let drop: () => Promise<void>;
  let admin: string;
  let rs: { clientId: string; clientSecret?: string };

  beforeAll(async () => {
    const db = await createTestDatabase();
    drop = db.drop;
    const env = { REGISTRATION_RATE_LIMIT: '0' };
    a = await createTestApp({ database: db.env, env });
    b = await createTestApp({ database: db.env, env: { ...env, ISSUER: a.url } });
    admin = await adminToken(a);
    // A resource server that introspects tokens (RFC 7662 §2.1 needs an authenticated caller).
    rs = await seedClient(a, {
      grantTypes: ['client_credentials'],
      responseTypes: [],
      redirectUris: [],
      scope: 'profile',
      introspectAnyToken: true,
    });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await drop?.();
  });

  const setStatus = (clientId: string, status: string) =>
    request(a.url)
      .put(`${ADMIN_CLIENTS}/${clientId}`)
      .set('Authorization', `Bearer ${admin}`)
      .send({ status });

  it('a suspended client gets no token at any grant and its tokens are refused at once on the other instance', async () => {
    const created = await request(a.url)
      .post(ADMIN_CLIENTS)
      .set('Authorization', `Bearer ${admin}`)
      .send({
        name: 'Suspendable',
        redirect_uris: ['https://app.example.com/callback'],
        grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
        scopes: ['openid', 'profile', 'offline_access'],
      })
      .expect(201);
    const data = (created.body as { data: { client_id: string; client_secret: string } }).data;
    const client = { clientId: data.client_id, clientSecret: data.client_secret };
    const auth = basic(client.clientId, client.clientSecret);
    const user = await createUser(a);
    const tokens = await codeTokens(a, client, user.id, ['openid', 'profile', 'offline_access']);
    const cc = await postForm(a, { grant_type: 'client_credentials' }, { auth });
    expect(cc.status).toBe(200);
    const ccToken = (cc.body as { access_token: string }).access_token;

    const active = await introspect(b, tokens.access_token, basic(rs.clientId, rs.clientSecret!));
    expect((active.body as { active: boolean }).active).toBe(true);
    await request(b.url)
      .get('/api/v1/oauth/userinfo')
      .set('Authorization', `Bearer ${tokens.access_token}`)
      .expect(200);

    expect((await setStatus(client.clientId, 'suspended')).status).toBe(200);

    // Existing tokens: inactive at introspection, refused at userinfo — on B, at once.
    for (const token of [tokens.access_token, ccToken, tokens.refresh_token]) {
      const res = await introspect(b, token, basic(rs.clientId, rs.clientSecret!));
      expect(res.body).toEqual({ active: false });
    }
    const userinfo = await request(b.url)
      .get('/api/v1/oauth/userinfo')
      .set('Authorization', `Bearer ${tokens.access_token}`);
    expectOAuthError(userinfo, 401, 'invalid_token');

    // No token at any grant.
    expectOAuthError(
      await postForm(b, { grant_type: 'client_credentials' }, { auth }),
      401,
      'invalid_client',
    );
    expectOAuthError(
      await postForm(
        b,
        { grant_type: 'refresh_token', refresh_token: tokens.refresh_token },
        { auth },
      ),
      401,
      'invalid_client',
    );
    const code = await issueCode(b, { clientId: client.clientId, userId: user.id });
    expectOAuthError(
      await postForm(
        b,
        {
          grant_type: 'authorization_code',
          code,
          redirect_uri: 'https://app.example.com/callback',
        },
        { auth },
      ),
      401,
      'invalid_client',
    );
    // The authorization endpoint does not know it either (an error page, no redirect).
    const authz = await request(b.url).get('/api/v1/oauth/authorize').query({
      response_type: 'code',
      client_id: client.clientId,
      redirect_uri: 'https://app.example.com/callback',
      scope: 'openid',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    });
    expect(authz.status).toBe(400);
    expect(authz.headers.location).toBeUndefined();

    // Re-activated: it works again (suspension is reversible; the tokens were never revoked).
    expect((await setStatus(client.clientId, 'active')).status).toBe(200);
    expect((await postForm(b, { grant_type: 'client_credentials' }, { auth })).status).toBe(200);
    const again = await introspect(b, tokens.access_token, basic(rs.clientId, rs.clientSecret!));
    expect((again.body as { active: boolean }).active).toBe(true);

    const rows = await a.dataSource
      .getRepository(ClientAuditLogEntity)
      .find({ where: { clientId: client.clientId }, order: { id: 'ASC' } });
    expect(rows.map((r) => r.operation)).toEqual([
      'client.created',
      'client.suspended',
      'client.activated',
    ]);
    expect(rows[1].changes).toEqual({ status: { from: 'active', to: 'suspended' } });
    expect(rows[1].actorType).toBe('client');
  });

  it('a suspended client can still read its RFC 7592 registration (so its owner sees why), with an ETag', async () => {
    const reg = await request(a.url)
      .post('/connect/register')
      .send({ redirect_uris: ['https://app.example.com/cb'] })
      .expect(201);
    const body = reg.body as { client_id: string; registration_access_token: string };
    expect((await setStatus(body.client_id, 'suspended')).status).toBe(200);
    for (const path of ['/connect/register', '/api/v1/oauth/register']) {
      const read = await request(b.url)
        .get(`${path}/${body.client_id}`)
        .set('Authorization', `Bearer ${body.registration_access_token}`);
      expect(read.status).toBe(200);
      expect(read.headers.etag).toMatch(/^"v\d+"$/);
    }
  });

  it('RFC 7592 PUT honours If-Match: a stale ETag is 412 and changes nothing, the current one applies', async () => {
    const reg = await request(a.url)
      .post('/connect/register')
      .send({ redirect_uris: ['https://app.example.com/cb'], client_name: 'One' })
      .expect(201);
    const { client_id: id } = reg.body as { client_id: string };
    let { registration_access_token: rat } = reg.body as {
      registration_access_token: string;
    };
    const read = await request(a.url)
      .get(`/connect/register/${id}`)
      .set('Authorization', `Bearer ${rat}`)
      .expect(200);
    const etag = read.headers.etag;
    const ok = await request(b.url)
      .put(`/connect/register/${id}`)
      .set('Authorization', `Bearer ${rat}`)
      .set('If-Match', etag)
      .send({ redirect_uris: ['https://app.example.com/cb'], client_name: 'Two' });
    expect(ok.status).toBe(200);
    expect(ok.headers.etag).not.toBe(etag);
    rat = (ok.body as { registration_access_token: string }).registration_access_token;
    const stale = await request(a.url)
      .put(`/connect/register/${id}`)
      .set('Authorization', `Bearer ${rat}`)
      .set('If-Match', etag)
      .send({ redirect_uris: ['https://app.example.com/cb'], client_name: 'Three' });
    expectOAuthError(stale, 412, 'precondition_failed');
    const now = await request(a.url)
      .get(`/connect/register/${id}`)
      .set('Authorization', `Bearer ${rat}`)
      .expect(200);
    expect((now.body as { client_name: string }).client_name).toBe('Two');
    expect(now.headers.etag).toBe(ok.headers.etag);
  });
});
