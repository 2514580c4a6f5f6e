import type { AuditChanges } from '../audit/index.js';
import type { ClientMetadata } from './client-metadata.validator.js';
import type { ClientStatus } from './entities/client.entity.js';

/**
 * The public fields of a client as the audit trail names them (RFC 7591 §2 names, plus `status`). Only
 * these are ever compared: credentials and their hashes are not in the view, so no diff can carry them.
 */
export interface ClientAuditView {
  redirect_uris: string[];
  token_endpoint_auth_method: string;
  grant_types: string[];
  response_types: string[];
  application_type: string;
  scope: string;
  client_name: string | null;
  client_uri: string | null;
  logo_uri: string | null;
  policy_uri: string | null;
  tos_uri: string | null;
  contacts: string[] | null;
  jwks: unknown;
  jwks_uri: string | null;
  software_id: string | null;
  software_version: string | null;
  id_token_signed_response_alg: string | null;
  status: ClientStatus;
}

export const CLIENT_AUDIT_FIELDS: readonly (keyof ClientAuditView)[] = [
  'status',
  'client_name',
  'redirect_uris',
  'scope',
  'grant_types',
  'response_types',
  'token_endpoint_auth_method',
  'application_type',
  'client_uri',
  'logo_uri',
  'policy_uri',
  'tos_uri',
  'contacts',
  'jwks',
  'jwks_uri',
  'software_id',
  'software_version',
  'id_token_signed_response_alg',
];

/** The audit view of a client's metadata and status. */
export function clientAuditView(m: ClientMetadata, status: ClientStatus): ClientAuditView {
  return {
    redirect_uris: m.redirectUris,
    token_endpoint_auth_method: m.tokenEndpointAuthMethod,
    grant_types: m.grantTypes,
    response_types: m.responseTypes,
    application_type: m.applicationType,
    scope: m.scope,
    client_name: m.clientName,
    client_uri: m.clientUri,
    logo_uri: m.logoUri,
    policy_uri: m.policyUri,
    tos_uri: m.tosUri,
    contacts: m.contacts,
    jwks: m.jwks,
    jwks_uri: m.jwksUri,
    software_id: m.softwareId,
    software_version: m.softwareVersion,
    id_token_signed_response_alg: m.idTokenSignedResponseAlg,
    status,
  };
}

/**
 * Marks a credential change in a diff without its value (issue 8: a diff never contains a secret):
 * `client_secret: {to: "(issued)"}`.
 */
export function credentialChange(
  changes: AuditChanges,
  field: 'client_secret' | 'registration_access_token',
  what: 'issued' | 'renewed' | 'rotated' | 'removed',
): AuditChanges {
  return { ...changes, [field]: { to: `(${what})` } };
}
