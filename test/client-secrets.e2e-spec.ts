import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientSecretsService, ClientsService } from '../src/client-registration/index.js';
import { AccessTokenService, ClientUsageService } from '../src/token/index.js';
import { seedClient, type SeededClient } from './helpers/clients.js';
import { controlClock, type ControlledClock } from './helpers/clock.js';
import { expectOAuthError } from './helpers/oauth-assertions.js';
import { createTestApp, TEST_DB_TYPE, type TestApp } from './helpers/test-app.js';
import { basic, codeTokens, createUser, postForm } from './helpers/token-flow.js';

const CC = {
  grantTypes: ['client_credentials'],
  responseTypes: [],
  redirectUris: [],
  scope: 'profile',
};

// Secrets as a set (issue 8, reference O34–O38) at the token endpoint: rotation with a grace period on a
// controlled clock, a second secret, deactivation, deletion rules, and last_used_at.
describe(`client secrets at the token endpoint (${TEST_DB_TYPE})`, () => {
  let t: TestApp;
  let clock: ControlledClock;
  let secrets: ClientSecretsService;
  const GRACE = 600;

  beforeAll(async () => {
    t = await createTestApp({ env: { CLIENT_SECRET_ROTATION_GRACE: String(GRACE) } });
    clock = controlClock(t.app);
    secrets = t.app.get(ClientSecretsService);
  });
  afterAll(async () => {
    await t?.close();
  });

  const token = (c: { clientId: string }, secret: string) =>
    postForm(t, { grant_type: 'client_credentials' }, { auth: basic(c.clientId, secret) });
  const lastUsed = async (secretId: string): Promise<number | null> => {
    const rows: { last_used_at: string | number | null }[] = await t.dataSource.query(
      'SELECT last_used_at FROM client_secrets WHERE id = ?',
      [secretId],
    );
    return rows[0]?.last_used_at === null ? null : Number(rows[0]?.last_used_at);
  };

  it('keeps the old secret working for the grace period after a rotation, then refuses it', async () => {
    const c = await seedClient(t, CC);
    const { issued, change } = await secrets.rotate(c.clientId);
    expect(issued.value).toMatch(/^sec_/);
    expect(change.retired).toEqual([
      { secretId: expect.any(String) as string, expiresAt: clock.nowSeconds() + GRACE },
    ]);
    expect((await token(c, issued.value)).status).toBe(200);
    expect((await token(c, c.clientSecret!)).status).toBe(200);
    clock.advance(GRACE - 1);
    expect((await token(c, c.clientSecret!)).status).toBe(200);
    clock.advance(1);
    const res = await token(c, c.clientSecret!);
    expectOAuthError(res, 401, 'invalid_client');
    expect(res.body.error_description).toBe('Client authentication failed');
    expect((await token(c, issued.value)).status).toBe(200);
  });

  it('ends the grace of an earlier rotation at its own time when rotating again', async () => {
    const c = await seedClient(t, CC);
    const first = await secrets.rotate(c.clientId);
    clock.advance(100);
    const second = await secrets.rotate(c.clientId);
    // Three secrets authenticate now: the original and the first rotation's are in their grace.
    for (const s of [c.clientSecret!, first.issued.value, second.issued.value]) {
      expect((await token(c, s)).status).toBe(200);
    }
    clock.advance(GRACE - 100);
    expect((await token(c, c.clientSecret!)).status).toBe(401);
    expect((await token(c, first.issued.value)).status).toBe(200);
    clock.advance(100);
    expect((await token(c, first.issued.value)).status).toBe(401);
    expect((await token(c, second.issued.value)).status).toBe(200);
  });

  it('authenticates with either of two active secrets and refuses a third (≤ 2 active)', async () => {
    const c = await seedClient(t, CC);
    const { issued } = await secrets.create(c.clientId);
    expect((await token(c, c.clientSecret!)).status).toBe(200);
    expect((await token(c, issued.value)).status).toBe(200);
    await expect(secrets.create(c.clientId)).rejects.toMatchObject({ reason: 'too_many_active' });
    // A rotation leaves one active secret, so one more can be created.
    await secrets.rotate(c.clientId);
    await secrets.create(c.clientId);
    await expect(secrets.create(c.clientId)).rejects.toMatchObject({ reason: 'too_many_active' });
  });

  it('stops a deactivated secret at once; tokens issued with it stay valid', async () => {
    const c = await seedClient(t, CC);
    const res = await token(c, c.clientSecret!);
    expect(res.status).toBe(200);
    const [info] = await secrets.list(c.clientId);
    const { secret } = await secrets.deactivate(c.clientId, info.secretId);
    expect(secret).toMatchObject({ status: 'inactive', expiresAt: clock.nowSeconds() });
    expectOAuthError(await token(c, c.clientSecret!), 401, 'invalid_client');
    expect(
      await t.app.get(AccessTokenService).validate(res.body.access_token as string),
    ).not.toBeNull();
    // Deactivating twice changes nothing.
    const again = await secrets.deactivate(c.clientId, info.secretId);
    expect(again.secret.expiresAt).toBe(secret.expiresAt);
  });

  it('never deletes the last active secret, but deletes inactive ones and a second active one', async () => {
    const c = await seedClient(t, CC);
    const [only] = await secrets.list(c.clientId);
    await expect(secrets.delete(c.clientId, only.secretId)).rejects.toMatchObject({
      reason: 'last_active_secret',
    });
    const { issued } = await secrets.create(c.clientId);
    await secrets.delete(c.clientId, only.secretId);
    expectOAuthError(await token(c, c.clientSecret!), 401, 'invalid_client');
    expect((await token(c, issued.value)).status).toBe(200);
    const rotated = await secrets.rotate(c.clientId);
    // The rotated-out secret is inactive (in its grace period): it may go.
    await secrets.delete(c.clientId, issued.secretId);
    expectOAuthError(await token(c, issued.value), 401, 'invalid_client');
    expect((await secrets.list(c.clientId)).map((s) => s.secretId)).toEqual([
      rotated.issued.secretId,
    ]);
  });

  it('answers not found for another client’s secret, an unknown client and a public client', async () => {
    const a = await seedClient(t, CC);
    const b = await seedClient(t, CC);
    const [bs] = await secrets.list(b.clientId);
    await expect(secrets.deactivate(a.clientId, bs.secretId)).rejects.toMatchObject({
      reason: 'secret_not_found',
    });
    await expect(secrets.delete(a.clientId, bs.secretId)).rejects.toMatchObject({
      reason: 'secret_not_found',
    });
    expect((await token(b, b.clientSecret!)).status).toBe(200);
    await expect(secrets.rotate('01ARZ3NDEKTSV4RRFFQ69G5FAV')).rejects.toMatchObject({
      reason: 'client_not_found',
    });
    await expect(secrets.list('not-an-id')).rejects.toMatchObject({ reason: 'client_not_found' });
    const pub = await seedClient(t, { tokenEndpointAuthMethod: 'none' });
    await expect(secrets.rotate(pub.clientId)).rejects.toMatchObject({
      reason: 'not_confidential',
    });
    await expect(secrets.create(pub.clientId)).rejects.toMatchObject({
      reason: 'not_confidential',
    });
  });

  it('records last_used_at at most once a minute', async () => {
    const c = await seedClient(t, CC);
    const [s] = await secrets.list(c.clientId);
    expect(await lastUsed(s.secretId)).toBeNull();
    const first = clock.nowSeconds();
    expect((await token(c, c.clientSecret!)).status).toBe(200);
    expect(await lastUsed(s.secretId)).toBe(first);
    clock.advance(30);
    expect((await token(c, c.clientSecret!)).status).toBe(200);
    expect(await lastUsed(s.secretId)).toBe(first);
    clock.advance(31);
    expect((await token(c, c.clientSecret!)).status).toBe(200);
    expect(await lastUsed(s.secretId)).toBe(first + 61);
    // A failed authentication records nothing.
    clock.advance(120);
    expect((await token(c, 'sec_wrong')).status).toBe(401);
    expect(await lastUsed(s.secretId)).toBe(first + 61);
  });

  it('says "expired" for an active secret past client_secret_expires_at, and a rotation renews it', async () => {
    const c = await seedClient(t, { ...CC, clientSecretExpiresAt: clock.nowSeconds() - 1 });
    const res = await token(c, c.clientSecret!);
    expectOAuthError(res, 401, 'invalid_client');
    expect(res.body.error_description).toBe('The client secret has expired');
    const { issued } = await secrets.rotate(c.clientId);
    expect((await token(c, issued.value)).status).toBe(200);
    // The expired secret gets no grace period from the rotation.
    expectOAuthError(await token(c, c.clientSecret!), 401, 'invalid_client');
  });

  it('checks a secret against one query for the client and its secrets', async () => {
    const c = await seedClient(t, CC);
    await secrets.create(c.clientId);
    const clients = t.app.get(ClientsService);
    const queries: string[] = [];
    const logger = t.dataSource.logger;
    const logQuery = logger.logQuery.bind(logger);
    logger.logQuery = (q: string, ...rest) => {
      queries.push(q);
      return logQuery(q, ...rest);
    };
    const before = t.dataSource.options.logging;
    Object.assign(t.dataSource.options, { logging: ['query'] });
    try {
      expect(await clients.checkSecret(c.clientId, 'sec_wrong')).toBe('invalid');
    } finally {
      Object.assign(t.dataSource.options, { logging: before });
      logger.logQuery = logQuery;
    }
    expect(queries.filter((q) => /^SELECT/i.test(q))).toHaveLength(1);
  });
});

