import { PassThrough, Readable } from 'node:stream';
import { decodeJwt } from 'jose';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runClientResources } from '../src/cli/index.js';
import { ClientEntity } from '../src/client-registration/entities/client.entity.js';
import { tokenOptionsFrom } from '../src/app.module.js';
import { loadConfig } from '../src/config/index.js';
import { resolveTokenSettings, ResourceIndicatorPolicy } from '../src/token/index.js';
import { seedClient } from './helpers/clients.js';
import { authorize, createUser } from './helpers/login-flow.js';
import { expectOAuthError } from './helpers/oauth-assertions.js';
import { createTestApp, TEST_DB_TYPE, type TestApp } from './helpers/test-app.js';
import { basic, pkce, postForm } from './helpers/token-flow.js';

const REDIRECT = 'https://app.example.com/callback';
const ALLOWED = 'https://api.example.com/ https://mcp.example.com/mcp';

/** Runs `npm run client:resources` in-process against the app's database; returns code and stdout. */
async function clientResources(t: TestApp, argv: string[]) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  const code = await runClientResources(argv, {
    env: { ...t.env, LOG_LEVEL: 'error' },
    stdin: Readable.from(['']),
    stdout,
    stderr,
  });
  return { code, stdout: out, stderr: err };
}

/**
 * Issue 7 item 5: RFC 8707 `resource` becomes the token's `aud`, so without an allow-list any client —
 * also one registered anonymously a second earlier — could obtain tokens for any resource server.
 * `RESOURCE_INDICATORS_ALLOWED` and the operator-set allowed resources of a client limit it, with
 * `invalid_target` at the authorization endpoint and at the token endpoint (every grant).
 */
describe(`resource indicator allow-list (${TEST_DB_TYPE})`, () => {
  let t: TestApp;
  let anonymous: { id: string; secret: string };

  beforeAll(async () => {
    t = await createTestApp({ env: { RESOURCE_INDICATORS_ALLOWED: ALLOWED } });
    // An attacker with nothing but open registration.
    const reg = await request(t.url)
      .post('/api/v1/oauth/register')
      .send({
        client_name: 'anonymous',
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        scope: 'profile',
        // Unknown metadata is ignored: a client cannot grant itself resources.
        allowed_resources: ['https://evil.example/'],
      });
    expect(reg.status, JSON.stringify(reg.body)).toBe(201);
    const data = (reg.body as { data: { client_id: string; client_secret: string } }).data;
    anonymous = { id: data.client_id, secret: data.client_secret };
  });
  afterAll(async () => {
    await t?.close();
  });

  const clientCredentials = (c: { id: string; secret: string }, resource: string | string[]) =>
    postForm(t, { grant_type: 'client_credentials', resource }, { auth: basic(c.id, c.secret) });

  it('refuses client_credentials for a resource outside RESOURCE_INDICATORS_ALLOWED (anonymous client)', async () => {
    for (const resource of [
      'https://evil.example/',
      'https://api.example.com', // the prefix needs the path: exact entries are exact
      'https://api.example.com.evil.example/',
      'https://mcp.example.com/mcp2',
      'https://api.example.com/public/../admin',
      'https://api.example.com/public/%2E%2E/admin',
      ['https://api.example.com/v1', 'https://evil.example/'],
    ]) {
      const res = await clientCredentials(anonymous, resource);
      expectOAuthError(res, 400, 'invalid_target');
    }
  });

  it('issues tokens for listed resources: exact URIs and prefixes ending in /', async () => {
    for (const resource of ['https://mcp.example.com/mcp', 'https://api.example.com/v1/orders']) {
      const res = await clientCredentials(anonymous, resource);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(decodeJwt(res.body.access_token as string).aud).toBe(resource);
    }
    // No resource at all keeps working (aud = the issuer).
    const plain = await postForm(
      t,
      { grant_type: 'client_credentials' },
      { auth: basic(anonymous.id, anonymous.secret) },
    );
    expect(plain.status).toBe(200);
  });

  it('redirects a disallowed resource at /oauth/authorize as invalid_target, before any login', async () => {
    const client = await seedClient(t);
    const flow = await authorize(
      t,
      {
        response_type: 'code',
        client_id: client.clientId,
        redirect_uri: REDIRECT,
        scope: 'openid',
        state: 'st',
        code_challenge: pkce().challenge,
        code_challenge_method: 'S256',
        resource: 'https://evil.example/',
      },
      null,
    );
    expect(flow.error).toBe('invalid_target');
    expect(flow.state).toBe('st');
    expect(flow.code).toBeUndefined();
    expect(flow.pages).toEqual([]);
  });

  it('lets the operator set, narrow and clear one client’s resources (npm run client:resources)', async () => {
    const internal = 'https://internal.example.com/';
    const c = await seedClient(t, {
      grantTypes: ['client_credentials'],
      responseTypes: [],
      redirectUris: [],
      scope: 'profile',
    });
    const creds = { id: c.clientId, secret: c.clientSecret! };
    expectOAuthError(await clientCredentials(creds, `${internal}x`), 400, 'invalid_target');

    // A client's own list replaces the server-wide one for that client.
    const set = await clientResources(t, [c.clientId, '--allow', internal]);
    expect(set).toMatchObject({ code: 0, stdout: `${internal}\n` });
    expect((await clientCredentials(creds, `${internal}x`)).status).toBe(200);
    expectOAuthError(
      await clientCredentials(creds, 'https://api.example.com/v1'),
      400,
      'invalid_target',
    );
    // Other clients are not affected.
    expectOAuthError(await clientCredentials(anonymous, `${internal}x`), 400, 'invalid_target');

    expect(await clientResources(t, [c.clientId, '--none'])).toMatchObject({ code: 0, stdout: '' });
    expectOAuthError(await clientCredentials(creds, `${internal}x`), 400, 'invalid_target');

    const cleared = await clientResources(t, [c.clientId, '--clear']);
    expect(cleared).toMatchObject({ code: 0, stdout: '(RESOURCE_INDICATORS_ALLOWED)\n' });
    expect((await clientCredentials(creds, 'https://api.example.com/v1')).status).toBe(200);

    const bad = await clientResources(t, [c.clientId, '--allow', 'not a uri']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/not an absolute URI/);
    expect((await clientResources(t, ['01ARZ3NDEKTSV4RRFFQ69G5FAV', '--none'])).code).toBe(1);
    expect((await clientResources(t, [c.clientId, '--none', '--clear'])).code).toBe(2);
  });

  it('keeps the operator’s list across a registration PUT (a server-managed field)', async () => {
    const reg = await request(t.url)
      .post('/api/v1/oauth/register')
      .send({ redirect_uris: [REDIRECT], client_name: 'put me' });
    const { client_id, registration_access_token } = (
      reg.body as { data: { client_id: string; registration_access_token: string } }
    ).data;
    const clients = t.dataSource.getRepository(ClientEntity);
    const before = (await clients.findOneByOrFail({ id: client_id })).version;
    expect(
      (await clientResources(t, [client_id, '--allow', 'https://internal.example.com/'])).code,
    ).toBe(0);
    // Not a registration update: the version a concurrent PUT is conditional on does not move.
    expect((await clients.findOneByOrFail({ id: client_id })).version).toBe(before);
    const put = await request(t.url)
      .put(`/api/v1/oauth/register/${client_id}`)
      .auth(registration_access_token, { type: 'bearer' })
      .send({ redirect_uris: [REDIRECT], client_name: 'renamed', allowed_resources: null });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const row = await clients.findOneByOrFail({ id: client_id });
    expect(row.allowedResources).toEqual(['https://internal.example.com/']);
    expect(row.clientName).toBe('renamed');
  });

  it('refuses a refresh whose grant carries a resource the client may no longer request', async () => {
    const user = await createUser(t);
    const client = await seedClient(t);
    const { verifier, challenge } = pkce();
    const flow = await authorize(
      t,
      {
        response_type: 'code',
        client_id: client.clientId,
        redirect_uri: REDIRECT,
        // offline_access: the refresh token this test needs (OIDC Core §11).
        scope: 'openid offline_access',
        state: 'st',
        code_challenge: challenge,
        code_challenge_method: 'S256',
        resource: 'https://mcp.example.com/mcp',
      },
      user,
    );
    expect(flow.error, flow.errorDescription).toBeUndefined();
    const auth = basic(client.clientId, client.clientSecret!);
    const tokens = await postForm(
      t,
      {
        grant_type: 'authorization_code',
        code: flow.code!,
        redirect_uri: REDIRECT,
        code_verifier: verifier,
      },
      { auth },
    );
    expect(tokens.status, JSON.stringify(tokens.body)).toBe(200);
    expect(decodeJwt(tokens.body.access_token as string).aud).toBe('https://mcp.example.com/mcp');

    expect(
      (await clientResources(t, [client.clientId, '--allow', 'https://api.example.com/'])).code,
    ).toBe(0);
    const refresh = await postForm(
      t,
      { grant_type: 'refresh_token', refresh_token: tokens.body.refresh_token as string },
      { auth },
    );
    expectOAuthError(refresh, 400, 'invalid_target');
  });
});

