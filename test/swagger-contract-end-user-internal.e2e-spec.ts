import { describe, expect, it } from 'vitest';
import {
  referenceFields,
  referenceOperation,
  useServedDocument,
} from './helpers/reference-contract.js';

// The contract of the end-user, per-user revocation and internal operations (O13-O15, O42, O50-O52): every operation of the
// reference copy in docs/reference/ is in the generated document at its path, with every parameter and
// status the reference lists, its 200 schema under the reference's name, and every field of the
// catalogue's schemas. Errors use SimpleResponse, as the reference gives them.
const OPERATIONS = [13, 14, 15, 42, 50, 51, 52].map(referenceOperation);

describe('Swagger document against the contract of O13-O15, O42 and O50-O52', () => {
  const served = useServedDocument();

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
      const o = served.doc().paths[`/api/v1${op.path}`]?.[op.method];
      expect(o, `${op.method} ${op.path}`).toBeDefined();
      expect(Object.keys(o.responses)).toEqual(expect.arrayContaining(op.statuses));
      expect((o.parameters ?? []).map((p) => p.name)).toEqual(expect.arrayContaining(op.params));
      const okStatus = op.statuses.find((x) => x.startsWith('2'))!;
      const ok = o.responses[okStatus].content!['application/json'].schema.$ref;
      expect(ok).toBe(`#/components/schemas/${op.okSchema}`);
      for (const status of op.statuses.filter((x) => !x.startsWith('2'))) {
        expect(o.responses[status].content!['application/json'].schema.$ref).toMatch(
          /\/SimpleResponse$/,
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
    const props = Object.keys(served.doc().components.schemas[name]?.properties ?? {});
    expect(props, name).toEqual(expect.arrayContaining(referenceFields(`dto.${name}`)));
  });

  it('wraps the payloads in envelopes named as in the reference', () => {
    const dataRef = (name: string) => {
      const data = served.doc().components.schemas[name].properties!.data;
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
    expect(served.doc().components.securitySchemes.internal_api_key).toEqual(
      expect.objectContaining({ type: 'apiKey', in: 'header', name: 'X-API-Key' }),
    );
  });
});
