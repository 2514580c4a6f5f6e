import type { AuditEntry } from '../../audit/index.js';
import { describeChanges } from '../../audit/index.js';
import type { AdministeredClient, IssuedClient } from '../../client-registration/index.js';
import { rfc3339 } from '../dto/simple-response.dto.js';
import type {
  CloneClientResponse,
  CreateClientResponse,
  OAuthAuditLogItem,
  OAuthClientItem,
} from './dto/client-responses.dto.js';

/** This server has one tenant; the reference's items carry a `tenant_id`. */
export const TENANT_ID = 'default';

/** The origins of the redirect URIs (`cors_origins`): where the client's browser code runs. */
function corsOrigins(c: AdministeredClient): string[] {
  const origins = new Set<string>();
  for (const uri of c.redirectUris) {
    try {
      const { origin } = new URL(uri);
      // Private-use schemes (native apps) have no web origin ("null").
      if (origin !== 'null') origins.add(origin);
    } catch {
      // Stored URIs were validated; nothing to add for one that no longer parses.
    }
  }
  return [...origins];
}

const scopes = (c: AdministeredClient) => c.scope.split(' ').filter(Boolean);

/** `dto.OAuthClientItem`. */
export function toClientItem(c: AdministeredClient): OAuthClientItem {
  return {
    id: c.id,
    client_id: c.id,
    name: c.clientName,
    redirect_uris: c.redirectUris,
    scopes: scopes(c),
    grant_types: c.grantTypes,
    client_auth_methods: [c.tokenEndpointAuthMethod],
    is_confidential: c.tokenEndpointAuthMethod !== 'none',
    cors_origins: corsOrigins(c),
    jwks_uri: c.jwksUri,
    logo_url: c.logoUri,
    privacy_policy: c.policyUri,
    terms_url: c.tosUri,
    website: c.clientUri,
    fapi_profile: c.fapiProfile,
    // Only hashes of secrets are stored: no part of a secret is kept to show (docs/administration.md).
    secret_last_four: null,
    status: c.status,
    tenant_id: TENANT_ID,
    created_at: rfc3339(new Date(c.createdAt)),
    updated_at: rfc3339(new Date(c.updatedAt)),
    deleted_at: c.deletedAt ? rfc3339(new Date(c.deletedAt)) : null,
  };
}

/** `dto.CreateClientResponse`: the item fields of the reference plus the secret, once. */
export function toCreateResponse(issued: IssuedClient): CreateClientResponse {
  const c = issued.client;
  return {
    id: c.id,
    client_id: c.id,
    ...(issued.clientSecret ? { client_secret: issued.clientSecret } : {}),
    name: c.clientName,
    redirect_uris: c.redirectUris,
    scopes: scopes(c),
    grant_types: c.grantTypes,
    client_auth_methods: [c.tokenEndpointAuthMethod],
    is_confidential: c.tokenEndpointAuthMethod !== 'none',
    cors_origins: corsOrigins(c),
    jwks: c.jwks ? JSON.stringify(c.jwks) : null,
    jwks_uri: c.jwksUri,
    logo_url: c.logoUri,
    privacy_policy: c.policyUri,
    terms_url: c.tosUri,
    website: c.clientUri,
    fapi_profile: c.fapiProfile,
    status: c.status,
  };
}

/** `dto.CloneClientResponse`. */
export function toCloneResponse(issued: IssuedClient): CloneClientResponse {
  const c = issued.client;
  return {
    id: c.id,
    client_id: c.id,
    ...(issued.clientSecret ? { client_secret: issued.clientSecret } : {}),
    name: c.clientName,
    redirect_uris: c.redirectUris,
    scopes: scopes(c),
    grant_types: c.grantTypes,
    client_auth_methods: [c.tokenEndpointAuthMethod],
    cors_origins: corsOrigins(c),
    jwks_uri: c.jwksUri,
    fapi_profile: c.fapiProfile,
    status: c.status,
  };
}

/** `dto.OAuthAuditLogItem`. */
export function toAuditItem(e: AuditEntry): OAuthAuditLogItem {
  return {
    id: e.id,
    action: e.operation,
    message: describeChanges(e.changes) || e.operation,
    changes: e.changes,
    operator_type: e.actor.type,
    operator_id: e.actor.id ?? null,
    ip: e.ip,
    level: 'info',
    module: 'oauth_client',
    status: 1,
    target_id: e.clientId,
    target_type: 'oauth_client',
    tenant_id: TENANT_ID,
    timestamp: Math.floor(new Date(e.createdAt).getTime() / 1000),
  };
}
