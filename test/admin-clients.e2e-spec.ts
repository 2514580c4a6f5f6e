import request from 'supertest';
import type { Response } from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientAuditLogEntity } from '../src/audit/index.js';
import { CLIENT_UPDATED, ClientAuditEvent } from '../src/client-registration/index.js';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { expectSimpleError } from './helpers/oauth-assertions.js';
import { ADMIN_CLIENTS, adminToken, createAdminClient, clientToken } from './helpers/admin.js';
import { seedClient } from './helpers/clients.js';
import { createTestApp, TEST_DB_TYPE, type TestApp } from './helpers/test-app.js';
import { testLogger } from './helpers/test-logger.js';
import { basic, postForm } from './helpers/token-flow.js';

const BAD_REQUEST = /^Invalid request parameters/;
const NOT_FOUND = 'Client not found or does not belong to the current tenant';
const MISSING_ID = '01ARZ3NDEKTSV4RRFFQ69G5FAV';

interface Item {
  id: string;
  client_id: string;
  name: string;
  redirect_uris: string[];
  scopes: string[];
  grant_types: string[];
  client_auth_methods: string[];
  is_confidential: boolean;
  status: string;
  secret_last_four: string | null;
  [k: string]: unknown;
}

function expectSimple(res: Response, status: number, message: string | RegExp): void {
  expectSimpleError(res, status, { message });
}

