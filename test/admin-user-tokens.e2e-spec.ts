import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientAuditLogEntity } from '../src/audit/index.js';
import { adminToken, clientToken } from './helpers/admin.js';
import { seedClient } from './helpers/clients.js';
import { createTestApp, TEST_DB_TYPE, type TestApp } from './helpers/test-app.js';
import { basic, codeTokens, createUser, introspect } from './helpers/token-flow.js';

const PATH = '/api/v1/admin/oauth/tokens/user';

// Reference O42: an administrator revokes every token of one user (a leaving employee, a compromised
// account), at every client, at once; idempotent; one audit entry per client concerned.
describe(`DELETE /admin/oauth/tokens/user/{user_id} (O42) (${TEST_DB_TYPE})`, () => {
  let t: TestApp;
  let admin: string;
  let rsAuth: string;
  beforeAll(async () => {
    t = await createTestApp();
    admin = await adminToken(t);
    const rs = await seedClient(t, { introspectAnyToken: true });
    rsAuth = basic(rs.clientId, rs.clientSecret!);
  });
  afterAll(async () => {
    await t?.close();
  });

  const revoke = (userId: string, token?: string) => {
    const req = request(t.url).delete(`${PATH}/${encodeURIComponent(userId)}`);
    if (token) void req.set('Authorization', `Bearer ${token}`);
    return req;
  };

  it('revokes every access and refresh token of the user at every client, audited per client; a second call reports zero', async () => {
    const user = await createUser(t);
    const other = await createUser(t);
    const a = await seedClient(t);
    const b = await seedClient(t);
    const ta = await codeTokens(t, a, user.id);
    const tb = await codeTokens(t, b, user.id);
    const kept = await codeTokens(t, a, other.id);

    const res = await revoke(user.id, admin);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toMatchObject({
      code: 200,
      data: { revoked_access_tokens: 2, revoked_refresh_tokens: 2 },
    });
    for (const token of [ta.access_token, ta.refresh_token, tb.access_token, tb.refresh_token]) {
      expect((await introspect(t, token, rsAuth)).body).toEqual({ active: false });
    }
    expect((await introspect(t, kept.refresh_token, rsAuth)).body.active).toBe(true);

    const entries = await t.dataSource
      .getRepository(ClientAuditLogEntity)
      .find({ where: { operation: 'client.user_tokens_revoked' } });
    const mine = entries.filter((e) => [a.clientId, b.clientId].includes(e.clientId));
    expect(mine.map((e) => e.clientId).sort()).toEqual([a.clientId, b.clientId].sort());
    for (const e of mine) {
      expect(e.actorType).toBe('client');
      expect(JSON.stringify(e.changes)).toContain(user.id);
    }
    const text = JSON.stringify(entries) + JSON.stringify(res.body);
    for (const secret of [ta.access_token, ta.refresh_token, a.clientSecret!, admin]) {
      expect(text).not.toContain(secret);
    }

    const again = await revoke(user.id, admin);
    expect(again.status).toBe(200);
    expect(again.body.data).toEqual({ revoked_access_tokens: 0, revoked_refresh_tokens: 0 });
    const after = await t.dataSource
      .getRepository(ClientAuditLogEntity)
      .count({ where: { operation: 'client.user_tokens_revoked' } });
    expect(after).toBe(entries.length);
  });

  it('answers 401 without a valid token and 403 without the admin scope, in the SimpleResponse shape, revoking nothing', async () => {
    const user = await createUser(t);
    const c = await seedClient(t, {
      grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'],
      scope: 'openid profile offline_access',
    });
    const tokens = await codeTokens(t, c, user.id, ['openid', 'offline_access']);
    const ordinary = await clientToken(
      t,
      { clientId: c.clientId, clientSecret: c.clientSecret! },
      'profile',
    );
    for (const [token, status] of [
      [undefined, 401],
      ['not-a-jwt', 401],
      [tokens.access_token, 403],
      [ordinary, 403],
    ] as const) {
      const res = await revoke(user.id, token);
      expect(res.status).toBe(status);
      expect(res.body).toMatchObject({ code: status, message: expect.any(String) });
      expect(res.body.timestamp).toMatch(/Z$/);
    }
    expect((await introspect(t, tokens.refresh_token, rsAuth)).body.active).toBe(true);
  });

  it('answers 400 for a user_id that cannot be one, and 200 with zero counts for an unknown user', async () => {
    const res = await revoke('u'.repeat(192), admin);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 400 });
    const unknown = await revoke('usr_nobody', admin);
    expect(unknown.status).toBe(200);
    expect(unknown.body.data).toEqual({ revoked_access_tokens: 0, revoked_refresh_tokens: 0 });
  });
});
