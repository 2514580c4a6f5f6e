import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { Clock } from '../common/time/clock.js';
import { parseResourceAllowList } from '../common/validation/resource.js';
import { ClientIdMetadataService } from './client-id-metadata.service.js';
import type { ClientMetadata } from './client-metadata.validator.js';
import { checkSecret, type SecretCandidate, type SecretCheck } from './client-secret-check.js';
import { ClientRows } from './client-rows.js';
import { ClientSecretEntity } from './entities/client-secret.entity.js';
import { ClientEntity, type TokenEndpointAuthMethod } from './entities/client.entity.js';

export type { SecretCheck } from './client-secret-check.js';

/**
 * The scope of the administration API (issue 8). Only clients an operator flagged (`admin_access`) can
 * ever hold it, whatever a client registers or requests; users additionally need the `admin` role.
 */
export const ADMIN_SCOPE = 'admin';

/** `last_used_at` of a secret is written at most this often: a token request rarely pays a write. */
export const SECRET_LAST_USED_RESOLUTION_SECONDS = 60;

/**
 * The read-only view of a registered client that other modules (authorize, token) work with. They never
 * see the entity, its hashes or its repository.
 */
export interface RegisteredClient {
  clientId: string;
  applicationType: 'web' | 'native';
  tokenEndpointAuthMethod: TokenEndpointAuthMethod;
  redirectUris: string[];
  grantTypes: string[];
  responseTypes: string[];
  /** Registered scope values (RFC 7591 §2 `scope`, split on spaces). */
  scopes: string[];
  clientName: string | null;
  clientUri: string | null;
  logoUri: string | null;
  policyUri: string | null;
  tosUri: string | null;
  jwks: { keys: Record<string, unknown>[] } | null;
  jwksUri: string | null;
  /** OpenID Connect Registration §2 `id_token_signed_response_alg`; null: the server's `TOKEN_ID_ALG`. */
  idTokenSignedResponseAlg: 'RS256' | 'ES256' | null;
  /** OIDC RP-Initiated Logout 1.0 §3.1 `post_logout_redirect_uris` (empty when none). */
  postLogoutRedirectUris: string[];
  /** OIDC Back-Channel Logout 1.0 §2.2 `backchannel_logout_uri`; null: no logout tokens. */
  backchannelLogoutUri: string | null;
  /** OIDC Back-Channel Logout 1.0 §2.2 `backchannel_logout_session_required`. */
  backchannelLogoutSessionRequired: boolean;
  /** True for clients that authenticate with no secret or key (`none`). */
  isPublic: boolean;
  /**
   * RFC 8707 resources the operator allowed this client (exact URIs, or prefixes ending in `/`); null:
   * the server-wide `RESOURCE_INDICATORS_ALLOWED` applies.
   */
  allowedResources: string[] | null;
  /**
   * The operator's grant to introspect tokens of other clients (resource servers, RFC 7662 §4); without
   * it the client may introspect only its own tokens.
   */
  introspectAnyToken: boolean;
  /** Epoch seconds of the last token the client obtained (recorded about once a minute), null = never. */
  lastTokenAt: number | null;
  /**
   * True when the client registered itself without an initial access token (open registration): shown as
   * unverified on the consent page, and subject to `AUTHORIZE_UNTRUSTED_ERROR_PAGE`. Client ID Metadata
   * Document clients are self-asserted too.
   */
  selfRegistered: boolean;
  /** RFC 9126 §6: the client's authorization requests must be pushed. */
  requirePushedAuthorizationRequests: boolean;
  /** RFC 9449 §5.2: the client's token requests must carry a DPoP proof. */
  dpopBoundAccessTokens: boolean;
  /** Set by an operator only: the client may obtain {@link ADMIN_SCOPE} (its `scopes` then include it). */
  adminAccess: boolean;
}

/**
 * The view of a Client ID Metadata Document client (the URL is its client_id): no secret, no operator
 * resource list, self-asserted (shown as unverified).
 */
