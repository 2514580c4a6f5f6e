import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../src/common/crypto/tokens.js';
import { RefreshTokenEntity } from '../src/token/entities/refresh-token.entity.js';
import { seedClient } from './helpers/clients.js';
import { expectOAuthError } from './helpers/oauth-assertions.js';
import { createTestApp, TEST_DB_TYPE, type TestApp } from './helpers/test-app.js';
import {
  assertion,
  basic,
  clientKey,
  codeTokens,
  createUser,
  issueCode,
  JWT_BEARER,
  pkce,
  postForm,
  type User,
  introspect,
} from './helpers/token-flow.js';

const REFRESH_PATH = '/api/v1/oauth/refresh';

describe(`refresh_token grant and /oauth/refresh (${TEST_DB_TYPE})`, () => {
  let t: TestApp;
  let user: User;

  beforeAll(async () => {
    t = await createTestApp();
    user = await createUser(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('rotates the refresh token on every use (RFC 9700 §4.14.2) and keeps the scope', async () => {
    const c = await seedClient(t);
    const auth = basic(c.clientId, c.clientSecret!);
    const first = await codeTokens(t, c, user.id);
    const res = await postForm(
      t,
      { grant_type: 'refresh_token', refresh_token: first.refresh_token },
      { auth },
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toMatchObject({
      token_type: 'Bearer',
      expires_in: 3600,
      scope: 'openid profile email offline_access',
      refresh_token: expect.stringMatching(/^rt_/),
      id_token: expect.any(String),
    });
    expect(res.body.refresh_token).not.toBe(first.refresh_token);
    expect(res.body.access_token).not.toBe(first.access_token);
    const old = await t.dataSource
      .getRepository(RefreshTokenEntity)
      .findOneByOrFail({ tokenHash: sha256Hex(first.refresh_token) });
    expect(old.rotatedAt).not.toBeNull();
    expect((await introspect(t, first.refresh_token, auth)).body).toEqual({ active: false });
    expect((await introspect(t, res.body.refresh_token, auth)).body.active).toBe(true);
  });

  it('revokes the whole family when a rotated token is presented again', async () => {
    const c = await seedClient(t);
    const auth = basic(c.clientId, c.clientSecret!);
    const first = await codeTokens(t, c, user.id);
    const second = await postForm(
      t,
      { grant_type: 'refresh_token', refresh_token: first.refresh_token },
      { auth },
    );
    expect(second.status).toBe(200);
    const reuse = await postForm(
      t,
      { grant_type: 'refresh_token', refresh_token: first.refresh_token },
      { auth },
    );
    expectOAuthError(reuse, 400, 'invalid_grant');
    // Everything of the grant is now dead: both refresh tokens and every access token.
    for (const token of [second.body.refresh_token, second.body.access_token, first.access_token]) {
      expect((await introspect(t, token as string, auth)).body).toEqual({ active: false });
    }
    expectOAuthError(
      await postForm(
        t,
        { grant_type: 'refresh_token', refresh_token: second.body.refresh_token },
        { auth },
      ),
      400,
      'invalid_grant',
    );
  });

  it('lets exactly one of two concurrent uses of one refresh token win', async () => {
    const c = await seedClient(t);
    const auth = basic(c.clientId, c.clientSecret!);
    const { refresh_token } = await codeTokens(t, c, user.id);
    const results = await Promise.all(
      [1, 2].map(() => postForm(t, { grant_type: 'refresh_token', refresh_token }, { auth })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 400]);
  });

  it('narrows the scope on request but never widens it (RFC 6749 §6)', async () => {
    const c = await seedClient(t);
    const auth = basic(c.clientId, c.clientSecret!);
    const first = await codeTokens(t, c, user.id, ['openid', 'profile', 'offline_access']);
    const narrowed = await postForm(
      t,
      { grant_type: 'refresh_token', refresh_token: first.refresh_token, scope: 'profile' },
      { auth },
    );
    expect(narrowed.status).toBe(200);
    expect(narrowed.body.scope).toBe('profile');
    expect(narrowed.body.id_token).toBeUndefined();
    // The new refresh token keeps the original scope.
    const again = await postForm(
      t,
      { grant_type: 'refresh_token', refresh_token: narrowed.body.refresh_token },
      { auth },
    );
    expect(again.body.scope).toBe('openid profile offline_access');
    expectOAuthError(
      await postForm(
        t,
        {
          grant_type: 'refresh_token',
          refresh_token: again.body.refresh_token,
          scope: 'openid profile email',
        },
        { auth },
      ),
      400,
      'invalid_scope',
    );
  });

  it('binds the refresh token to its client (RFC 6749 §6)', async () => {
    const owner = await seedClient(t);
    const other = await seedClient(t);
    const { refresh_token } = await codeTokens(t, owner, user.id);
    expectOAuthError(
      await postForm(
        t,
        { grant_type: 'refresh_token', refresh_token },
        { auth: basic(other.clientId, other.clientSecret!) },
      ),
      400,
      'invalid_grant',
    );
    // The owner's token is untouched.
    const ok = await postForm(
      t,
      { grant_type: 'refresh_token', refresh_token },
      { auth: basic(owner.clientId, owner.clientSecret!) },
    );
    expect(ok.status).toBe(200);
  });

  it('refuses expired, unknown and missing refresh tokens', async () => {
    const c = await seedClient(t);
    const auth = basic(c.clientId, c.clientSecret!);
    const { refresh_token } = await codeTokens(t, c, user.id);
    await t.dataSource
      .getRepository(RefreshTokenEntity)
      .update({ tokenHash: sha256Hex(refresh_token) }, { expiresAt: 1 });
    const expired = await postForm(t, { grant_type: 'refresh_token', refresh_token }, { auth });
    expectOAuthError(expired, 400, 'invalid_grant');
    expect(expired.body.error_description).toMatch(/expired/);
    expectOAuthError(
      await postForm(t, { grant_type: 'refresh_token', refresh_token: 'rt_nope' }, { auth }),
      400,
      'invalid_grant',
    );
    expectOAuthError(
      await postForm(t, { grant_type: 'refresh_token' }, { auth }),
      400,
      'invalid_request',
    );
  });

  it('refuses refresh to a client no longer registered for the refresh_token grant', async () => {
    const c = await seedClient(t);
    const auth = basic(c.clientId, c.clientSecret!);
    const { refresh_token } = await codeTokens(t, c, user.id);
    await t.dataSource.query(
      TEST_DB_TYPE === 'mysql'
        ? 'UPDATE oauth_clients SET grant_types = ? WHERE id = ?'
        : 'UPDATE "oauth_clients" SET "grant_types" = ? WHERE "id" = ?',
      [JSON.stringify(['authorization_code']), c.clientId],
    );
    expectOAuthError(
      await postForm(t, { grant_type: 'refresh_token', refresh_token }, { auth }),
      400,
      'unauthorized_client',
    );
  });

  it.each(['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'] as const)(
    'refreshes with client authentication %s (the registered method)',
    async (method) => {
      const key = await clientKey();
      const c = await seedClient(t, {
        tokenEndpointAuthMethod: method,
        jwks: method === 'private_key_jwt' ? { keys: [key.publicJwk] } : null,
      });
      const { verifier, challenge } = pkce();
      const code = await issueCode(t, {
        clientId: c.clientId,
        userId: user.id,
        codeChallenge: challenge,
        codeChallengeMethod: 'S256',
      });
      const authFor = async (): Promise<{ form: Record<string, string>; auth?: string }> => {
        switch (method) {
          case 'client_secret_basic':
            return { form: {}, auth: basic(c.clientId, c.clientSecret!) };
          case 'client_secret_post':
            return { form: { client_id: c.clientId, client_secret: c.clientSecret! } };
          case 'private_key_jwt':
            return {
              form: {
                client_assertion_type: JWT_BEARER,
                client_assertion: await assertion(key, c.clientId, t.url),
              },
            };
          case 'none':
            return { form: { client_id: c.clientId } };
        }
      };
      const a1 = await authFor();
      const first = await postForm(
        t,
        {
          grant_type: 'authorization_code',
          code,
          redirect_uri: 'https://app.example.com/callback',
          code_verifier: verifier,
          ...a1.form,
        },
        { auth: a1.auth },
      );
      expect(first.status, JSON.stringify(first.body)).toBe(200);
      const a2 = await authFor();
      const second = await postForm(
        t,
        { grant_type: 'refresh_token', refresh_token: first.body.refresh_token, ...a2.form },
        { auth: a2.auth },
      );
      expect(second.status, JSON.stringify(second.body)).toBe(200);
      expect(second.body.refresh_token).toMatch(/^rt_/);
    },
  );

  describe('POST /oauth/refresh (contract O5)', () => {
    it('accepts a JSON body {refresh_token, client_id, client_secret} for a client_secret_post client', async () => {
      const c = await seedClient(t, { tokenEndpointAuthMethod: 'client_secret_post' });
      const code = await codeTokensPost(c);
      const res = await request(t.url).post(REFRESH_PATH).send({
        refresh_token: code.refresh_token,
        client_id: c.clientId,
        client_secret: c.clientSecret,
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.body.refresh_token).toMatch(/^rt_/);
    });

    it('accepts Basic authentication and a form body', async () => {
      const c = await seedClient(t);
      const { refresh_token } = await codeTokens(t, c, user.id);
      const res = await postForm(
        t,
        { refresh_token },
        { path: REFRESH_PATH, auth: basic(c.clientId, c.clientSecret!) },
      );
      expect(res.status).toBe(200);
    });

    it('answers 400 invalid_grant (RFC 6749 §5.2) for a bad refresh token and 401 for a bad client', async () => {
      const c = await seedClient(t);
      expectOAuthError(
        await request(t.url)
          .post(REFRESH_PATH)
          .set('Authorization', basic(c.clientId, c.clientSecret!))
          .send({ refresh_token: 'rt_unknown' }),
        400,
        'invalid_grant',
      );
      expectOAuthError(
        await request(t.url)
          .post(REFRESH_PATH)
          .set('Authorization', basic(c.clientId, 'sec_wrong'))
          .send({ refresh_token: 'rt_unknown' }),
        401,
        'invalid_client',
      );
      expectOAuthError(
        await request(t.url)
          .post(REFRESH_PATH)
          .set('Authorization', basic(c.clientId, c.clientSecret!))
          .send({}),
        400,
        'invalid_request',
      );
      expectOAuthError(
        await request(t.url)
          .post(REFRESH_PATH)
          .set('Authorization', basic(c.clientId, c.clientSecret!))
          .send({ grant_type: 'client_credentials', refresh_token: 'rt_x' }),
        400,
        'invalid_request',
      );
    });
  });

  async function codeTokensPost(c: { clientId: string; clientSecret?: string }) {
    const code = await issueCode(t, { clientId: c.clientId, userId: user.id });
    const res = await postForm(t, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: 'https://app.example.com/callback',
      client_id: c.clientId,
      client_secret: c.clientSecret!,
    });
    return res.body as { refresh_token: string };
  }
});