describe('RESOURCE_INDICATORS_ALLOWED setting', () => {
  it('refuses an entry that is not an absolute URI without a fragment', () => {
    expect(() =>
      loadConfig({ RESOURCE_INDICATORS_ALLOWED: 'https://ok.example/ /relative' }),
    ).toThrow(/RESOURCE_INDICATORS_ALLOWED/);
    expect(() => loadConfig({ RESOURCE_INDICATORS_ALLOWED: 'https://a.example/#x' })).toThrow(
      /RESOURCE_INDICATORS_ALLOWED/,
    );
    expect(loadConfig({ RESOURCE_INDICATORS_ALLOWED: ALLOWED }).resourceIndicatorsAllowed).toEqual([
      'https://api.example.com/',
      'https://mcp.example.com/mcp',
    ]);
    expect(loadConfig({}).resourceIndicatorsAllowed).toBeNull();
  });

  it('warns at start-up in production when unset (any resource is accepted then)', () => {
    const warning = (env: Record<string, string>) =>
      new ResourceIndicatorPolicy(
        resolveTokenSettings(tokenOptionsFrom(loadConfig(env))),
      ).startupWarning();
    const key = Buffer.alloc(32, 1).toString('base64');
    const ISSUER = 'https://as.example.com';
    expect(warning({ NODE_ENV: 'production', ISSUER, KEYS_ENCRYPTION_KEY: key })).toMatch(
      /RESOURCE_INDICATORS_ALLOWED is not set/,
    );
    expect(
      warning({
        NODE_ENV: 'production',
        ISSUER,
        KEYS_ENCRYPTION_KEY: key,
        RESOURCE_INDICATORS_ALLOWED: ALLOWED,
      }),
    ).toBeNull();
    expect(warning({ NODE_ENV: 'development' })).toBeNull();
  });
});
