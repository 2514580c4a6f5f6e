import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './helpers/test-app.js';

// The contract of the secrets and usage endpoints: sections O34-O41 of the oauth-service reference and
// their schemas (the copy in docs/reference/, as test/swagger-contract.e2e-spec.ts does for O17-O20). The
// generated OpenAPI document must have every operation, parameter and status code they list, the
// reference's schema names, and every field of those schemas.
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
  /** Schema of the success response, without the `dto.` prefix. */
  success: string | null;
}

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

function referenceOperations(): ContractOperation[] {
  const ops: ContractOperation[] = [];
  for (let n = 34; n <= 41; n++) {
    const start = api.indexOf(`#### O${n}. `);
    const section = api.slice(start, api.indexOf('#### O', start + 5));
    const [, method, path] = /`(GET|POST|PUT|DELETE) ([^`]+)`/.exec(section)!;
    const responses = tableRows(section, /^Responses:/m);
    const ok = responses.find((r) => r[0].startsWith('2'));
    ops.push({
      n,
      method: method.toLowerCase(),
      path,
      params: tableRows(section, /^Request parameters/m).map((r) => unquote(r[0])),
      statuses: responses.map((r) => r[0]),
      success: ok ? (/`dto\.(\w+)`/.exec(ok[2])?.[1] ?? null) : null,
    });
  }
  return ops;
}

/** Field names of a schema of the catalogue. */
function referenceFields(name: string): string[] {
  const start = api.indexOf(`#### \`${name}\``);
  if (start < 0) throw new Error(`no schema ${name} in the reference`);
  const section = api.slice(start, api.indexOf('\n#### ', start + 5));
  return section
    .split('\n')
    .filter((l) => /^\| `/.test(l))
    .map((l) => unquote(l.split('|')[1].trim()));
}

const SCHEMAS = [
  'RotateSecretDetailResponse',
  'RotateSecretResponse',
  'OAuthClientSecretListDetailResponse',
  'OAuthClientSecretListData',
  'OAuthClientSecretResponse',
  'OAuthClientSecretDetailResponse',
  'CreateClientSecretDetailResponse',
  'CreateClientSecretResponse',
  'ClientStatsDetailResponse',
  'ClientStatsResponse',
  'OAuthTokenListResponse',
  'OAuthTokenItem',
  'RevokeClientTokensDetailResponse',
  'RevokeClientTokensResponse',
];

type Operation = {
  parameters?: { name: string; in: string }[];
  responses: Record<string, { content?: Record<string, { schema: { $ref?: string } }> }>;
  security?: Record<string, unknown>[];
  tags?: string[];
};
type Doc = {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
};
const schemaName = (ref: string | undefined) => ref?.replace('#/components/schemas/', '');

describe('Swagger document against the oauth-service contract (O34-O41)', () => {
  let t: TestApp;
  let doc: Doc;
  beforeAll(async () => {
    t = await createTestApp();
    doc = (await request(t.url).get('/api/docs-json').expect(200)).body as Doc;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('parses the reference (so that the checks below cannot pass vacuously)', () => {
    const ops = referenceOperations();
    expect(ops.map((o) => `${o.method} ${o.path}`)).toEqual([
      'post /admin/oauth/clients/{client_id}/rotate-secret',
      'get /admin/oauth/clients/{client_id}/secrets',
      'post /admin/oauth/clients/{client_id}/secrets',
      'delete /admin/oauth/clients/{client_id}/secrets/{secret_id}',
      'put /admin/oauth/clients/{client_id}/secrets/{secret_id}/deactivate',
      'get /admin/oauth/clients/{client_id}/stats',
      'get /admin/oauth/clients/{client_id}/tokens',
      'delete /admin/oauth/clients/{client_id}/tokens',
    ]);
    expect(ops.find((o) => o.n === 36)!.statuses).toContain('409');
    expect(ops.find((o) => o.n === 41)!.params).toEqual(['client_id', 'grace_period']);
    for (const name of SCHEMAS) expect(referenceFields(`dto.${name}`).length).toBeGreaterThan(0);
  });

  it.each(referenceOperations())(
    'documents O$n $method $path with every parameter and status of the reference',
    (op) => {
      const operation = doc.paths[`/api/v1${op.path}`]?.[op.method];
      expect(operation, `${op.method} ${op.path}`).toBeDefined();
      expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(op.statuses));
      expect((operation.parameters ?? []).map((p) => p.name)).toEqual(
        expect.arrayContaining(op.params),
      );
      for (const status of op.statuses) {
        const ref = schemaName(
          operation.responses[status].content?.['application/json']?.schema.$ref,
        );
        if (status.startsWith('4') || status.startsWith('5')) {
          expect(ref, status).toBe('SimpleResponse');
        } else if (status !== '204') expect(ref, status).toBe(op.success);
      }
      expect(operation.tags).toContain('OAuth Client Management');
      expect(operation.security?.length).toBeGreaterThan(0);
    },
  );

  it('uses the reference schema names with every field of the catalogue', () => {
    for (const name of SCHEMAS) {
      const props = Object.keys(doc.components.schemas[name]?.properties ?? {});
      expect(props, name).toEqual(expect.arrayContaining(referenceFields(`dto.${name}`)));
    }
  });
});
