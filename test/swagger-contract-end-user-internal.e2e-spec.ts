import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './helpers/test-app.js';

// The contract of the end-user, per-user revocation and internal operations (O13-O15, O42, O50-O52): every operation of the
// reference copy in docs/reference/ is in the generated document at its path, with every parameter and
// status the reference lists, its 200 schema under the reference's name, and every field of the
// catalogue's schemas. Errors use OAuthErrorResponse, as everywhere in this server.
const api = readFileSync(
  join(import.meta.dirname, '..', 'docs', 'reference', 'oauth-service-api.md'),
  'utf8',
);

interface ContractOperation {
  n: number;
  method: string;
  path: string;
  params: string[];
  statuses: string[];
  okSchema: string;
}

/** Rows of the first markdown table after `heading`. */
function tableRows(section: string, heading: RegExp): string[][] {
  const start = section.search(heading);
  if (start < 0) return [];
  const rows: string[][] = [];
  for (const line of section.slice(start).split('\n').slice(1)) {
    if (line.startsWith('|')) {
      rows.push(
        line
          .split('|')
          .slice(1, -1)
          .map((c) => c.trim()),
      );
    } else if (rows.length > 0) break;
  }
  return rows.slice(2);
}

const unquote = (cell: string) => cell.replace(/`/g, '');
/** `[`dto.X`](#...)`, `[`handler.X`](#...)`, `[`…_dto.X`](#...)` -> the schema name this server uses. */
const schemaOf = (cell: string) =>
  /`(?:[A-Za-z_]*dto|handler)\.([^`]+)`/.exec(cell)?.[1] ?? unquote(cell);

function operation(n: number): ContractOperation {
  const start = api.indexOf(`#### O${n}. `);
  const section = api.slice(start, api.indexOf('#### ', start + 5));
  const [, method, path] = /`(GET|POST|PUT|DELETE) ([^`]+)`/.exec(section)!;
  const responses = tableRows(section, /^Responses:/m);
  return {
    n,
    method: method.toLowerCase(),
    path,
    params: tableRows(section, /^Request parameters/m).map((r) => unquote(r[0])),
    statuses: responses.map((r) => r[0]),
    okSchema: schemaOf(responses.find((r) => r[0] === '200' || r[0] === '201')![2]),
  };
}

function catalogueFields(name: string): string[] {
  const start = api.indexOf(`#### \`dto.${name}\``);
  expect(start, name).toBeGreaterThan(0);
  const section = api.slice(start, api.indexOf('\n#### ', start + 5));
  return section
    .split('\n')
    .filter((l) => /^\| `/.test(l))
    .map((l) => unquote(l.split('|')[1].trim()));
}

const OPERATIONS = [13, 14, 15, 42, 50, 51, 52].map(operation);

type Doc = {
  paths: Record<
    string,
    Record<
      string,
      {
        parameters?: { name: string; in: string }[];
        responses: Record<string, { content?: Record<string, { schema: { $ref?: string } }> }>;
        security?: Record<string, unknown>[];
        tags?: string[];
      }
    >
  >;
  components: {
    schemas: Record<
      string,
      { properties?: Record<string, { $ref?: string; items?: { $ref?: string } }> }
    >;
    securitySchemes: Record<string, Record<string, unknown>>;
  };
};

describe('Swagger document against the contract of O13-O15, O42 and O50-O52', () => {
  let t: TestApp;
  let doc: Doc;
  beforeAll(async () => {
    t = await createTestApp();
    doc = (await request(t.url).get('/api/docs-json').expect(200)).body as Doc;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('parses the reference (so the checks below cannot pass vacuously)', () => {
    expect(OPERATIONS.map((o) => `${o.method} ${o.path} ${o.okSchema}`)).toEqual([
      'get /oauth/consents ConsentListResponse',
      'delete /oauth/consents/{id} SimpleResponse',
      'get /oauth/client/{client_id} DataResponse-dto_PublicClientInfo',
      'delete /admin/oauth/tokens/user/{user_id} swaggerBatchRevokeDetailResponse',
      'post /internal/oauth/clients DataResponse-dto_CreateClientResponse',
      'post /internal/oauth/introspect swaggerInternalIntrospectDetailResponse',
      'post /internal/oauth/revoke-user-tokens swaggerBatchRevokeDetailResponse',
    ]);
    expect(OPERATIONS[1].statuses).toEqual(['200', '401', '404', '500']);
  });

  it.each(OPERATIONS)(
    'documents O$n $method $path with every parameter and status and the reference 200 schema',
    (op) => {
      const o = doc.paths[`/api/v1${op.path}`]?.[op.method];
      expect(o, `${op.method} ${op.path}`).toBeDefined();
      expect(Object.keys(o.responses)).toEqual(expect.arrayContaining(op.statuses));
      expect((o.parameters ?? []).map((p) => p.name)).toEqual(expect.arrayContaining(op.params));
      const okStatus = op.statuses.find((x) => x.startsWith('2'))!;
      const ok = o.responses[okStatus].content!['application/json'].schema.$ref;
      expect(ok).toBe(`#/components/schemas/${op.okSchema}`);
      for (const status of op.statuses.filter((x) => !x.startsWith('2'))) {
        expect(o.responses[status].content!['application/json'].schema.$ref).toMatch(
          /\/(OAuthErrorResponse|SimpleResponse)$/,
        );
      }
      if (op.path.startsWith('/internal/')) {
        expect(o.tags).toContain('OAuth - Internal');
        expect(o.security).toEqual([{ internal_api_key: [] }]);
        // Off or unauthenticated: both documented.
        expect(Object.keys(o.responses)).toEqual(expect.arrayContaining(['401', '404']));
      } else if (op.path.startsWith('/admin/')) {
        expect(o.tags).toContain('OAuth Client Management');
        expect(o.security).toEqual([{ access_token: [] }]);
      } else {
        expect(o.tags).toContain('OAuth');
      }
      if (op.path.startsWith('/oauth/consents')) {
        expect(o.security).toEqual([{ access_token: [] }]);
      }
    },
  );

  it.each([
    'ConsentListResponse',
    'ConsentResponse',
    'PublicClientInfo',
    'DataResponse-dto_PublicClientInfo',
    'InternalIntrospectResponse',
    'BatchRevokeUserTokensResponse',
  ])('has the schema %s with every field of the catalogue', (name) => {
    const props = Object.keys(doc.components.schemas[name]?.properties ?? {});
    expect(props, name).toEqual(expect.arrayContaining(catalogueFields(name)));
  });

  it('wraps the payloads in envelopes named as in the reference', () => {
    const dataRef = (name: string) => {
      const data = doc.components.schemas[name].properties!.data;
      return data.$ref ?? data.items?.$ref;
    };
    expect(dataRef('ConsentListResponse')).toBe('#/components/schemas/ConsentResponse');
    expect(dataRef('DataResponse-dto_PublicClientInfo')).toBe(
      '#/components/schemas/PublicClientInfo',
    );
    expect(dataRef('swaggerInternalIntrospectDetailResponse')).toBe(
      '#/components/schemas/InternalIntrospectResponse',
    );
    expect(dataRef('swaggerBatchRevokeDetailResponse')).toBe(
      '#/components/schemas/BatchRevokeUserTokensResponse',
    );
  });

  it('declares the X-API-Key scheme of the internal API', () => {
    expect(doc.components.securitySchemes.internal_api_key).toEqual(
      expect.objectContaining({ type: 'apiKey', in: 'header', name: 'X-API-Key' }),
    );
  });
});
