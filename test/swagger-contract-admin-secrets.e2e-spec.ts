import { describe, expect, it } from 'vitest';
import {
  referenceFields,
  referenceOperation,
  schemaName,
  useServedDocument,
} from './helpers/reference-contract.js';

// The contract of the secrets and usage endpoints: sections O34-O41 of the oauth-service reference and
// their schemas (the copy in docs/reference/, as test/swagger-contract.e2e-spec.ts does for O17-O20). The
// generated OpenAPI document must have every operation, parameter and status code they list, the
// reference's schema names, and every field of those schemas.
const referenceOperations = () => [34, 35, 36, 37, 38, 39, 40, 41].map(referenceOperation);

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

describe('Swagger document against the oauth-service contract (O34-O41)', () => {
  const served = useServedDocument();

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
      const operation = served.doc().paths[`/api/v1${op.path}`]?.[op.method];
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
        } else if (status !== '204') expect(ref, status).toBe(op.okSchema);
      }
      expect(operation.tags).toContain('OAuth Client Management');
      expect(operation.security?.length).toBeGreaterThan(0);
    },
  );

  it('uses the reference schema names with every field of the catalogue', () => {
    for (const name of SCHEMAS) {
      const props = Object.keys(served.doc().components.schemas[name]?.properties ?? {});
      expect(props, name).toEqual(expect.arrayContaining(referenceFields(`dto.${name}`)));
    }
  });
});
