import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import {
  REFERENCE_DIR,
  referenceFields,
  referenceOperation,
  schemaName,
  useServedDocument,
} from './helpers/reference-contract.js';

// The contract: sections O17-O20 and the schema catalogue of the oauth-service reference, and the seed page
// of PUT /oauth/register/{client_id}. The generated OpenAPI document must contain every request field,
// every response field, every parameter and every status code they list.
// A copy of the shared reference lives in the repository, so the check runs on any clone.
const seed = readFileSync(join(REFERENCE_DIR, 'seed-PUT-oauth-register-client_id.txt'), 'utf8');

const referenceOperations = () => [17, 18, 19, 20].map(referenceOperation);

function referenceSchemas(): Map<string, string[]> {
  return new Map(
    [
      'ClientRegistrationDetailResponse',
      'ClientRegistrationRequest',
      'ClientRegistrationResponse',
      'ClientRegistrationUpdateRequest',
      'OAuthErrorResponse',
    ].map((name) => [name, referenceFields(`dto.${name}`)]),
  );
}

/** The seed page: fields per block, statuses and parameters. */
function seedPage() {
  const blocks = new Map<string, string[]>();
  let current = '';
  const statuses: string[] = [];
  for (const line of seed.split('\n')) {
    const t = line.trim();
    if (/^(Request Parameters|Request Body|Responses)$/.test(t) || /^dto\.\w+$/.test(t)) {
      current = t;
      blocks.set(current, []);
      continue;
    }
    const status = /^(\d{3})\D/.exec(t);
    if (current === 'Responses' && status) statuses.push(status[1]);
    const field = /^([A-Za-z_]+) (string|integer|array|dto\.)/.exec(t);
    if (field && current) blocks.get(current)!.push(field[1]);
  }
  return { blocks, statuses };
}