export function metadataDocumentClient(clientId: string, m: ClientMetadata): RegisteredClient {
  return {
    clientId,
    applicationType: m.applicationType,
    tokenEndpointAuthMethod: m.tokenEndpointAuthMethod,
    redirectUris: m.redirectUris,
    grantTypes: m.grantTypes,
    responseTypes: m.responseTypes,
    scopes: m.scope.split(' ').filter(Boolean),
    clientName: m.clientName,
    clientUri: m.clientUri,
    logoUri: m.logoUri,
    policyUri: m.policyUri,
    tosUri: m.tosUri,
    jwks: m.jwks,
    jwksUri: m.jwksUri,
    idTokenSignedResponseAlg: m.idTokenSignedResponseAlg,
    isPublic: m.tokenEndpointAuthMethod === 'none',
    allowedResources: null,
    introspectAnyToken: false,
    lastTokenAt: null,
    selfRegistered: true,
    requirePushedAuthorizationRequests: m.requirePushedAuthorizationRequests,
    // `??` for documents cached before this field existed.
    dpopBoundAccessTokens: m.dpopBoundAccessTokens ?? false,
    // The document's own logout metadata (validated like a registration); `??` for documents cached
    // before these fields existed.
    postLogoutRedirectUris: m.postLogoutRedirectUris ?? [],
    backchannelLogoutUri: m.backchannelLogoutUri ?? null,
    backchannelLogoutSessionRequired: m.backchannelLogoutSessionRequired ?? false,
    adminAccess: false,
  };
}

/** Maps the entity to the view other modules see. */
export function toRegisteredClient(e: ClientEntity): RegisteredClient {
  return {
    clientId: e.id,
    applicationType: e.applicationType,
    tokenEndpointAuthMethod: e.tokenEndpointAuthMethod,
    redirectUris: e.redirectUris,
    grantTypes: e.grantTypes,
    responseTypes: e.responseTypes,
    // `admin` counts only for a client an operator allowed it, whatever its stored scope says.
    scopes: e.scope.split(' ').filter((s) => s && (s !== ADMIN_SCOPE || e.adminAccess)),
    clientName: e.clientName,
    clientUri: e.clientUri,
    logoUri: e.logoUri,
    policyUri: e.policyUri,
    tosUri: e.tosUri,
    jwks: e.jwks,
    jwksUri: e.jwksUri,
    idTokenSignedResponseAlg: e.idTokenSignedResponseAlg,
    postLogoutRedirectUris: e.postLogoutRedirectUris ?? [],
    backchannelLogoutUri: e.backchannelLogoutUri ?? null,
    backchannelLogoutSessionRequired: Boolean(e.backchannelLogoutSessionRequired),
    isPublic: e.tokenEndpointAuthMethod === 'none',
    allowedResources: e.allowedResources ?? null,
    introspectAnyToken: e.introspectAnyToken ?? false,
    lastTokenAt: e.lastTokenAt ?? null,
    selfRegistered: Boolean(e.selfRegistered),
    adminAccess: Boolean(e.adminAccess),
    requirePushedAuthorizationRequests: Boolean(e.requirePushedAuthorizationRequests),
    dpopBoundAccessTokens: Boolean(e.dpopBoundAccessTokens),
  };
}

/**
 * ClientRegistrationModule's exported service: the only way other modules read clients. Every call reads
 * the database, so an update or a delete through the registration API takes effect on the next request on
 * every instance.
 */
@Injectable()
export class ClientsService {
  constructor(
    @InjectRepository(ClientEntity) private readonly repo: Repository<ClientEntity>,
    @InjectRepository(ClientSecretEntity)
    private readonly secrets: Repository<ClientSecretEntity>,
    private readonly clock: Clock,
    private readonly metadataDocuments: ClientIdMetadataService,
  ) {
    this.clientRows = new ClientRows(repo.manager.connection);
  }

  private readonly clientRows: ClientRows;

