import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedClient, type SeededClient } from './helpers/clients.js';
import { authorize, createUser } from './helpers/login-flow.js';
import { expectOAuthError } from './helpers/oauth-assertions.js';
import { createTestApp, TEST_DB_TYPE, type TestApp } from './helpers/test-app.js';
import { basic, pkce, postForm } from './helpers/token-flow.js';

const REDIRECT = 'https://app.example.com/callback';
const MCP = 'https://mcp.example.com/mcp';

// RFC 8707 through the real authorization endpoint: resources named in the authorization request bind
// the code, as MCP clients rely on (they send `resource` to both endpoints and check `aud`).
describe(`RFC 8707 resource indicators at /oauth/authorize (${TEST_DB_TYPE})`, () => {
  let t: TestApp;
  let user: { username: string; password: string };
  let client: SeededClient;

  beforeAll(async () => {
    t = await createTestApp();
    user = await createUser(t);
    client = await seedClient(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  async function codeFor(extra: Record<string, string>) {
    const { verifier, challenge } = pkce();
    const flow = await authorize(
      t,
      {
        response_type: 'code',
        client_id: client.clientId,
        redirect_uri: REDIRECT,
        // offline_access: the refreshes below need a refresh token (OIDC Core §11).
        scope: 'openid offline_access',
        state: 'st',
        code_challenge: challenge,
        code_challenge_method: 'S256',
        ...extra,
      },
      user,
    );
    return { flow, verifier };
  }

  const exchange = (code: string, verifier: string, resource?: string) =>
    postForm(
      t,
      {
        grant_type: 'authorization_code',
        code,
        redirect_uri: REDIRECT,
        code_verifier: verifier,
        ...(resource ? { resource } : {}),
      },
      { auth: basic(client.clientId, client.clientSecret!) },
    );

  it('binds the code to the requested resource: aud without repeating it at the token endpoint', async () => {
    const { flow, verifier } = await codeFor({ resource: MCP });
    expect(flow.error, flow.errorDescription).toBeUndefined();
    const res = await exchange(flow.code!, verifier);
    expect(res.status).toBe(200);
    expect(decodeJwt(res.body.access_token as string).aud).toBe(MCP);

    // The refresh keeps the audience of the grant.
    const refreshed = await postForm(
      t,
      { grant_type: 'refresh_token', refresh_token: res.body.refresh_token as string },
      { auth: basic(client.clientId, client.clientSecret!) },
    );
    expect(refreshed.status).toBe(200);
    expect(decodeJwt(refreshed.body.access_token as string).aud).toBe(MCP);
  });

  it('accepts the same resource at the token endpoint, as MCP clients send it', async () => {
    const { flow, verifier } = await codeFor({ resource: MCP });
    const res = await exchange(flow.code!, verifier, MCP);
    expect(res.status).toBe(200);
    expect(decodeJwt(res.body.access_token as string).aud).toBe(MCP);
  });

  it('refuses another resource at the token endpoint with invalid_target, without burning the code', async () => {
    const { flow, verifier } = await codeFor({ resource: MCP });
    expectOAuthError(
      await exchange(flow.code!, verifier, 'https://other.example.com/'),
      400,
      'invalid_target',
    );
    const ok = await exchange(flow.code!, verifier, MCP);
    expect(ok.status).toBe(200);
  });

  it('redirects an invalid resource back to the client as invalid_target with state and iss', async () => {
    const { flow } = await codeFor({ resource: 'https://mcp.example.com/#fragment' });
    expect(flow.code).toBeUndefined();
    expect(flow.error).toBe('invalid_target');
    expect(flow.state).toBe('st');
    expect(flow.iss).toBe(t.url);
  });

  it('without a resource in the authorization request, the token endpoint alone sets aud', async () => {
    const { flow, verifier } = await codeFor({});
    const plain = await exchange(flow.code!, verifier);
    expect(decodeJwt(plain.body.access_token as string).aud).toBe(t.url);
    const again = await codeFor({});
    const res = await exchange(again.flow.code!, again.verifier, MCP);
    expect(res.status).toBe(200);
    expect(decodeJwt(res.body.access_token as string).aud).toBe(MCP);
  });
});