describe('Swagger document against the oauth-service contract (O17-O20 and the PUT seed page)', () => {
  const served = useServedDocument();

  it('parses the reference (so that the checks below cannot pass vacuously)', () => {
    const ops = referenceOperations();
    expect(ops.map((o) => `${o.method} ${o.path}`)).toEqual([
      'post /oauth/register',
      'get /oauth/register/{client_id}',
      'put /oauth/register/{client_id}',
      'delete /oauth/register/{client_id}',
    ]);
    expect(ops[0].bodyFields).toHaveLength(15);
    expect(ops[2].statuses).toEqual(['200', '400', '401', '500']);
    expect(referenceSchemas().get('ClientRegistrationResponse')).toHaveLength(17);
    for (const [name, fields] of referenceSchemas()) {
      expect(fields.length, name).toBeGreaterThanOrEqual(4);
    }
    const s = seedPage();
    expect(s.blocks.get('Request Body')).toHaveLength(15);
    expect(s.statuses).toEqual(['200', '400', '401', '500']);
    expect(s.blocks.get('dto.ClientRegistrationResponse')).toHaveLength(17);
  });

  it.each(referenceOperations())(
    'documents $method $path with every parameter, body field and status of the reference',
    (op) => {
      const operation = served.doc().paths[`/api/v1${op.path}`]?.[op.method];
      expect(operation, `${op.method} ${op.path}`).toBeDefined();
      expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(op.statuses));
      const params = (operation.parameters ?? []).map((p) => p.name);
      expect(params).toEqual(expect.arrayContaining(op.params));
      if (op.bodyFields.length > 0) {
        const ref = operation.requestBody!.content['application/json'].schema.$ref;
        const props = Object.keys(
          served.doc().components.schemas[schemaName(ref)!].properties ?? {},
        );
        expect(props).toEqual(expect.arrayContaining(op.bodyFields));
      }
      for (const status of op.statuses) {
        const content = operation.responses[status].content;
        if (status.startsWith('4') || status.startsWith('5')) {
          expect(schemaName(content?.['application/json']?.schema.$ref)).toBe('OAuthErrorResponse');
        } else if (status !== '204') {
          expect(schemaName(content?.['application/json']?.schema.$ref)).toBe(
            'ClientRegistrationDetailResponse',
          );
        }
      }
      expect(operation.tags).toContain('OAuth');
      if (op.path.includes('{client_id}')) {
        expect(operation.security).toEqual([{ registration_access_token: [] }]);
      }
    },
  );

  it('uses the reference schema names with every field of the catalogue', () => {
    for (const [name, fields] of referenceSchemas()) {
      const props = Object.keys(served.doc().components.schemas[name]?.properties ?? {});
      expect(props, name).toEqual(expect.arrayContaining(fields));
    }
    const detail = served.doc().components.schemas.ClientRegistrationDetailResponse
      .properties as Record<string, { $ref?: string; allOf?: { $ref: string }[] }>;
    const dataRef = detail.data.$ref ?? detail.data.allOf?.[0]?.$ref;
    expect(schemaName(dataRef)).toBe('ClientRegistrationResponse');
  });

  it('matches the seed page of PUT /oauth/register/{client_id} field for field and status for status', () => {
    const { blocks, statuses } = seedPage();
    const put = served.doc().paths['/api/v1/oauth/register/{client_id}'].put;
    expect(Object.keys(put.responses)).toEqual(expect.arrayContaining(statuses));
    expect((put.parameters ?? []).map((p) => p.name)).toEqual(
      expect.arrayContaining(blocks.get('Request Parameters')!),
    );
    for (const [block, fields] of blocks) {
      const name =
        block === 'Request Body' ? 'ClientRegistrationUpdateRequest' : block.replace(/^dto\./, '');
      if (!served.doc().components.schemas[name]) continue;
      const props = Object.keys(served.doc().components.schemas[name].properties ?? {});
      expect(props, block).toEqual(expect.arrayContaining(fields));
    }
    for (const name of [
      'ClientRegistrationDetailResponse',
      'ClientRegistrationResponse',
      'OAuthErrorResponse',
    ]) {
      expect(blocks.has(`dto.${name}`)).toBe(true);
      expect(served.doc().components.schemas[name]).toBeDefined();
    }
  });

  it('gives every contract field a type, a description and (where the reference has one) an example', () => {
    for (const name of [
      'ClientRegistrationRequest',
      'ClientRegistrationResponse',
      'ClientRegistrationUpdateRequest',
    ]) {
      for (const [field, raw] of Object.entries(
        served.doc().components.schemas[name].properties!,
      )) {
        const p = raw as {
          type?: string;
          oneOf?: unknown;
          description?: string;
          example?: unknown;
        };
        expect(p.type ?? p.oneOf, `${name}.${field} type`).toBeDefined();
        expect(p.description, `${name}.${field} description`).toBeTruthy();
        expect(p.example, `${name}.${field} example`).toBeDefined();
      }
    }
  });

  it('declares the registration_access_token bearer scheme and is a valid OpenAPI document', async () => {
    const raw = JSON.parse(JSON.stringify(served.doc())) as {
      components: { securitySchemes: Record<string, unknown> };
    };
    expect(raw.components.securitySchemes.registration_access_token).toMatchObject({
      type: 'http',
      scheme: 'bearer',
    });
    await expect(SwaggerParser.validate(raw as never)).resolves.toBeDefined();
  });

  describe('"Try it out" and the examples', () => {
    type Media = {
      example?: Record<string, unknown>;
      examples?: Record<string, { value: object }>;
    };
    const media = (op: unknown, where: 'requestBody' | '201') => {
      const o = op as {
        requestBody: { content: Record<string, Media> };
        responses: Record<string, { content: Record<string, Media> }>;
      };
      return (where === 'requestBody' ? o.requestBody : o.responses['201']).content[
        'application/json'
      ];
    };

    // Both registration endpoints: the contract's envelope and the flat RFC 7591 one (docs/adr/0020).
    const styles: [string, string, (body: Record<string, unknown>) => Record<string, unknown>][] = [
      ['envelope', '/api/v1/oauth/register', (body) => body.data as Record<string, unknown>],
      ['flat', '/connect/register', (body) => body],
    ];

    it.each(styles)(
      '%s: registers with every documented POST %s example (201) and updates with every PUT example (200)',
      async (_style, path, info) => {
        const registerExamples = Object.values(
          media(served.doc().paths[path].post, 'requestBody').examples ?? {},
        );
        const updateExamples = Object.values(
          media(served.doc().paths[`${path}/{client_id}`].put, 'requestBody').examples ?? {},
        );
        expect(registerExamples.length).toBeGreaterThanOrEqual(1);
        expect(updateExamples.length).toBeGreaterThanOrEqual(1);
        const registered: Record<string, unknown>[] = [];
        for (const { value } of registerExamples) {
          const res = await request(served.app().url).post(path).send(value);
          expect(res.status, JSON.stringify(res.body)).toBe(201);
          registered.push(info(res.body as Record<string, unknown>));
        }
        let id = String(registered[0].client_id);
        let token = String(registered[0].registration_access_token);
        for (const { value } of updateExamples) {
          const res = await request(served.app().url)
            .put(`${path}/${id}`)
            .auth(token, { type: 'bearer' })
            .send(value);
          expect(res.status, JSON.stringify(res.body)).toBe(200);
          const updated = info(res.body as Record<string, unknown>);
          id = String(updated.client_id);
          token = String(updated.registration_access_token);
        }
      },
    );

    it.each(styles)(
      '%s: the 201 example of POST %s has the fields a registration really answers',
      async (style, path) => {
        const example = media(served.doc().paths[path].post, '201').example!;
        if (style === 'envelope') expect(example.code).toBe(201);
        const [first] = Object.values(
          media(served.doc().paths[path].post, 'requestBody').examples ?? {},
        );
        const real = (await request(served.app().url).post(path).send(first.value).expect(201))
          .body as Record<string, unknown>;
        expect(Object.keys(example).sort()).toEqual(Object.keys(real).sort());
        if (style === 'envelope') {
          expect(Object.keys(example.data as object).sort()).toEqual(
            Object.keys(real.data as object).sort(),
          );
        }
        const uri = (style === 'envelope' ? (example.data as typeof example) : example)
          .registration_client_uri;
        expect(String(uri)).toContain(`${path}/`);
      },
    );

    it('describes the registration access token as an opaque bearer token, not a JWT', () => {
      const schemes = (
        served.doc() as unknown as { components: { securitySchemes: Record<string, object> } }
      ).components.securitySchemes;
      expect(schemes.registration_access_token).toMatchObject({ type: 'http', scheme: 'bearer' });
      expect(schemes.registration_access_token).not.toHaveProperty('bearerFormat');
    });

    it('gives every path parameter a type', () => {
      const params = Object.values(served.doc().paths)
        .flatMap((ops) => Object.values(ops))
        .flatMap((op) => (op.parameters ?? []) as { in: string; name: string; schema?: object }[])
        .filter((p) => p.in === 'path');
      expect(params.length).toBeGreaterThanOrEqual(3);
      for (const p of params) expect(p.schema, p.name).toMatchObject({ type: 'string' });
    });
  });

  it('serves Swagger UI at /api/docs', async () => {
    const res = await request(served.app().url).get('/api/docs').redirects(1).expect(200);
    expect(res.text).toContain('swagger-ui');
  });
});