  /**
   * The client if it exists, is not deleted (soft-deleted rows are excluded by TypeORM) and is not
   * suspended: a suspended client is refused everywhere a client is used (authorize, token, and the
   * access tokens it holds), on every instance at once, since this reads the database on every call. A client_id
   * that is an https URL is a Client ID Metadata Document client: resolved from the cached or fetched
   * document ({@link ClientIdMetadataService}), null when the document is unusable or not allowed.
   */
  async findActiveById(clientId: string): Promise<RegisteredClient | null> {
    if (typeof clientId === 'string' && this.metadataDocuments.isCandidate(clientId)) {
      const metadata = await this.metadataDocuments.resolve(clientId);
      return metadata ? metadataDocumentClient(clientId, metadata) : null;
    }
    if (!isPlausibleClientId(clientId)) return null;
    const e = await this.clientRows.one(
      'WHERE c.`id` = ? AND c.`deleted_at` IS NULL AND c.`status` = ?',
      [clientId, 'active'],
    );
    return e ? toRegisteredClient(e) : null;
  }

  /**
   * Whether the client exists and is not deleted, whatever its state (an administrator still sees a
   * suspended client's secrets and tokens).
   */
  async exists(clientId: string): Promise<boolean> {
    if (!isPlausibleClientId(clientId)) return false;
    return this.repo.exists({ where: { id: clientId } });
  }

  /**
   * Checks a client secret (RFC 6749 §2.3.1) against every secret of the client that still
   * authenticates (active ones, and rotated ones in their grace period), in constant time, then its
   * expiry (`client_secret_expires_at`, RFC 7591 §3.2.1). Unknown and deleted clients are `invalid`.
   */
  async checkSecret(clientId: string, secret: string): Promise<SecretCheck> {
    return (await this.findActiveWithSecretCheck(clientId, secret))?.check ?? 'invalid';
  }

  /**
   * {@link findActiveById} and {@link checkSecret} in one query (the token endpoint needs both on every
   * request): the active client joined with its candidate secrets, or null, with the verdict on `secret`.
   * A successful check records the secret's `last_used_at` when the stored value is older than
   * {@link SECRET_LAST_USED_RESOLUTION_SECONDS}, so at most one write per secret per minute.
   */
  async findActiveWithSecretCheck(
    clientId: string,
    secret: string,
  ): Promise<{ client: RegisteredClient; check: SecretCheck } | null> {
    if (!isPlausibleClientId(clientId)) return null;
    const now = this.clock.nowSeconds();
    // Active secrets (expired ones too, to say "expired"), and inactive ones still in their grace; a
    // suspended client does not authenticate: no token at any grant (issue 8). Constant SQL on the
    // token endpoint's hot path (HotSql), one row per candidate secret.
    const found = await this.clientRows.withSecrets(
      'WHERE c.`id` = ? AND c.`deleted_at` IS NULL AND c.`status` = ?',
      [now, clientId, 'active'],
    );
    if (!found) return null;
    const { client: row, secrets: candidates } = found;
    const { check, secret: used } = checkSecret(secret, candidates, now);
    if (used) await this.touch(used, now);
    return { client: toRegisteredClient(row), check };
  }

  /** Records that `secret` authenticated, unless that was recorded less than a minute ago. */
  private async touch(secret: SecretCandidate, now: number): Promise<void> {
    const threshold = now - SECRET_LAST_USED_RESOLUTION_SECONDS;
    if (secret.lastUsedAt !== null && secret.lastUsedAt > threshold) return;
    // Conditional, so that instances racing on the same minute write once; `updated_at` is left alone
    // (it tells when an operator changed the secret, not when it was used).
    await this.secrets
      .createQueryBuilder()
      .update(ClientSecretEntity)
      .set({ lastUsedAt: now, updatedAt: () => 'updated_at' })
      .where('id = :id', { id: secret.id })
      .andWhere('(last_used_at IS NULL OR last_used_at <= :threshold)', { threshold })
      .execute();
  }

