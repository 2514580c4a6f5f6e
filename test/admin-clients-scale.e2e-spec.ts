import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ClientEntity,
  clientListFilter,
  clientListPage,
  type ListQuery,
} from '../src/client-registration/index.js';
import { newUlid } from '../src/common/crypto/ids.js';
import { ADMIN_CLIENTS, adminToken } from './helpers/admin.js';
import { createTestApp, TEST_DB_TYPE, type TestApp } from './helpers/test-app.js';

const CLIENTS = 100_000;

// The admin list with 100,000 clients (docs/adr/0050): every filter is answered through an index, the
// page never sorts the table, and deep pages use the keyset cursor. No time is asserted: the query
// plans are (docs/testing.md).
describe(`admin client list at ${CLIENTS} clients (${TEST_DB_TYPE})`, () => {
  let t: TestApp;
  let token: string;
  const mysql = TEST_DB_TYPE !== 'sqlite';

  beforeAll(async () => {
    t = await createTestApp();
    token = await adminToken(t);
    // Bulk insert in batches of 1,000 rows (one statement each), in one transaction.
    const ids = Array.from({ length: CLIENTS }, () => newUlid()).sort();
    await t.dataSource.transaction(async (m) => {
      for (let i = 0; i < ids.length; i += 1000) {
        const rows = ids.slice(i, i + 1000).map((id, j) => {
          const n = i + j;
          const name = `Bulk ${String.fromCharCode(97 + (n % 26))}${n}`;
          return [
            id,
            1_700_000_000,
            'x'.repeat(64),
            'client_secret_basic',
            '["https://app.example.com/cb"]',
            '["authorization_code"]',
            '["code"]',
            'openid',
            name,
            name.toLowerCase(),
            n % 10 === 0 ? 'suspended' : 'active',
            1,
          ];
        });
        const placeholders = rows.map(() => '(?,?,?,?,?,?,?,?,?,?,?,?)').join(',');
        await m.query(
          'INSERT INTO oauth_clients (id, client_id_issued_at, registration_access_token_hash, ' +
            'token_endpoint_auth_method, redirect_uris, grant_types, response_types, scope, ' +
            `client_name, name_key, status, version) VALUES ${placeholders}`,
          rows.flat(),
        );
      }
    });
    if (mysql) await t.dataSource.query('ANALYZE TABLE oauth_clients');
    else await t.dataSource.query('ANALYZE');
  }, 600_000);
  afterAll(async () => {
    await t?.close();
  });

  /** The database's plan for one page of the list (`count`: the total's query instead). */
  async function plan(q: Partial<ListQuery>, count = false): Promise<string> {
    const repo = t.dataSource.getRepository(ClientEntity);
    const full: ListQuery = { page: 1, pageSize: 20, ...q };
    const qb = count
      ? clientListFilter(repo.createQueryBuilder('c'), full).select('COUNT(1)', 'n')
      : clientListPage(repo.createQueryBuilder('c'), full);
    const [sql, params] = qb.getQueryAndParameters();
    if (mysql) {
      const rows = await t.dataSource.query<Record<string, unknown>[]>(`EXPLAIN ${sql}`, params);
      return JSON.stringify(rows);
    }
    const rows = await t.dataSource.query<{ detail: string }[]>(
      `EXPLAIN QUERY PLAN ${sql}`,
      params,
    );
    return rows.map((r) => r.detail).join('\n');
  }

  /**
   * Asserts the plan reads through `index` and never scans the whole table; unless `sortsMatches`, it
   * does not sort either. (A name prefix is a range on `name_key`: the rows it matches come in name
   * order and are sorted by id — a sort of the matches only, as small as the prefix is selective.)
   */
  function expectIndexed(p: string, index: RegExp, sortsMatches = false): void {
    expect(p).toMatch(index);
    if (mysql) {
      const rows = JSON.parse(p) as { type: string; Extra?: string | null }[];
      for (const r of rows) {
        expect(r.type, p).not.toBe('ALL');
        if (!sortsMatches) expect(String(r.Extra ?? ''), p).not.toMatch(/filesort/);
      }
    } else {
      expect(p).toMatch(/^SEARCH c USING (COVERING )?INDEX/m);
      expect(p).not.toMatch(/^SCAN c/m);
      if (!sortsMatches) expect(p).not.toMatch(/TEMP B-TREE FOR ORDER BY/);
    }
  }

  it('filters by status through the (deleted_at, status, id) index, without sorting', async () => {
    expectIndexed(await plan({ status: 'suspended' }), /IDX_oauth_clients_deleted_at_status_id/);
    expectIndexed(await plan({ status: 'active' }, true), /IDX_oauth_clients_deleted_at_status_id/);
  });

  it('filters by name prefix through the (deleted_at, name_key, id) index', async () => {
    expectIndexed(await plan({ name: 'bulk q' }), /IDX_oauth_clients_deleted_at_name_key_id/, true);
    expectIndexed(await plan({ name: 'bulk q' }, true), /IDX_oauth_clients_deleted_at_name_key_id/);
  });

  it('pages the unfiltered list and the keyset cursor in id order, without sorting the table', async () => {
    const unfiltered = await plan({});
    const keyset = await plan({ after: '01ARZ3NDEKTSV4RRFFQ69G5FAV' });
    for (const p of [unfiltered, keyset]) {
      if (mysql) {
        const rows = JSON.parse(p) as { type: string; Extra?: string | null }[];
        expect(rows[0].type, p).not.toBe('ALL');
        expect(String(rows[0].Extra ?? ''), p).not.toMatch(/filesort/);
      } else {
        expect(p).not.toMatch(/TEMP B-TREE FOR ORDER BY/);
      }
    }
  });

  it('answers the list over HTTP with the right totals, deep pages refused past the bound, cursor beyond it', async () => {
    const get = (q: string) =>
      request(t.url).get(`${ADMIN_CLIENTS}?${q}`).set('Authorization', `Bearer ${token}`);
    const all = await get('page_size=100');
    expect(all.status).toBe(200);
    // The admin client of the suite is one more.
    expect((all.body as { total: number }).total).toBe(CLIENTS + 1);
    const suspended = await get('status=suspended&page=3');
    expect((suspended.body as { total: number; items: unknown[] }).total).toBe(CLIENTS / 10);
    expect((suspended.body as { items: unknown[] }).items).toHaveLength(20);
    const byName = await get('name=BULK%20Z');
    // n % 26 === 25 for n < 100,000: 3,846 names start with "Bulk z".
    expect((byName.body as { total: number }).total).toBe(3846);
    expect((await get('page=502&page_size=20')).status).toBe(400);
    const cursor = (all.body as { next_cursor: string }).next_cursor;
    const next = await get(`page_size=100&after=${cursor}`);
    expect(next.status).toBe(200);
    const ids = (next.body as { items: { id: string }[] }).items.map((i) => i.id);
    expect(ids).toHaveLength(100);
    expect(ids.every((id) => id < cursor)).toBe(true);
  });
});
