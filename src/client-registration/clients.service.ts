import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { matchesHash, nowSeconds } from '../common/crypto/tokens.js';
import { parseResourceAllowList } from '../common/validation/resource.js';
import { ClientEntity, type TokenEndpointAuthMethod } from './entities/client.entity.js';

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
  /** Epoch seconds, 0 = never (RFC 7591 §3.2.1). */
  clientSecretExpiresAt: number;
  /** True for clients that authenticate with no secret or key (`none`). */
  isPublic: boolean;
  /**
   * RFC 8707 resources the operator allowed this client (exact URIs, or prefixes ending in `/`); null:
   * the server-wide `RESOURCE_INDICATORS_ALLOWED` applies.
   */
  allowedResources: string[] | null;
}

/** Result of checking a presented client secret. */
export type SecretCheck = 'valid' | 'invalid' | 'expired';

/** Maps the entity to the view other modules see. */
export function toRegisteredClient(e: ClientEntity): RegisteredClient {
  return {
    clientId: e.id,
    applicationType: e.applicationType,
    tokenEndpointAuthMethod: e.tokenEndpointAuthMethod,
    redirectUris: e.redirectUris,
    grantTypes: e.grantTypes,
    responseTypes: e.responseTypes,
    scopes: e.scope.split(' ').filter(Boolean),
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
    clientSecretExpiresAt: e.clientSecretExpiresAt,
    isPublic: e.tokenEndpointAuthMethod === 'none',
    allowedResources: e.allowedResources ?? null,
  };
}

/**
 * ClientRegistrationModule's exported service: the only way other modules read clients. Every call reads
 * the database, so an update or a delete through the registration API takes effect on the next request on
 * every instance.
 */
@Injectable()
export class ClientsService {
  constructor(@InjectRepository(ClientEntity) private readonly repo: Repository<ClientEntity>) {}

  /** The client if it exists and is not deleted (soft-deleted rows are excluded by TypeORM). */
  async findActiveById(clientId: string): Promise<RegisteredClient | null> {
    if (!isPlausibleClientId(clientId)) return null;
    const e = await this.repo.findOne({ where: { id: clientId } });
    return e ? toRegisteredClient(e) : null;
  }

  /**
   * Checks a client secret (RFC 6749 §2.3.1) in constant time against the stored hash, then its expiry
   * (`client_secret_expires_at`, RFC 7591 §3.2.1). Unknown and deleted clients are `invalid`.
   */
  async checkSecret(clientId: string, secret: string): Promise<SecretCheck> {
    return (await this.findActiveWithSecretCheck(clientId, secret))?.check ?? 'invalid';
  }

  /**
   * {@link findActiveById} and {@link checkSecret} in one read (the token endpoint needs both on every
   * request): the active client, or null, with the verdict on `secret`.
   */
  async findActiveWithSecretCheck(
    clientId: string,
    secret: string,
  ): Promise<{ client: RegisteredClient; check: SecretCheck } | null> {
    if (!isPlausibleClientId(clientId)) return null;
    const row = await this.repo
      .createQueryBuilder('c')
      .addSelect('c.clientSecretHash')
      .where('c.id = :id', { id: clientId })
      .getOne();
    if (!row) return null;
    let check: SecretCheck = 'valid';
    if (!row.clientSecretHash || !matchesHash(secret, row.clientSecretHash)) check = 'invalid';
    else if (row.clientSecretExpiresAt !== 0 && row.clientSecretExpiresAt <= nowSeconds()) {
      check = 'expired';
    }
    return { client: toRegisteredClient(row), check };
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
}

/** Thrown by {@link ClientsService.setAllowedResources} for an entry that is not a resource indicator. */
export class InvalidAllowedResourcesError extends Error {}

/** ULIDs are 26 Crockford base32 characters; anything else cannot be a client_id here. */
export function isPlausibleClientId(id: unknown): id is string {
  return typeof id === 'string' && /^[0-9A-HJKMNP-TV-Z]{26}$/.test(id);
}
