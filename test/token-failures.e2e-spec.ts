import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedClient } from './helpers/clients.js';
import { expectOAuthError } from './helpers/oauth-assertions.js';
import { createTestApp, TEST_DB_TYPE, type TestApp } from './helpers/test-app.js';
import { basic, codeTokens, createUser, postForm } from './helpers/token-flow.js';

// RFC 6749 §5.2 server_error: a database outage is a 500 with a generic description, never a stack
// trace, and never a wrong verdict such as "inactive" or "invalid_client" for a good credential.
describe(`token endpoints during a database outage (${TEST_DB_TYPE})`, () => {
  let t: TestApp;
  let auth: string;
  let tokens: { access_token: string; refresh_token: string };
  beforeAll(async () => {
    t = await createTestApp();
    const user = await createUser(t);
    const c = await seedClient(t, {
      grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'],
    });
    auth = basic(c.clientId, c.clientSecret!);
    tokens = await codeTokens(t, c, user.id);
    await t.dataSource.destroy();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers 500 server_error on every endpoint, with no internals', async () => {
    const responses = [
      await postForm(t, { grant_type: 'client_credentials' }, { auth }),
      await postForm(
        t,
        { grant_type: 'refresh_token', refresh_token: tokens.refresh_token },
        { auth },
      ),
      await postForm(t, { token: tokens.access_token }, { path: '/api/v1/oauth/introspect', auth }),
      await postForm(t, { token: tokens.refresh_token }, { path: '/api/v1/oauth/revoke', auth }),
      await request(t.url)
        .get('/api/v1/oauth/userinfo')
        .set('Authorization', `Bearer ${tokens.access_token}`),
    ];
    for (const res of responses) {
      expectOAuthError(res, 500, 'server_error');
      expect(res.body.error_description).toBe('The server encountered an internal error');
    }
  });
});
