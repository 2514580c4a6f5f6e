import { PassThrough, Readable } from 'node:stream';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runClientCreate } from '../src/cli/index.js';
import { sha256Hex } from '../src/common/crypto/tokens.js';
import { RefreshTokenEntity } from '../src/token/entities/refresh-token.entity.js';
import { seedClient, type SeededClient } from './helpers/clients.js';
import { expectOAuthError } from './helpers/oauth-assertions.js';
import { createTestApp, TEST_DB_TYPE, type TestApp } from './helpers/test-app.js';
import {
  basic,
  codeTokens,
  createUser,
  introspect,
  postForm,
  type User,
} from './helpers/token-flow.js';

// Issue 7 item 4 (RFC 7662 §4): with open registration "any authenticated client" is anyone. A client
// may introspect only the tokens issued to itself, unless an operator granted it the introspection right
// (a resource server); everything else is {"active": false}, and asking changes nothing.
describe(`introspection is limited to the caller's own tokens (RFC 7662 §4) (${TEST_DB_TYPE})`, () => {
  let t: TestApp;
  let user: User;
  let victim: SeededClient;
  let resourceServer: SeededClient;

  /** An anonymous client, registered through the open RFC 7591 endpoint like any attacker would. */
  const registerAnonymous = async () => {
    const res = await request(t.url)
      .post('/connect/register')
      .send({
        client_name: 'Curious',
        redirect_uris: ['https://curious.example.com/cb'],
        grant_types: ['client_credentials'],
        response_types: [],
        scope: 'profile',
      });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return basic(res.body.client_id as string, res.body.client_secret as string);
  };

  beforeAll(async () => {
    t = await createTestApp({ env: { REGISTRATION_RATE_LIMIT: '0' } });
    user = await createUser(t);
    victim = await seedClient(t);
    resourceServer = await seedClient(t, {
      grantTypes: ['client_credentials'],
      responseTypes: [],
      redirectUris: [],
      introspectAnyToken: true,
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it("an anonymous registered client learns nothing about another client's refresh token, and triggers nothing", async () => {
    const attacker = await registerAnonymous();
    const stolen = await codeTokens(t, victim, user.id);
    const before = await t.dataSource
      .getRepository(RefreshTokenEntity)
      .findOneByOrFail({ tokenHash: sha256Hex(stolen.refresh_token) });

    for (const hint of [undefined, 'refresh_token', 'access_token']) {
      const res = await postForm(
        t,
        { token: stolen.refresh_token, ...(hint ? { token_type_hint: hint } : {}) },
        { path: '/api/v1/oauth/introspect', auth: attacker },
      );
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ active: false });
    }
    expect((await introspect(t, stolen.access_token, attacker)).body).toEqual({ active: false });

    // Nothing was revoked or rotated: the victim's grant goes on as if nobody had asked.
    const after = await t.dataSource
      .getRepository(RefreshTokenEntity)
      .findOneByOrFail({ id: before.id });
    expect(after).toEqual(before);
    const victimAuth = basic(victim.clientId, victim.clientSecret!);
    expect((await introspect(t, stolen.refresh_token, victimAuth)).body).toMatchObject({
      active: true,
      client_id: victim.clientId,
      sub: user.id,
    });
    const refreshed = await postForm(
      t,
      { grant_type: 'refresh_token', refresh_token: stolen.refresh_token },
      { auth: victimAuth },
    );
    expect(refreshed.status).toBe(200);
  });

  it('a client introspects its own access and refresh tokens', async () => {
    const own = await seedClient(t);
    const tokens = await codeTokens(t, own, user.id);
    const auth = basic(own.clientId, own.clientSecret!);
    for (const token of [tokens.access_token, tokens.refresh_token]) {
      expect((await introspect(t, token, auth)).body).toMatchObject({
        active: true,
        client_id: own.clientId,
        sub: user.id,
        username: user.username,
      });
    }
  });

  it("a client with the operator's introspection right (a resource server) sees every client's tokens", async () => {
    const tokens = await codeTokens(t, victim, user.id);
    const auth = basic(resourceServer.clientId, resourceServer.clientSecret!);
    for (const token of [tokens.access_token, tokens.refresh_token]) {
      expect((await introspect(t, token, auth)).body).toMatchObject({
        active: true,
        client_id: victim.clientId,
      });
    }
  });

  it('npm run client:create -- --introspect grants the right; without the flag the client sees only its own tokens', async () => {
    const create = async (argv: string[]) => {
      const stdout = new PassThrough();
      let out = '';
      stdout.on('data', (c: Buffer) => (out += c.toString()));
      const code = await runClientCreate(argv, {
        env: t.env,
        stdin: Readable.from(['']),
        stdout,
        stderr: new PassThrough(),
      });
      expect(code).toBe(0);
      const { client_id, client_secret } = JSON.parse(out) as Record<string, string>;
      return basic(client_id, client_secret);
    };
    const tokens = await codeTokens(t, victim, user.id);
    const rs = await create(['--name', 'Resource server', '--introspect']);
    const plain = await create(['--name', 'Plain service']);
    expect((await introspect(t, tokens.access_token, rs)).body).toMatchObject({
      active: true,
      client_id: victim.clientId,
    });
    expect((await introspect(t, tokens.access_token, plain)).body).toEqual({ active: false });
  });

  it('registration cannot grant the introspection right to itself', async () => {
    const res = await request(t.url)
      .post('/connect/register')
      .send({
        redirect_uris: ['https://x.example.com/cb'],
        grant_types: ['client_credentials'],
        response_types: [],
        introspect_any_token: true,
        introspectAnyToken: true,
      });
    expect(res.status).toBe(201);
    const tokens = await codeTokens(t, victim, user.id);
    const auth = basic(res.body.client_id as string, res.body.client_secret as string);
    expect((await introspect(t, tokens.access_token, auth)).body).toEqual({ active: false });
  });
});

describe(`introspection rate limit (${TEST_DB_TYPE})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      env: { INTROSPECT_RATE_LIMIT: '3', INTROSPECT_RATE_WINDOW: '3600' },
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers 429 rate_limit_exceeded with Retry-After beyond INTROSPECT_RATE_LIMIT per client and IP', async () => {
    const c = await seedClient(t);
    const other = await seedClient(t);
    const auth = basic(c.clientId, c.clientSecret!);
    for (let i = 0; i < 3; i++) {
      expect((await introspect(t, 'rt_probe', auth)).status).toBe(200);
    }
    const refused = await introspect(t, 'rt_probe', auth);
    expectOAuthError(refused, 429, 'rate_limit_exceeded');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    // Counted per client: another client at the same address has its own budget.
    expect(
      (await introspect(t, 'rt_probe', basic(other.clientId, other.clientSecret!))).status,
    ).toBe(200);
  });
});
