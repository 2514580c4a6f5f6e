import { EventEmitter2 } from '@nestjs/event-emitter';
import request from 'supertest';
import type { Response } from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientAuditEvent } from '../src/audit/index.js';
import { expectSimpleError } from './helpers/oauth-assertions.js';
import { ADMIN_CLIENTS, adminToken, clientToken } from './helpers/admin.js';
import { seedClient } from './helpers/clients.js';
import { controlClock, type ControlledClock } from './helpers/clock.js';
import { createTestApp, TEST_DB_TYPE, type TestApp } from './helpers/test-app.js';
import { testLogger } from './helpers/test-logger.js';
import { basic, codeTokens, createUser, introspect, postForm } from './helpers/token-flow.js';

const UNAUTHENTICATED = 'Unauthenticated: provide a valid Bearer Token';
const FORBIDDEN = 'Insufficient permissions: administrator role required';
const NOT_FOUND = 'Client not found or does not belong to the current tenant';
const UNKNOWN_ID = '01ARZ3NDEKTSV4RRFFQ69G5FAV';
const GRACE = 900;

/** A SimpleResponse error with the reference's text. */
function expectAdminError(res: Response, status: number, message: string | RegExp): void {
  expectSimpleError(res, status, { message });
}

const CC = {
  grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'],
  scope: 'openid profile email offline_access',
};

