import request from 'supertest';
import type { Response } from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientEntity } from '../src/client-registration/index.js';
import { UserEntity } from '../src/users/entities/user.entity.js';
import {
  ADMIN_CLIENTS,
  adminToken,
  clientToken,
  createAdminClient,
  createUserWithRoles,
  userTokenVia,
} from './helpers/admin.js';
import { seedClient } from './helpers/clients.js';
import { AUTHORIZE_PATH, authorize, createUser } from './helpers/login-flow.js';
import { expectOAuthError, expectSimpleError } from './helpers/oauth-assertions.js';
import { createTestApp, TEST_DB_TYPE, type TestApp } from './helpers/test-app.js';
import { basic, pkce, postForm } from './helpers/token-flow.js';

/** The reference's SimpleResponse error with its text and OAuth code. */
function expectAdminError(res: Response, status: number, message: string, error: string): void {
  expectSimpleError(res, status, { message, error });
}

const UNAUTHENTICATED = 'Unauthenticated: provide a valid Bearer Token';
const FORBIDDEN = 'Insufficient permissions: administrator role required';

describe(`admin API authentication (${TEST_DB_TYPE})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { REGISTRATION_RATE_LIMIT: '0' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  const list = (token?: string) => {
    const req = request(t.url).get(ADMIN_CLIENTS);
    return token === undefined ? req : req.set('Authorization', `Bearer ${token}`);
  };

  it('answers 401 in the SimpleResponse shape with the Bearer challenge without a valid token', async () => {
    const none = await list();
    expectAdminError(none, 401, UNAUTHENTICATED, 'invalid_token');
    expect(none.headers['www-authenticate']).toMatch(/^Bearer error="invalid_token"/);
    for (const bad of ['garbage', 'a.b.c', 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.']) {
      expectAdminError(await list(bad), 401, UNAUTHENTICATED, 'invalid_token');
    }
    const basicHeader = await request(t.url)
      .get(ADMIN_CLIENTS)
      .set('Authorization', 'Basic dXNlcjpwYXNz');
    expectAdminError(basicHeader, 401, UNAUTHENTICATED, 'invalid_token');
  });

  it('answers 401 to a registration access token and to a revoked admin token', async () => {
    const reg = await request(t.url)
      .post('/connect/register')
      .send({ redirect_uris: ['https://app.example.com/cb'] });
    const rat = (reg.body as { registration_access_token: string }).registration_access_token;
    expectAdminError(await list(rat), 401, UNAUTHENTICATED, 'invalid_token');

    const admin = await createAdminClient(t);
    const token = await clientToken(t, admin);
    expect((await list(token)).status).toBe(200);
    const revoked = await postForm(
      t,
      { token },
      { path: '/api/v1/oauth/revoke', auth: basic(admin.clientId, admin.clientSecret) },
    );
    expect(revoked.status).toBe(200);
    expectAdminError(await list(token), 401, UNAUTHENTICATED, 'invalid_token');
  });

  it('answers 403 with the reference text to a valid token without the admin scope', async () => {
    const ordinary = await seedClient(t, {
      grantTypes: ['client_credentials'],
      responseTypes: [],
      redirectUris: [],
      scope: 'profile',
    });
    const token = await clientToken(
      t,
      { clientId: ordinary.clientId, clientSecret: ordinary.clientSecret! },
      'profile',
    );
    const res = await list(token);
    expectAdminError(res, 403, FORBIDDEN, 'insufficient_scope');
    expect(res.headers['www-authenticate']).toMatch(/^Bearer error="insufficient_scope"/);
  });

  it('lets an operator-created admin client in with client_credentials, and records it as actor', async () => {
    const token = await adminToken(t);
    const res = await list(token);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ code: 200, message: 'success' });
  });

  it('refuses the admin client at once when it is suspended, and lets it in again when reactivated', async () => {
    const admin = await createAdminClient(t);
    const token = await clientToken(t, admin);
    const other = await adminToken(t);
    const suspend = await request(t.url)
      .put(`${ADMIN_CLIENTS}/${admin.clientId}`)
      .set('Authorization', `Bearer ${other}`)
      .send({ status: 'suspended' });
    expect(suspend.status).toBe(200);
    expectAdminError(await list(token), 401, UNAUTHENTICATED, 'invalid_token');
    await request(t.url)
      .put(`${ADMIN_CLIENTS}/${admin.clientId}`)
      .set('Authorization', `Bearer ${other}`)
      .send({ status: 'active' })
      .expect(200);
    expect((await list(token)).status).toBe(200);
  });

  describe('administrators signing in', () => {
    it('a user with the admin role obtains the admin scope through an admin client and gets in', async () => {
      const client = await createAdminClient(t, {
        redirectUris: ['https://app.example.com/callback'],
      });
      const adminUser = await createUserWithRoles(t, ['admin']);
      expect(adminUser.roles).toEqual(['admin']);
      const tokens = await userTokenVia(t, client, adminUser.id, ['openid', 'admin']);
      expect(tokens.scope.split(' ')).toContain('admin');
      expect((await list(tokens.access_token)).status).toBe(200);
    });

    it('a user without the role gets no admin scope from the same client, so 403', async () => {
      const client = await createAdminClient(t, {
        redirectUris: ['https://app.example.com/callback'],
      });
      const user = await createUserWithRoles(t, []);
      const tokens = await userTokenVia(t, client, user.id, ['openid', 'admin']);
      expect(tokens.scope.split(' ')).not.toContain('admin');
      expectAdminError(await list(tokens.access_token), 403, FORBIDDEN, 'insufficient_scope');
    });

    it('taking the role away refuses the token already issued at once', async () => {
      const client = await createAdminClient(t, {
        redirectUris: ['https://app.example.com/callback'],
      });
      const adminUser = await createUserWithRoles(t, ['admin']);
      const tokens = await userTokenVia(t, client, adminUser.id, ['openid', 'admin']);
      expect((await list(tokens.access_token)).status).toBe(200);
      await t.dataSource.getRepository(UserEntity).update({ id: adminUser.id }, { roles: '' });
      expectAdminError(await list(tokens.access_token), 403, FORBIDDEN, 'insufficient_scope');
    });

    it('goes through the real authorize pages: the admin user gets admin, an ordinary user does not', async () => {
      const client = await createAdminClient(t, {
        redirectUris: ['https://app.example.com/callback'],
      });
      for (const [roles, expectAdmin] of [
        [['admin'], true],
        [[], false],
      ] as const) {
        const user = await createUserWithRoles(t, [...roles]);
        const { verifier, challenge } = pkce();
        const flow = await authorize(
          t,
          {
            response_type: 'code',
            client_id: client.clientId,
            redirect_uri: 'https://app.example.com/callback',
            scope: 'openid admin',
            code_challenge: challenge,
            code_challenge_method: 'S256',
            state: 's',
          },
          { username: user.username, password: 'correct horse battery staple' },
        );
        expect(flow.code).toBeDefined();
        const res = await postForm(
          t,
          {
            grant_type: 'authorization_code',
            code: flow.code!,
            redirect_uri: 'https://app.example.com/callback',
            code_verifier: verifier,
          },
          { auth: basic(client.clientId, client.clientSecret) },
        );
        expect(res.status).toBe(200);
        const scope = (res.body as { scope: string }).scope.split(' ');
        expect(scope.includes('admin')).toBe(expectAdmin);
      }
    });
  });

  describe('a dynamically registered client can never obtain the admin scope', () => {
    it('cannot register it, in either style', async () => {
      for (const path of ['/connect/register', '/api/v1/oauth/register']) {
        const res = await request(t.url)
          .post(path)
          .send({ redirect_uris: ['https://app.example.com/cb'], scope: 'openid admin' });
        expectOAuthError(res, 400, 'invalid_client_metadata');
      }
    });

    it('cannot add it by RFC 7592 update', async () => {
      const reg = await request(t.url)
        .post('/connect/register')
        .send({ redirect_uris: ['https://app.example.com/cb'] });
      const body = reg.body as { client_id: string; registration_access_token: string };
      const res = await request(t.url)
        .put(`/connect/register/${body.client_id}`)
        .set('Authorization', `Bearer ${body.registration_access_token}`)
        .send({ redirect_uris: ['https://app.example.com/cb'], scope: 'admin' });
      expectOAuthError(res, 400, 'invalid_client_metadata');
    });

    it('cannot request it at the token endpoint (client_credentials)', async () => {
      const reg = await request(t.url)
        .post('/connect/register')
        .send({ grant_types: ['client_credentials'], scope: 'profile' });
      const body = reg.body as { client_id: string; client_secret: string };
      const res = await postForm(
        t,
        { grant_type: 'client_credentials', scope: 'admin' },
        { auth: basic(body.client_id, body.client_secret) },
      );
      expectOAuthError(res, 400, 'invalid_scope');
    });

    it('cannot request it at the authorization endpoint, even for an admin user', async () => {
      const reg = await request(t.url)
        .post('/connect/register')
        .send({ redirect_uris: ['https://app.example.com/cb'], scope: 'openid profile' });
      const clientId = (reg.body as { client_id: string }).client_id;
      const adminUser = await createUser(t);
      await t.dataSource.getRepository(UserEntity).update({ id: adminUser.id }, { roles: 'admin' });
      const flow = await authorize(
        t,
        {
          response_type: 'code',
          client_id: clientId,
          redirect_uri: 'https://app.example.com/cb',
          scope: 'openid admin',
          code_challenge: pkce().challenge,
          code_challenge_method: 'S256',
        },
        adminUser,
      );
      expect(flow.error).toBe('invalid_scope');
      expect(flow.code).toBeUndefined();
      expect(flow.location.href.startsWith('https://app.example.com/cb')).toBe(true);
      expect(AUTHORIZE_PATH).toBe('/api/v1/oauth/authorize');
    });

    it('gets nothing from an "admin" written into its row without admin access', async () => {
      // Even if a stored scope says admin (a row written by hand, an old bug), only admin_access counts.
      const seeded = await seedClient(t, {
        grantTypes: ['client_credentials'],
        responseTypes: [],
        redirectUris: [],
        scope: 'admin profile',
      });
      const row = await t.dataSource.getRepository(ClientEntity).findOneByOrFail({
        id: seeded.clientId,
      });
      expect(row.adminAccess).toBe(false);
      const res = await postForm(
        t,
        { grant_type: 'client_credentials', scope: 'admin' },
        { auth: basic(seeded.clientId, seeded.clientSecret!) },
      );
      expectOAuthError(res, 400, 'invalid_scope');
      const noScope = await postForm(
        t,
        { grant_type: 'client_credentials' },
        { auth: basic(seeded.clientId, seeded.clientSecret!) },
      );
      expect(noScope.status).toBe(200);
      expect((noScope.body as { scope: string }).scope).toBe('profile');
    });
  });
});

describe(`admin scope with SCOPES_SUPPORTED listing admin (${TEST_DB_TYPE})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      env: {
        REGISTRATION_RATE_LIMIT: '0',
        SCOPES_SUPPORTED: 'openid profile email offline_access admin',
        REGISTRATION_DEFAULT_SCOPE: 'openid profile',
      },
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('still refuses admin at registration', async () => {
    const res = await request(t.url)
      .post('/connect/register')
      .send({ grant_types: ['client_credentials'], scope: 'admin' });
    expectOAuthError(res, 400, 'invalid_client_metadata');
  });
});