describe(`admin client management O27-O33 (${TEST_DB_TYPE})`, () => {
  let t: TestApp;
  let token: string;
  /** Every secret this suite saw issued: none may appear in a later response, audit row or log line. */
  const secrets: string[] = [];
  const bodies: string[] = [];

  const api = () => ({
    get: (path: string) =>
      request(t.url).get(`${ADMIN_CLIENTS}${path}`).set('Authorization', `Bearer ${token}`),
    post: (path: string, body?: object) => {
      const r = request(t.url)
        .post(`${ADMIN_CLIENTS}${path}`)
        .set('Authorization', `Bearer ${token}`);
      return body === undefined ? r : r.send(body);
    },
    put: (path: string, body: object) =>
      request(t.url)
        .put(`${ADMIN_CLIENTS}${path}`)
        .set('Authorization', `Bearer ${token}`)
        .send(body),
    delete: (path: string) =>
      request(t.url).delete(`${ADMIN_CLIENTS}${path}`).set('Authorization', `Bearer ${token}`),
  });
  const keep = (res: Response) => {
    bodies.push(JSON.stringify(res.body) + JSON.stringify(res.headers));
    return res;
  };

  async function create(body: object = {}): Promise<Item & { client_secret?: string }> {
    const res = keep(
      await api().post('', {
        name: 'My Application',
        redirect_uris: ['https://app.example.com/callback'],
        ...body,
      }),
    );
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const data = (res.body as { data: Item & { client_secret?: string } }).data;
    if (data.client_secret) secrets.push(data.client_secret);
    return data;
  }

  async function audit(clientId: string) {
    const res = keep(await api().get(`/${clientId}/audit-logs`));
    expect(res.status).toBe(200);
    return res.body as {
      items: {
        action: string;
        message: string;
        changes: Record<string, { from?: unknown; to?: unknown }>;
        operator_type: string;
        operator_id: string | null;
        target_id: string;
        timestamp: number;
      }[];
      total: number;
      pagination: Record<string, unknown>;
    };
  }

  beforeAll(async () => {
    t = await createTestApp({ env: { REGISTRATION_RATE_LIMIT: '0' } });
    const admin = await createAdminClient(t);
    secrets.push(admin.clientSecret);
    token = await clientToken(t, admin);
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('authentication on every operation', () => {
    const ops: [string, string, object?][] = [
      ['get', ''],
      ['post', '', { name: 'x', redirect_uris: ['https://a.example.com/cb'] }],
      ['get', `/${MISSING_ID}`],
      ['put', `/${MISSING_ID}`, { name: 'x' }],
      ['delete', `/${MISSING_ID}`],
      ['get', `/${MISSING_ID}/audit-logs`],
      ['post', `/${MISSING_ID}/clone`],
    ];
    it.each(ops)(
      '%s %s: 401 without a token, 403 with a non-admin token',
      async (method, path, body) => {
        const send = (auth?: string) => {
          let r = request(t.url)[method as 'get'](`${ADMIN_CLIENTS}${path}`);
          if (auth) r = r.set('Authorization', auth);
          return body ? r.send(body) : r;
        };
        expectSimple(await send(), 401, 'Unauthenticated: provide a valid Bearer Token');
        const plain = await seedClient(t, {
          grantTypes: ['client_credentials'],
          responseTypes: [],
          redirectUris: [],
          scope: 'profile',
        });
        const plainToken = await clientToken(
          t,
          { clientId: plain.clientId, clientSecret: plain.clientSecret! },
          'profile',
        );
        expectSimple(
          await send(`Bearer ${plainToken}`),
          403,
          'Insufficient permissions: administrator role required',
        );
      },
    );
  });

  describe('O28 create', () => {
    it('creates a confidential client with every reference field and shows its secret once', async () => {
      const jwksUri = 'https://client.example.com/.well-known/jwks.json';
      const c = await create({
        name: 'Full App',
        redirect_uris: ['https://app.example.com/callback', 'https://app.example.com/other'],
        scopes: ['openid', 'profile'],
        grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
        client_auth_methods: ['private_key_jwt'],
        is_confidential: true,
        jwks_uri: jwksUri,
        logo_url: 'https://app.example.com/logo.png',
        privacy_policy: 'https://app.example.com/privacy',
        terms_url: 'https://app.example.com/terms',
        website: 'https://app.example.com',
        fapi_profile: 'fapi1',
      });
      expect(c).toMatchObject({
        id: c.client_id,
        name: 'Full App',
        scopes: ['openid', 'profile'],
        grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
        client_auth_methods: ['private_key_jwt'],
        is_confidential: true,
        cors_origins: ['https://app.example.com'],
        jwks_uri: jwksUri,
        logo_url: 'https://app.example.com/logo.png',
        privacy_policy: 'https://app.example.com/privacy',
        terms_url: 'https://app.example.com/terms',
        website: 'https://app.example.com',
        fapi_profile: 'fapi1',
        status: 'active',
      });
      // private_key_jwt has no secret.
      expect(c.client_secret).toBeUndefined();
    });

    it('issues a working secret for a secret client, never shown again', async () => {
      const c = await create({
        grant_types: ['authorization_code', 'client_credentials'],
        scopes: ['profile'],
      });
      expect(c.client_secret).toMatch(/^sec_/);
      const tokenRes = await postForm(
        t,
        { grant_type: 'client_credentials' },
        { auth: basic(c.client_id, c.client_secret!) },
      );
      expect(tokenRes.status).toBe(200);
      const read = keep(await api().get(`/${c.client_id}`));
      expect(read.status).toBe(200);
      expect(JSON.stringify(read.body)).not.toContain(c.client_secret);
      // secret_last_four follows the newest secret (client_secrets), so secrets can be told apart.
      expect((read.body as { data: Item }).data.secret_last_four).toBe(c.client_secret!.slice(-4));
      const events = await audit(c.client_id);
      expect(events.items).toHaveLength(1);
      expect(events.items[0]).toMatchObject({
        action: 'client.created',
        operator_type: 'client',
        target_id: c.client_id,
      });
      expect(events.items[0].changes.client_secret).toEqual({ to: '(issued)' });
    });

    it('creates a public client (is_confidential false) without a secret', async () => {
      const c = await create({ is_confidential: false });
      expect(c.client_auth_methods).toEqual(['none']);
      expect(c.is_confidential).toBe(false);
      expect(c.client_secret).toBeUndefined();
    });

    it.each([
      ['no name', { name: undefined }],
      ['an empty name', { name: '' }],
      ['no redirect_uris', { redirect_uris: undefined }],
      ['empty redirect_uris', { redirect_uris: [] }],
      ['a javascript: redirect URI', { redirect_uris: ['javascript:alert(1)'] }],
      ['a fragment in a redirect URI', { redirect_uris: ['https://a.example.com/cb#x'] }],
      ['an unknown scope', { scopes: ['openid', 'nope'] }],
      ['the reserved admin scope', { scopes: ['admin'] }],
      ['an unknown grant type', { grant_types: ['password'] }],
      ['two auth methods', { client_auth_methods: ['client_secret_basic', 'private_key_jwt'] }],
      ['a contradicting is_confidential', { client_auth_methods: ['none'], is_confidential: true }],
      ['private_key_jwt without keys', { client_auth_methods: ['private_key_jwt'] }],
      ['a wrong type', { redirect_uris: 'https://a.example.com/cb' }],
      ['an unknown field', { colour: 'blue' }],
      ['jwks that is not JSON', { jwks: '{not json' }],
    ])('answers 400 Invalid request parameters for %s', async (_what, patch) => {
      const body: Record<string, unknown> = {
        name: 'x',
        redirect_uris: ['https://app.example.com/callback'],
        ...patch,
      };
      for (const [k, v] of Object.entries(body)) if (v === undefined) delete body[k];
      const res = keep(await api().post('', body));
      expectSimple(res, 400, BAD_REQUEST);
      expect((res.body as { error: string }).error).toBe('invalid_request');
    });

    it('answers 400 to a body that is not a JSON object and 415 to another content type', async () => {
      expectSimple(
        await api().post('').set('Content-Type', 'application/json').send('[]'),
        400,
        BAD_REQUEST,
      );
      const form = await api().post('').type('form').send('name=x');
      expect(form.status).toBe(415);
    });
  });

  describe('O29 details and O27 list', () => {
    it('reads a client with an ETag; 404 for unknown, malformed and deleted ids', async () => {
      const c = await create();
      const res = keep(await api().get(`/${c.client_id}`));
      expect(res.status).toBe(200);
      expect(res.headers.etag).toMatch(/^"v\d+"$/);
      expect(res.body).toMatchObject({ code: 200, data: { client_id: c.client_id } });
      expectSimple(await api().get(`/${MISSING_ID}`), 404, NOT_FOUND);
      expectSimple(await api().get('/not-a-client-id'), 404, NOT_FOUND);
      await api().delete(`/${c.client_id}`).expect(204);
      expectSimple(await api().get(`/${c.client_id}`), 404, NOT_FOUND);
    });

    it('lists newest first with PageInfo, filters by status and by name prefix (any case)', async () => {
      const tag = `Zeta${Date.now().toString(36)}`;
      const a = await create({ name: `${tag} Alpha` });
      const b = await create({ name: `${tag} Beta` });
      const c = await create({ name: `${tag.toUpperCase()} Gamma` });
      await api().put(`/${b.client_id}`, { status: 'suspended' }).expect(200);

      const byName = keep(await api().get(`?name=${tag.toLowerCase()}`));
      expect(byName.status).toBe(200);
      const body = byName.body as {
        items: Item[];
        total: number;
        pagination: Record<string, unknown>;
        code: number;
        message: string;
        timestamp: string;
      };
      expect(body.items.map((i) => i.client_id)).toEqual([c.client_id, b.client_id, a.client_id]);
      expect(body).toMatchObject({ code: 200, message: 'success', total: 3 });
      expect(body.pagination).toEqual({
        has_next: false,
        has_prev: false,
        page: 1,
        page_size: 20,
        total: 3,
        total_pages: 1,
      });

      const suspended = (await api().get(`?name=${tag}&status=suspended`)).body as {
        items: Item[];
      };
      expect(suspended.items.map((i) => i.client_id)).toEqual([b.client_id]);
      const active = (await api().get(`?name=${tag}&status=active`)).body as { items: Item[] };
      expect(active.items.map((i) => i.client_id)).toEqual([c.client_id, a.client_id]);

      const page2 = (await api().get(`?name=${tag}&page=2&page_size=2`)).body as {
        items: Item[];
        pagination: Record<string, unknown>;
      };
      expect(page2.items.map((i) => i.client_id)).toEqual([a.client_id]);
      expect(page2.pagination).toMatchObject({ has_next: false, has_prev: true, total_pages: 2 });

      const first = (await api().get(`?name=${tag}&page_size=2`)).body as {
        items: Item[];
        next_cursor: string;
      };
      expect(first.next_cursor).toBe(b.client_id);
      const next = (await api().get(`?name=${tag}&page_size=2&after=${first.next_cursor}`))
        .body as { items: Item[]; next_cursor: string | null };
      expect(next.items.map((i) => i.client_id)).toEqual([a.client_id]);
      expect(next.next_cursor).toBeNull();
    });

    it('does not list deleted clients', async () => {
      const tag = `Gone${Date.now().toString(36)}`;
      const c = await create({ name: tag });
      await api().delete(`/${c.client_id}`).expect(204);
      expect(((await api().get(`?name=${tag}`)).body as { total: number }).total).toBe(0);
    });

    it.each([
      'page=0',
      'page=abc',
      'page_size=0',
      'page_size=101',
      'status=paused',
      'after=nope',
      'colour=blue',
      'page=600&page_size=20',
    ])('answers 400 to ?%s', async (q) => {
      expectSimple(await api().get(`?${q}`), 400, BAD_REQUEST);
    });
  });

  describe('O30 update', () => {
    it('changes only the given fields and audits the diff (redirect_uris: [a] → [a, b])', async () => {
      const c = await create({ name: 'Before' });
      const a = 'https://app.example.com/callback';
      const b = 'https://app.example.com/second';
      const res = keep(
        await api().put(`/${c.client_id}`, { redirect_uris: [a, b], name: 'After' }),
      );
      expect(res.status).toBe(200);
      expect((res.body as { data: Item }).data).toMatchObject({
        name: 'After',
        redirect_uris: [a, b],
        scopes: c.scopes,
        grant_types: c.grant_types,
      });
      const log = await audit(c.client_id);
      expect(log.items[0]).toMatchObject({
        action: 'client.updated',
        operator_type: 'client',
        changes: {
          redirect_uris: { from: [a], to: [a, b] },
          client_name: { from: 'Before', to: 'After' },
        },
      });
      expect(log.items[0].message).toContain(`redirect_uris: [${a}] → [${a}, ${b}]`);
      expect(log.items.map((i) => i.action)).toEqual(['client.updated', 'client.created']);
    });

    it('emits client.updated with the diff after the commit', async () => {
      const c = await create();
      const seen: ClientAuditEvent[] = [];
      const events = t.app.get(EventEmitter2);
      const listener = (e: ClientAuditEvent) => seen.push(e);
      events.on(CLIENT_UPDATED, listener);
      try {
        await api()
          .put(`/${c.client_id}`, { logo_url: 'https://app.example.com/l.png' })
          .expect(200);
      } finally {
        events.off(CLIENT_UPDATED, listener);
      }
      expect(seen).toHaveLength(1);
      expect(seen[0]).toMatchObject({
        clientId: c.client_id,
        operation: 'client.updated',
        changes: { logo_uri: { from: null, to: 'https://app.example.com/l.png' } },
      });
    });

    it('honours If-Match: the current ETag applies (new ETag back), a stale one is 412', async () => {
      const c = await create();
      const etag = (await api().get(`/${c.client_id}`)).headers.etag;
      const ok = await api().put(`/${c.client_id}`, { name: 'One' }).set('If-Match', etag);
      expect(ok.status).toBe(200);
      expect(ok.headers.etag).not.toBe(etag);
      const stale = await api().put(`/${c.client_id}`, { name: 'Two' }).set('If-Match', etag);
      expectSimple(stale, 412, /If-Match/);
      expect(((await api().get(`/${c.client_id}`)).body as { data: Item }).data.name).toBe('One');
      for (const bad of ['W/"v1"', '"nope"', 'garbage']) {
        expect(
          (await api().put(`/${c.client_id}`, { name: 'x' }).set('If-Match', bad)).status,
        ).toBe(412);
      }
      const any = await api().put(`/${c.client_id}`, { name: 'Star' }).set('If-Match', '*');
      expect(any.status).toBe(200);
      const listed = await api()
        .put(`/${c.client_id}`, { name: 'Listed' })
        .set('If-Match', `"v1", ${any.headers.etag}`);
      expect(listed.status).toBe(200);
    });

    it('without If-Match, concurrent updates all succeed and the last one wins', async () => {
      const c = await create();
      const names = Array.from({ length: 8 }, (_, i) => `Parallel ${i}`);
      const results = await Promise.all(
        names.map((name) => api().put(`/${c.client_id}`, { name })),
      );
      expect(results.map((r) => r.status)).toEqual(names.map(() => 200));
      const final = ((await api().get(`/${c.client_id}`)).body as { data: Item }).data.name;
      expect(names).toContain(final);
      const log = await audit(c.client_id);
      expect(log.items.filter((i) => i.action === 'client.updated').length).toBeGreaterThanOrEqual(
        1,
      );
    });

    it('answers 404 for unknown clients and 400 for invalid values, changing nothing', async () => {
      expectSimple(await api().put(`/${MISSING_ID}`, { name: 'x' }), 404, NOT_FOUND);
      const c = await create({ name: 'Stable' });
      for (const body of [
        { status: 'paused' },
        { redirect_uris: [] },
        { redirect_uris: ['http://evil.example.com/cb'] },
        { scopes: ['admin'] },
        { name: '' },
        { is_confidential: 'yes' },
      ]) {
        expectSimple(await api().put(`/${c.client_id}`, body), 400, BAD_REQUEST);
      }
      expect(((await api().get(`/${c.client_id}`)).body as { data: Item }).data.name).toBe(
        'Stable',
      );
      expect((await audit(c.client_id)).total).toBe(1);
    });

    it('turns a confidential client public (its secret stops working) but not the other way', async () => {
      const c = await create({ grant_types: ['authorization_code'] });
      await api().put(`/${c.client_id}`, { is_confidential: false }).expect(200);
      const tokenRes = await postForm(
        t,
        { grant_type: 'client_credentials' },
        { auth: basic(c.client_id, c.client_secret!) },
      );
      expect(tokenRes.status).toBe(401);
      const back = await api().put(`/${c.client_id}`, { is_confidential: true });
      expectSimple(back, 400, BAD_REQUEST);
      const log = await audit(c.client_id);
      expect(log.items[0].changes.client_secret).toEqual({ to: '(removed)' });
    });
  });

  describe('O31 delete', () => {
    it('soft-deletes: 204, the client and its tokens stop working, its history stays', async () => {
      const c = await create({ grant_types: ['authorization_code', 'client_credentials'] });
      const tokenRes = await postForm(
        t,
        { grant_type: 'client_credentials' },
        { auth: basic(c.client_id, c.client_secret!) },
      );
      const accessToken = (tokenRes.body as { access_token: string }).access_token;
      const del = await api().delete(`/${c.client_id}`);
      expect(del.status).toBe(204);
      expect(del.text).toBe('');
      const again = await postForm(
        t,
        { grant_type: 'client_credentials' },
        { auth: basic(c.client_id, c.client_secret!) },
      );
      expect(again.status).toBe(401);
      const introspected = await postForm(
        t,
        { token: accessToken },
        { path: '/api/v1/oauth/introspect', auth: basic(c.client_id, c.client_secret!) },
      );
      expect(introspected.status).toBe(401);
      expectSimple(await api().delete(`/${c.client_id}`), 404, NOT_FOUND);
      const log = await audit(c.client_id);
      expect(log.items[0]).toMatchObject({ action: 'client.deleted', operator_type: 'client' });
    });

    it('answers 404 for unknown and malformed ids', async () => {
      expectSimple(await api().delete(`/${MISSING_ID}`), 404, NOT_FOUND);
      expectSimple(await api().delete('/x'), 404, NOT_FOUND);
    });
  });

  describe('O32 audit logs', () => {
    it('pages newest first with PageInfo; 404 for a client that never existed; 400 on bad paging', async () => {
      const c = await create();
      for (const name of ['a', 'b', 'c']) await api().put(`/${c.client_id}`, { name }).expect(200);
      const res = keep(await api().get(`/${c.client_id}/audit-logs?page=1&page_size=2`));
      expect(res.status).toBe(200);
      const body = res.body as Awaited<ReturnType<typeof audit>> & { code: number };
      expect(body.code).toBe(200);
      expect(body.total).toBe(4);
      expect(body.items).toHaveLength(2);
      expect(body.items[0].changes.client_name).toEqual({ from: 'b', to: 'c' });
      expect(body.pagination).toEqual({
        has_next: true,
        has_prev: false,
        page: 1,
        page_size: 2,
        total: 4,
        total_pages: 2,
      });
      expect(body.items[0].timestamp).toBeGreaterThan(1_700_000_000);
      expectSimple(await api().get(`/${MISSING_ID}/audit-logs`), 404, NOT_FOUND);
      expectSimple(await api().get(`/${c.client_id}/audit-logs?page_size=1000`), 400, BAD_REQUEST);
    });
  });

  describe('O33 clone', () => {
    it('creates a new client with a new secret and the same configuration; audits both', async () => {
      const src = await create({
        name: 'Original',
        grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
        scopes: ['openid', 'profile'],
        fapi_profile: 'fapi2',
      });
      const res = keep(await api().post(`/${src.client_id}/clone`));
      expect(res.status).toBe(201);
      const clone = (res.body as { data: Item & { client_secret: string } }).data;
      secrets.push(clone.client_secret);
      expect(clone.client_id).not.toBe(src.client_id);
      expect(clone.client_secret).toMatch(/^sec_/);
      expect(clone.client_secret).not.toBe(src.client_secret);
      expect(clone).toMatchObject({
        name: 'Original (clone)',
        redirect_uris: src.redirect_uris,
        scopes: src.scopes,
        grant_types: src.grant_types,
        client_auth_methods: src.client_auth_methods,
        fapi_profile: 'fapi2',
        status: 'active',
      });
      const works = await postForm(
        t,
        { grant_type: 'client_credentials', scope: 'profile' },
        { auth: basic(clone.client_id, clone.client_secret) },
      );
      expect(works.status).toBe(200);
      expect((await audit(clone.client_id)).items[0]).toMatchObject({
        action: 'client.created',
        changes: { cloned_from: { to: src.client_id } },
      });
      expect((await audit(src.client_id)).items[0]).toMatchObject({
        action: 'client.cloned',
        changes: { clone: { to: clone.client_id } },
      });
    });

    it('never copies admin access', async () => {
      const admin = await createAdminClient(t);
      secrets.push(admin.clientSecret);
      const res = await api().post(`/${admin.clientId}/clone`);
      expect(res.status).toBe(201);
      const clone = (res.body as { data: Item & { client_secret: string } }).data;
      secrets.push(clone.client_secret);
      expect(clone.scopes).not.toContain('admin');
      const denied = await postForm(
        t,
        { grant_type: 'client_credentials', scope: 'admin' },
        { auth: basic(clone.client_id, clone.client_secret) },
      );
      expect(denied.status).toBe(400);
    });

    it('answers 404 for unknown clients', async () => {
      expectSimple(await api().post(`/${MISSING_ID}/clone`), 404, NOT_FOUND);
    });
  });

  it('never shows a secret again: not in responses, audit rows or log lines', async () => {
    expect(secrets.length).toBeGreaterThan(3);
    const rows = await t.dataSource.getRepository(ClientAuditLogEntity).find();
    expect(rows.length).toBeGreaterThan(10);
    const stored = JSON.stringify(rows);
    const later = bodies.filter((b) => !secrets.some((s) => b.includes(`"client_secret":"${s}"`)));
    const logs = testLogger.take().join('\n');
    for (const s of secrets) {
      expect(stored).not.toContain(s);
      expect(stored).not.toContain(s.slice(4, 20));
      for (const b of later) expect(b).not.toContain(s);
      expect(logs).not.toContain(s);
    }
  });

  it('a fresh admin token of another admin client works and is recorded as a different actor', async () => {
    const other = await adminToken(t);
    const res = await request(t.url)
      .post(ADMIN_CLIENTS)
      .set('Authorization', `Bearer ${other}`)
      .send({ name: 'By other', redirect_uris: ['https://app.example.com/callback'] });
    expect(res.status).toBe(201);
    const id = (res.body as { data: Item & { client_secret: string } }).data.client_id;
    secrets.push((res.body as { data: { client_secret: string } }).data.client_secret);
    const log = await audit(id);
    const mine = await audit((await create()).client_id);
    expect(log.items[0].operator_id).not.toBe(mine.items[0].operator_id);
  });
});