// The reference's O34–O41 over HTTP (issue 8): every endpoint, every error path, the secret rules, the
// grace period on a controlled clock, audit rows and events, and no secret value anywhere.
describe(`admin API: client secrets and usage (${TEST_DB_TYPE})`, () => {
  let t: TestApp;
  let clock: ControlledClock;
  let admin: string;
  const events: ClientAuditEvent[] = [];

  beforeAll(async () => {
    t = await createTestApp({
      env: { CLIENT_SECRET_ROTATION_GRACE: String(GRACE), LOG_LEVEL: 'info' },
    });
    clock = controlClock(t.app);
    admin = await adminToken(t);
    t.app.get(EventEmitter2).onAny((_name: string | string[], e: unknown) => {
      if (e instanceof ClientAuditEvent) events.push(e);
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  const call = (method: 'get' | 'post' | 'put' | 'delete', path: string, token = admin) =>
    request(t.url)[method](`${ADMIN_CLIENTS}${path}`).set('Authorization', `Bearer ${token}`);
  const token = (c: { clientId: string }, secret: string) =>
    postForm(
      t,
      { grant_type: 'client_credentials', scope: 'profile' },
      { auth: basic(c.clientId, secret) },
    );
  const auditRows = async (clientId: string): Promise<Record<string, unknown>[]> =>
    t.dataSource.query('SELECT * FROM client_audit_logs WHERE client_id = ? ORDER BY id', [
      clientId,
    ]);
  const endpoints = (clientId: string, secretId = UNKNOWN_ID) =>
    [
      ['post', `/${clientId}/rotate-secret`],
      ['get', `/${clientId}/secrets`],
      ['post', `/${clientId}/secrets`],
      ['delete', `/${clientId}/secrets/${secretId}`],
      ['put', `/${clientId}/secrets/${secretId}/deactivate`],
      ['get', `/${clientId}/stats`],
      ['get', `/${clientId}/tokens`],
      ['delete', `/${clientId}/tokens`],
    ] as const;

  it('answers 401 without a valid token and 403 without the admin right, on every endpoint', async () => {
    const c = await seedClient(t, CC);
    const ordinary = await clientToken(
      t,
      { clientId: c.clientId, clientSecret: c.clientSecret! },
      'profile',
    );
    for (const [method, path] of endpoints(c.clientId)) {
      const none = await request(t.url)[method](`${ADMIN_CLIENTS}${path}`);
      expectAdminError(none, 401, UNAUTHENTICATED);
      expectAdminError(await call(method, path, 'not-a-token'), 401, UNAUTHENTICATED);
      expectAdminError(await call(method, path, ordinary), 403, FORBIDDEN);
    }
    // Nothing was changed by the refused calls.
    expect((await token(c, c.clientSecret!)).status).toBe(200);
    expect(await auditRows(c.clientId)).toEqual([]);
  });

  it('answers 404 for an unknown or deleted client on every endpoint', async () => {
    const deleted = await seedClient(t, { ...CC, deletedAt: new Date() });
    for (const id of [UNKNOWN_ID, 'not-a-client-id', deleted.clientId]) {
      for (const [method, path] of endpoints(id)) {
        expectAdminError(await call(method, path), 404, NOT_FOUND);
      }
    }
  });

  it('rotates: the new secret once, the old one until the end of the grace period, audited', async () => {
    const c = await seedClient(t, CC);
    events.length = 0;
    const res = await call('post', `/${c.clientId}/rotate-secret`).expect(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const d = res.body.data as Record<string, string>;
    expect(Object.keys(res.body).sort()).toEqual(['code', 'data', 'message', 'timestamp']);
    expect(d).toMatchObject({ client_id: c.clientId, rotated_at: expect.stringMatching(/Z$/) });
    expect(d.new_secret).toMatch(/^sec_/);
    expect(d.previous_secret_expires_at).toBe(
      new Date((clock.nowSeconds() + GRACE) * 1000).toISOString().replace('.000', ''),
    );
    expect((await token(c, d.new_secret)).status).toBe(200);
    expect((await token(c, c.clientSecret!)).status).toBe(200);
    clock.advance(GRACE);
    expect((await token(c, c.clientSecret!)).status).toBe(401);
    expect((await token(c, d.new_secret)).status).toBe(200);

    const rows = await auditRows(c.clientId);
    expect(rows.map((r) => r.operation)).toEqual(['client.secret_rotated']);
    expect(rows[0]).toMatchObject({ actor_type: 'client' });
    expect(events.map((e) => [e.operation, e.clientId])).toEqual([
      ['client.secret_rotated', c.clientId],
    ]);
    expect((events[0].changes.active_secrets as { to: string[] }).to).toEqual([d.secret_id]);
    const dump = JSON.stringify([rows, events]);
    expect(dump).not.toContain(d.new_secret);
    expect(dump).not.toContain(c.clientSecret);
  });

  it('lists metadata only, newest first', async () => {
    const c = await seedClient(t, CC);
    const created = (await call('post', `/${c.clientId}/secrets`).expect(201)).body.data as Record<
      string,
      string
    >;
    const res = await call('get', `/${c.clientId}/secrets`).expect(200);
    const list = res.body.data.secrets as Record<string, unknown>[];
    expect(list).toHaveLength(2);
    expect(list[0].secret_id).toBe(created.secret_id);
    for (const s of list) {
      expect(Object.keys(s).sort()).toEqual([
        'active',
        'created_at',
        'description',
        'expires_at',
        'last_used_at',
        'secret_id',
        'status',
        'updated_at',
      ]);
      expect(s).toMatchObject({ status: 'active', active: true, expires_at: null });
    }
    expect(JSON.stringify(res.body)).not.toMatch(/sec_|[0-9a-f]{64}/);
  });

  it('creates a second secret, refuses a third with 409, and both authenticate', async () => {
    const c = await seedClient(t, CC);
    const res = await call('post', `/${c.clientId}/secrets`).expect(201);
    const d = res.body.data as Record<string, string>;
    expect(d).toMatchObject({ status: 'active', expires_at: null });
    expect(d.secret_value).toMatch(/^sec_/);
    expect((await token(c, d.secret_value)).status).toBe(200);
    expect((await token(c, c.clientSecret!)).status).toBe(200);
    const third = await call('post', `/${c.clientId}/secrets`);
    expectAdminError(third, 409, 'Conflict: maximum number of secrets reached (max 2)');
    expect((await auditRows(c.clientId)).map((r) => r.operation)).toEqual([
      'client.secret_created',
    ]);
  });

  it('deletes a secret (204), never the last active one (400), and 404s a secret of another client', async () => {
    const c = await seedClient(t, CC);
    const other = await seedClient(t, CC);
    const [first] = (await call('get', `/${c.clientId}/secrets`)).body.data.secrets as {
      secret_id: string;
    }[];
    const [othersSecret] = (await call('get', `/${other.clientId}/secrets`)).body.data.secrets as {
      secret_id: string;
    }[];
    expectAdminError(
      await call('delete', `/${c.clientId}/secrets/${first.secret_id}`),
      400,
      'Invalid request parameters: cannot delete the last secret',
    );
    expectAdminError(
      await call('delete', `/${c.clientId}/secrets/${othersSecret.secret_id}`),
      404,
      'Client or secret not found',
    );
    expectAdminError(
      await call('put', `/${c.clientId}/secrets/${othersSecret.secret_id}/deactivate`),
      404,
      'Client or secret not found',
    );
    expectAdminError(
      await call('delete', `/${c.clientId}/secrets/${UNKNOWN_ID}`),
      404,
      'Client or secret not found',
    );
    expect((await token(other, other.clientSecret!)).status).toBe(200);
    const second = (await call('post', `/${c.clientId}/secrets`)).body.data as Record<
      string,
      string
    >;
    const del = await call('delete', `/${c.clientId}/secrets/${first.secret_id}`).expect(204);
    expect(del.text).toBe('');
    expect((await token(c, c.clientSecret!)).status).toBe(401);
    expect((await token(c, second.secret_value)).status).toBe(200);
    expect((await auditRows(c.clientId)).map((r) => r.operation)).toEqual([
      'client.secret_created',
      'client.secret_deleted',
    ]);
  });

  it('deactivates: the secret stops at once, tokens issued with it stay valid', async () => {
    const c = await seedClient(t, CC);
    const issued = await token(c, c.clientSecret!);
    const second = (await call('post', `/${c.clientId}/secrets`)).body.data as Record<
      string,
      string
    >;
    const [, first] = (await call('get', `/${c.clientId}/secrets`)).body.data.secrets as {
      secret_id: string;
    }[];
    const res = await call('put', `/${c.clientId}/secrets/${first.secret_id}/deactivate`).expect(
      200,
    );
    expect(res.body.data).toMatchObject({
      secret_id: first.secret_id,
      status: 'inactive',
      active: false,
    });
    expect((await token(c, c.clientSecret!)).status).toBe(401);
    const intro = await introspect(
      t,
      issued.body.access_token as string,
      basic(c.clientId, second.secret_value),
    );
    expect(intro.body.active).toBe(true);
  });

  it('answers 400 for a client without secrets and for bad query parameters', async () => {
    const pub = await seedClient(t, { tokenEndpointAuthMethod: 'none' });
    expectAdminError(
      await call('post', `/${pub.clientId}/rotate-secret`),
      400,
      /^Invalid request parameters/,
    );
    expectAdminError(
      await call('post', `/${pub.clientId}/secrets`),
      400,
      /^Invalid request parameters/,
    );
    expect((await call('get', `/${pub.clientId}/secrets`)).body.data.secrets).toEqual([]);
    const c = await seedClient(t, CC);
    for (const q of ['grace_period=-1', 'grace_period=abc', 'grace_period=86401', 'other=1']) {
      expectAdminError(
        await call('delete', `/${c.clientId}/tokens?${q}`),
        400,
        /^Invalid request parameters/,
      );
    }
    for (const q of ['page=0', 'page_size=101', 'page=x']) {
      expectAdminError(
        await call('get', `/${c.clientId}/tokens?${q}`),
        400,
        /^Invalid request parameters/,
      );
    }
  });

  it('shows stats and active tokens, and revokes them all, with and without a grace period', async () => {
    const c = await seedClient(t, CC);
    const user = await createUser(t);
    const code = await codeTokens(t, c, user.id, ['openid', 'profile', 'offline_access']);
    const cc = await token(c, c.clientSecret!);
    const stats = (await call('get', `/${c.clientId}/stats`).expect(200)).body.data;
    expect(stats).toEqual({
      client_id: c.clientId,
      active_tokens: 2,
      active_refresh_tokens: 1,
      last_request_at: new Date(clock.nowSeconds() * 1000).toISOString().replace('.000', ''),
      tokens_issued_24h: 2,
      tokens_issued_30d: 2,
    });
    const list = await call('get', `/${c.clientId}/tokens?page=1&page_size=2`).expect(200);
    expect(list.body).toMatchObject({
      code: 200,
      total: 3,
      pagination: {
        page: 1,
        page_size: 2,
        total: 3,
        total_pages: 2,
        has_next: true,
        has_prev: false,
      },
    });
    expect(list.body.items).toHaveLength(2);
    const page2 = await call('get', `/${c.clientId}/tokens?page=2&page_size=2`).expect(200);
    const all = [...list.body.items, ...page2.body.items] as Record<string, unknown>[];
    expect(all.map((i) => i.token_type).sort()).toEqual([
      'access_token',
      'access_token',
      'refresh_token',
    ]);
    expect(all.find((i) => i.user_id === null)).toMatchObject({
      subject: c.clientId,
      scope: 'profile',
    });
    const dump = JSON.stringify([list.body, page2.body]);
    for (const v of [code.access_token, code.refresh_token, cc.body.access_token as string]) {
      expect(dump).not.toContain(v);
    }

    // With a grace period: access tokens keep working until it ends, refresh tokens stop at once.
    const graced = await call('delete', `/${c.clientId}/tokens?grace_period=120`).expect(200);
    expect(graced.body.data).toEqual({
      grace_period: 120,
      revoked_access_tokens: 2,
      revoked_refresh_tokens: 1,
    });
    const auth = basic(c.clientId, c.clientSecret!);
    expect((await introspect(t, code.access_token, auth)).body.active).toBe(true);
    const rows: { expires_at: string | number }[] = await t.dataSource.query(
      'SELECT expires_at FROM access_tokens WHERE client_id = ?',
      [c.clientId],
    );
    expect(rows.map((r) => Number(r.expires_at))).toEqual([
      clock.nowSeconds() + 120,
      clock.nowSeconds() + 120,
    ]);
    const refresh = await postForm(
      t,
      { grant_type: 'refresh_token', refresh_token: code.refresh_token },
      { auth },
    );
    expect(refresh.status).toBe(400);

    // Without: everything stops at once.
    const fresh = await token(c, c.clientSecret!);
    const now = await call('delete', `/${c.clientId}/tokens`).expect(200);
    expect(now.body.data).toEqual({
      grace_period: 0,
      revoked_access_tokens: 3,
      revoked_refresh_tokens: 0,
    });
    expect((await introspect(t, fresh.body.access_token as string, auth)).body.active).toBe(false);
    expect((await introspect(t, code.access_token, auth)).body.active).toBe(false);
    expect((await call('get', `/${c.clientId}/stats`)).body.data).toMatchObject({
      active_tokens: 0,
      active_refresh_tokens: 0,
      tokens_issued_24h: 3,
    });
    expect((await auditRows(c.clientId)).map((r) => r.operation)).toEqual([
      'client.tokens_revoked',
      'client.tokens_revoked',
    ]);
  });

  it('never shows a secret value in a response, a log line or an audit row after it was issued', async () => {
    const c = await seedClient(t, CC);
    testLogger.clear();
    const values = [c.clientSecret!];
    values.push(
      (await call('post', `/${c.clientId}/rotate-secret`)).body.data.new_secret as string,
    );
    values.push((await call('post', `/${c.clientId}/secrets`)).body.data.secret_value as string);
    const later: string[] = [];
    for (const s of values) later.push(JSON.stringify((await token(c, s)).body));
    for (const [method, path] of endpoints(c.clientId)) {
      later.push(JSON.stringify((await call(method, path)).body));
    }
    const dump = [...later, JSON.stringify(await auditRows(c.clientId)), ...testLogger.take()].join(
      '\n',
    );
    for (const v of values) {
      expect(dump).not.toContain(v);
      expect(dump).not.toContain(v.slice(4));
    }
  });
});