// The administration plane's client operations (O27-O33, issue 8): the same checks against the same
// reference copy, with the reference's schema names (their `dto.` / `gitee_com_linmes_authms_base_dto.`
// prefixes dropped, as for the registration schemas).
const adminOperations = () => [27, 28, 29, 30, 31, 32, 33].map(referenceOperation);

const ADMIN_SCHEMAS = [
  'OAuthClientItem',
  'OAuthClientItemDetailResponse',
  'OAuthClientListResponse',
  'CreateClientRequest',
  'CreateClientResponse',
  'CreateClientDetailResponse',
  'UpdateClientRequest',
  'CloneClientResponse',
  'CloneClientDetailResponse',
  'OAuthAuditLogItem',
  'OAuthAuditLogListResponse',
];

describe('Swagger document against the oauth-service contract (O27-O33, client management)', () => {
  const served = useServedDocument();

  it('parses the reference (so that the checks below cannot pass vacuously)', () => {
    const ops = adminOperations();
    expect(ops.map((o) => `${o.method} ${o.path}`)).toEqual([
      'get /admin/oauth/clients',
      'post /admin/oauth/clients',
      'get /admin/oauth/clients/{client_id}',
      'put /admin/oauth/clients/{client_id}',
      'delete /admin/oauth/clients/{client_id}',
      'get /admin/oauth/clients/{client_id}/audit-logs',
      'post /admin/oauth/clients/{client_id}/clone',
    ]);
    expect(ops[0].params).toEqual(['page', 'page_size', 'name', 'status']);
    expect(ops[1].bodyFields).toHaveLength(13);
    expect(ops[3].bodyFields).toHaveLength(14);
    expect(ops[4].statuses).toEqual(['204', '400', '401', '403', '404', '500']);
    expect(ops[0].schemas['200']).toBe('OAuthClientListResponse');
    expect(ops[0].schemas['401']).toBe('SimpleResponse');
    for (const name of ADMIN_SCHEMAS) {
      expect(referenceFields(`dto.${name}`).length, name).toBeGreaterThanOrEqual(3);
    }
  });

  it.each(adminOperations())(
    'documents $method $path with every parameter, body field, status and schema of the reference',
    (op) => {
      const operation = served.doc().paths[`/api/v1${op.path}`]?.[op.method];
      expect(operation, `${op.method} ${op.path}`).toBeDefined();
      expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(op.statuses));
      const params = (operation.parameters ?? []).map((p) => p.name);
      expect(params).toEqual(expect.arrayContaining(op.params));
      if (op.bodyFields.length > 0) {
        const ref = operation.requestBody!.content['application/json'].schema.$ref;
        const props = Object.keys(
          served.doc().components.schemas[schemaName(ref)!].properties ?? {},
        );
        expect(props).toEqual(expect.arrayContaining(op.bodyFields));
      }
      for (const status of op.statuses) {
        if (status === '204') continue;
        const content = operation.responses[status].content;
        expect(schemaName(content?.['application/json']?.schema.$ref), status).toBe(
          op.schemas[status],
        );
      }
      expect(operation.tags).toContain('OAuth Client Management');
      expect(operation.security).toEqual([{ access_token: [] }]);
    },
  );

  it('uses the reference schema names with every field of the catalogue', () => {
    for (const name of ADMIN_SCHEMAS) {
      const props = Object.keys(served.doc().components.schemas[name]?.properties ?? {});
      expect(props, name).toEqual(expect.arrayContaining(referenceFields(`dto.${name}`)));
    }
    for (const name of ['PageInfo', 'SimpleResponse']) {
      const props = Object.keys(served.doc().components.schemas[name]?.properties ?? {});
      expect(props, name).toEqual(
        expect.arrayContaining(referenceFields(`gitee_com_linmes_authms_base_dto.${name}`)),
      );
    }
  });
});
