import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccessTokenEntity } from '../src/token/entities/access-token.entity.js';
import { RefreshTokenEntity } from '../src/token/entities/refresh-token.entity.js';
import { seedClient } from './helpers/clients.js';
import { expectOAuthError } from './helpers/oauth-assertions.js';
import { createTestApp, TEST_DB_TYPE, type TestApp } from './helpers/test-app.js';
import {
  basic,
  codeTokens,
  createUser,
  postForm,
  type User,
  introspect,
} from './helpers/token-flow.js';

const REGISTER = '/api/v1/oauth/register';
const REDIRECT = 'https://app.example.com/callback';

interface Registered {
  client_id: string;
  client_secret: string;
  registration_access_token: string;
}

// Registration and tokens meet here: a deletion through RFC 7592 revokes every token at once, and an
// update of the registered metadata governs the very next token request.
describe(`client lifecycle vs tokens (${TEST_DB_TYPE})`, () => {
  let t: TestApp;
  let user: User;
  let resourceServer: string;
  const metadata = {
    client_name: 'Lifecycle App',
    redirect_uris: [REDIRECT],
    grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
    response_types: ['code'],
    scope: 'openid profile email offline_access',
  };
  const register = async (): Promise<Registered> =>
    (await request(t.url).post(REGISTER).send(metadata).expect(201)).body.data as Registered;
  const isActive = async (token: string) =>
    (await introspect(t, token, resourceServer)).body as { active: boolean };

  beforeAll(async () => {
    t = await createTestApp({ env: { REGISTRATION_RATE_LIMIT: '0' } });
    user = await createUser(t);
    const rs = await seedClient(t, {
      grantTypes: ['client_credentials'],
      responseTypes: [],
      redirectUris: [],
      introspectAnyToken: true,
    });
    resourceServer = basic(rs.clientId, rs.clientSecret!);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('revokes every token of a client deleted through DELETE /oauth/register/{id} (RFC 7592 §2.3)', async () => {
    const d = await register();
    const client = { clientId: d.client_id, clientSecret: d.client_secret };
    const auth = basic(d.client_id, d.client_secret);
    const user1 = await codeTokens(t, client, user.id);
    const cc = await postForm(t, { grant_type: 'client_credentials' }, { auth });
    expect(cc.status).toBe(200);
    for (const tok of [user1.access_token, user1.refresh_token, cc.body.access_token]) {
      expect((await isActive(tok as string)).active).toBe(true);
    }

    await request(t.url)
      .delete(`${REGISTER}/${d.client_id}`)
      .auth(d.registration_access_token, { type: 'bearer' })
      .expect(204);

    for (const tok of [user1.access_token, user1.refresh_token, cc.body.access_token]) {
      expect(await isActive(tok as string)).toEqual({ active: false });
    }
    // The listener marked the rows revoked, not only the validation paths.
    const at = await t.dataSource
      .getRepository(AccessTokenEntity)
      .findBy({ clientId: d.client_id });
    const rt = await t.dataSource
      .getRepository(RefreshTokenEntity)
      .findBy({ clientId: d.client_id });
    expect(at.length).toBe(2);
    expect(at.every((r) => r.revokedAt !== null)).toBe(true);
    expect(rt.every((r) => r.revokedAt !== null)).toBe(true);
    // And the client can no longer authenticate.
    expectOAuthError(
      await postForm(t, { grant_type: 'client_credentials' }, { auth }),
      401,
      'invalid_client',
    );
    expectOAuthError(
      await postForm(
        t,
        { grant_type: 'refresh_token', refresh_token: user1.refresh_token },
        { auth },
      ),
      401,
      'invalid_client',
    );
    expectOAuthError(
      await request(t.url)
        .get('/api/v1/oauth/userinfo')
        .set('Authorization', `Bearer ${user1.access_token}`),
      401,
      'invalid_token',
    );
  });

  it('applies an update of grant_types on the next token request (RFC 7592 §2.2)', async () => {
    const d = await register();
    const client = { clientId: d.client_id, clientSecret: d.client_secret };
    const auth = basic(d.client_id, d.client_secret);
    const tokens = await codeTokens(t, client, user.id);
    const put = await request(t.url)
      .put(`${REGISTER}/${d.client_id}`)
      .auth(d.registration_access_token, { type: 'bearer' })
      .send({ ...metadata, grant_types: ['authorization_code'] });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expectOAuthError(
      await postForm(
        t,
        { grant_type: 'refresh_token', refresh_token: tokens.refresh_token },
        { auth },
      ),
      400,
      'unauthorized_client',
    );
    expectOAuthError(
      await postForm(t, { grant_type: 'client_credentials' }, { auth }),
      400,
      'unauthorized_client',
    );
  });

  it('applies a change of token_endpoint_auth_method on the next request', async () => {
    const d = await register();
    const put = await request(t.url)
      .put(`${REGISTER}/${d.client_id}`)
      .auth(d.registration_access_token, { type: 'bearer' })
      .send({
        ...metadata,
        client_secret: d.client_secret,
        token_endpoint_auth_method: 'client_secret_post',
      });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expectOAuthError(
      await postForm(
        t,
        { grant_type: 'client_credentials' },
        { auth: basic(d.client_id, d.client_secret) },
      ),
      401,
      'invalid_client',
    );
    const post = await postForm(t, {
      grant_type: 'client_credentials',
      client_id: d.client_id,
      client_secret: d.client_secret,
    });
    expect(post.status).toBe(200);
  });
});