// Usage of a client's tokens (reference O39–O41) through the service: counts, active tokens, revocation.
describe(`client token usage (${TEST_DB_TYPE})`, () => {
  let t: TestApp;
  let clock: ControlledClock;
  let usage: ClientUsageService;
  let c: SeededClient;

  beforeAll(async () => {
    t = await createTestApp();
    clock = controlClock(t.app);
    usage = t.app.get(ClientUsageService);
    c = await seedClient(t, {
      grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'],
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('counts active tokens and tokens issued by the hour, and lists them without values', async () => {
    const empty = await usage.stats(c.clientId);
    expect(empty).toEqual({
      clientId: c.clientId,
      activeAccessTokens: 0,
      activeRefreshTokens: 0,
      lastRequestAt: null,
      issuedLast24h: 0,
      issuedLast30d: 0,
    });
    const user = await createUser(t);
    const code = await codeTokens(t, c, user.id);
    const cc = await postForm(
      t,
      { grant_type: 'client_credentials', scope: 'profile' },
      { auth: basic(c.clientId, c.clientSecret!) },
    );
    expect(cc.status).toBe(200);
    const s = await usage.stats(c.clientId);
    expect(s).toMatchObject({
      activeAccessTokens: 2,
      activeRefreshTokens: 1,
      lastRequestAt: clock.nowSeconds(),
      issuedLast24h: 2,
      issuedLast30d: 2,
    });
    const list = await usage.activeTokens(c.clientId, 1, 20);
    expect(list.total).toBe(3);
    expect(list.items.map((i) => i.tokenType).sort()).toEqual([
      'access_token',
      'access_token',
      'refresh_token',
    ]);
    expect(list.items.find((i) => i.userId === null)?.scopes).toEqual(['profile']);
    const dump = JSON.stringify(list);
    for (const v of [code.access_token, code.refresh_token, cc.body.access_token as string]) {
      expect(dump).not.toContain(v);
    }
    const page2 = await usage.activeTokens(c.clientId, 2, 2);
    expect(page2.items).toHaveLength(1);
    expect(page2.total).toBe(3);

    // A day later: still within 30 days, no longer within 24 hours; the tokens have expired.
    clock.advance(25 * 3600);
    expect(await usage.stats(c.clientId)).toMatchObject({
      activeAccessTokens: 0,
      issuedLast24h: 0,
      issuedLast30d: 2,
    });
    clock.advance(30 * 24 * 3600);
    expect(await usage.stats(c.clientId)).toMatchObject({
      lastRequestAt: null,
      issuedLast30d: 0,
    });
  });
});