  /**
   * Sets the RFC 8707 resources an active client may request (operator action: `npm run
   * client:resources`, or an admin API): a list replaces the server-wide `RESOURCE_INDICATORS_ALLOWED`
   * for this client (`[]` allows none); null returns the client to the server-wide list. Entries are
   * absolute URIs without a fragment, a trailing `/` making a prefix. Returns false for an unknown or
   * deleted client. The registration access token and `version` are untouched: this is not a client
   * update in the RFC 7592 sense, and it must not make a concurrent PUT of the client lose.
   */
  async setAllowedResources(clientId: string, resources: string[] | null): Promise<boolean> {
    let value: string[] | null = null;
    if (resources !== null) {
      try {
        value = parseResourceAllowList(resources);
      } catch (e) {
        throw new InvalidAllowedResourcesError((e as Error).message);
      }
    }
    if (!isPlausibleClientId(clientId)) return false;
    // `version` and `updated_at` are set to themselves: TypeORM would otherwise bump them, and a
    // concurrent PUT (conditional on the version) would lose for a change it cannot see.
    const res = await this.repo
      .createQueryBuilder()
      .update(ClientEntity)
      .set({ allowedResources: value, version: () => 'version', updatedAt: () => 'updated_at' })
      .where('id = :id', { id: clientId })
      .andWhere('deleted_at IS NULL')
      .execute();
    return res.affected === 1;
  }

  /**
   * Records that `client` just obtained a token at `now` (epoch seconds), cheaply: nothing when the value
   * read with the client on this request is less than {@link LAST_TOKEN_AT_RESOLUTION_SECONDS} old, or
   * when this instance already wrote it that recently; otherwise one conditional UPDATE that only moves the
   * value forward, so concurrent requests on several instances write it about once a minute in all.
   * Like {@link setAllowedResources} it leaves `version` and `updated_at` alone: usage is not an update
   * of the client and must not make a concurrent RFC 7592 PUT lose.
   */
  async recordTokenIssued(client: RegisteredClient, now: number): Promise<void> {
    // Client ID Metadata Document clients are not rows of oauth_clients.
    if (!isPlausibleClientId(client.clientId)) return;
    const resolution = LAST_TOKEN_AT_RESOLUTION_SECONDS;
    if (client.lastTokenAt !== null && now - client.lastTokenAt < resolution) return;
    const written = this.lastTokenWrites.get(client.clientId);
    if (written !== undefined && now - written < resolution && now >= written) return;
    // Bounded: the map only saves writes, forgetting it costs one UPDATE per client.
    if (this.lastTokenWrites.size >= 10_000) this.lastTokenWrites.clear();
    this.lastTokenWrites.set(client.clientId, now);
    await this.repo
      .createQueryBuilder()
      .update(ClientEntity)
      .set({ lastTokenAt: now, version: () => 'version', updatedAt: () => 'updated_at' })
      .where('id = :id', { id: client.clientId })
      .andWhere('(last_token_at IS NULL OR last_token_at <= :stale)', { stale: now - resolution })
      .execute();
  }

  /** Per instance: when this instance last wrote `last_token_at` of each client (epoch seconds). */
  private readonly lastTokenWrites = new Map<string, number>();
}

/**
 * How stale `last_token_at` may get, seconds: the token endpoint writes it only when the stored value is
 * older than this, so a busy client costs one small UPDATE a minute, not one per token.
 */
export const LAST_TOKEN_AT_RESOLUTION_SECONDS = 60;

/** Thrown by {@link ClientsService.setAllowedResources} for an entry that is not a resource indicator. */
export class InvalidAllowedResourcesError extends Error {}

/** ULIDs are 26 Crockford base32 characters; anything else cannot be a client_id here. */
export function isPlausibleClientId(id: unknown): id is string {
  return typeof id === 'string' && /^[0-9A-HJKMNP-TV-Z]{26}$/.test(id);
}
