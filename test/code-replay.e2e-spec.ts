import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedClient, type SeededClient } from './helpers/clients.js';
import { expectOAuthError } from './helpers/oauth-assertions.js';
import { createTestApp, TEST_DB_TYPE, type TestApp } from './helpers/test-app.js';
import {
  basic,
  createUser,
  introspect,
  issueCode,
  pkce,
  postForm,
  type User,
} from './helpers/token-flow.js';

const REDIRECT = 'https://app.example.com/callback';

/**
 * Issue 7 item 6: a replayed authorization code revokes its grant (RFC 6749 §4.1.2), but only when the
 * replay comes from the client the code was issued to, authenticated first (RFC 6749 §4.1.3). Anyone else
 * holding a leaked, used code — another client, or a public client's id without the PKCE verifier — gets
 * `invalid_grant` and the victim's tokens stay valid.
 */
describe(`authorization code replay by another party (${TEST_DB_TYPE})`, () => {
  let t: TestApp;
  let user: User;
  /** A confidential client used only to introspect the victims' tokens. */
  let observer: SeededClient;

  beforeAll(async () => {
    t = await createTestApp();
    user = await createUser(t);
    observer = await seedClient(t, { introspectAnyToken: true });
  });
  afterAll(async () => {
    await t?.close();
  });

  const active = async (token: string) =>
    (await introspect(t, token, basic(observer.clientId, observer.clientSecret!))).body as {
      active: boolean;
    };

  /** A public (PKCE) victim that has redeemed its code: returns the code and the tokens it got. */
  async function redeemedPublicCode(victimId: string) {
    const { verifier, challenge } = pkce();
    const code = await issueCode(t, {
      clientId: victimId,
      userId: user.id,
      codeChallenge: challenge,
      codeChallengeMethod: 'S256',
    });
    const first = await postForm(t, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
      client_id: victimId,
      code_verifier: verifier,
    });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    return {
      code,
      verifier,
      tokens: first.body as { access_token: string; refresh_token: string },
    };
  }

  it('an anonymously registered public client replaying a leaked used code does not revoke the grant', async () => {
    const victim = await seedClient(t, {
      tokenEndpointAuthMethod: 'none',
      applicationType: 'native',
    });
    const { code, tokens } = await redeemedPublicCode(victim.clientId);

    // The attacker registers without any credential (open registration), as a public client.
    const reg = await request(t.url)
      .post('/api/v1/oauth/register')
      .send({
        client_name: 'attacker',
        redirect_uris: [REDIRECT],
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code'],
        response_types: ['code'],
      });
    expect(reg.status, JSON.stringify(reg.body)).toBe(201);
    const attackerId = (reg.body as { data: { client_id: string } }).data.client_id;

    const replay = await postForm(t, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
      client_id: attackerId,
      code_verifier: pkce().verifier,
    });
    expectOAuthError(replay, 400, 'invalid_grant');
    expect(replay.body.error_description).not.toMatch(/already been used/);
    expect(await active(tokens.access_token)).toMatchObject({ active: true });
    expect(await active(tokens.refresh_token)).toMatchObject({ active: true });
  });

  it("a replay under the public victim's own client_id without its PKCE verifier does not revoke", async () => {
    const victim = await seedClient(t, {
      tokenEndpointAuthMethod: 'none',
      applicationType: 'native',
    });
    const { code, tokens } = await redeemedPublicCode(victim.clientId);
    for (const code_verifier of [undefined, pkce().verifier]) {
      const form: Record<string, string> = {
        grant_type: 'authorization_code',
        code,
        redirect_uri: REDIRECT,
        client_id: victim.clientId,
      };
      if (code_verifier) form.code_verifier = code_verifier;
      expectOAuthError(await postForm(t, form), 400, 'invalid_grant');
    }
    expect(await active(tokens.refresh_token)).toMatchObject({ active: true });
  });

  it('a confidential client replaying another client’s used code, or the owner with a wrong secret, revokes nothing', async () => {
    const victim = await seedClient(t);
    const thief = await seedClient(t);
    const code = await issueCode(t, { clientId: victim.clientId, userId: user.id });
    const form = { grant_type: 'authorization_code', code, redirect_uri: REDIRECT };
    const first = await postForm(t, form, { auth: basic(victim.clientId, victim.clientSecret!) });
    expect(first.status).toBe(200);

    expectOAuthError(
      await postForm(t, form, { auth: basic(thief.clientId, thief.clientSecret!) }),
      400,
      'invalid_grant',
    );
    expectOAuthError(
      await postForm(t, form, { auth: basic(victim.clientId, 'sec_wrong') }),
      401,
      'invalid_client',
    );
    expect(await active(first.body.refresh_token)).toMatchObject({ active: true });
  });

  it('the owner replaying its own used code (with its verifier) still revokes the grant (RFC 6749 §4.1.2)', async () => {
    const victim = await seedClient(t, {
      tokenEndpointAuthMethod: 'none',
      applicationType: 'native',
    });
    const { code, verifier, tokens } = await redeemedPublicCode(victim.clientId);
    const replay = await postForm(t, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
      client_id: victim.clientId,
      code_verifier: verifier,
    });
    expectOAuthError(replay, 400, 'invalid_grant');
    expect(replay.body.error_description).toMatch(/already been used/);
    expect(await active(tokens.access_token)).toEqual({ active: false });
    expect(await active(tokens.refresh_token)).toEqual({ active: false });
  });
});
