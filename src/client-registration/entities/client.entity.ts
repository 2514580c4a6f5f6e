import type { TokenEndpointAuthMethod } from '../../common/oauth/client-auth-methods.js';
import {
  Column,
  CreateDateColumn,
  DeleteDateColumn,
  Entity,
  Index,
  PrimaryColumn,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';
import { epochSeconds, jsonText } from '../../common/database/columns.js';

/** Administrative state of a client (reference `dto.OAuthClientItem.status`). */
export type ClientStatus = 'active' | 'suspended';
export const CLIENT_STATUSES: readonly ClientStatus[] = ['active', 'suspended'];

/** The `name_key` of a client name: what the admin list's name filter compares with. */
export function nameKey(name: string | null | undefined): string | null {
  return name ? name.normalize('NFC').toLowerCase().slice(0, 191) : null;
}

/** Who created a client: self-registration (RFC 7591), the admin API, the operator CLI, the internal API. */
export type ClientOrigin = 'registration' | 'admin' | 'cli' | 'internal';

/** RFC 7591 §2 `token_endpoint_auth_method` values this server supports (common/oauth). */
export type { TokenEndpointAuthMethod };

/**
 * A registered OAuth client (RFC 7591 §2 metadata plus server-managed fields). Its secrets are rows of
 * `client_secrets` (`ClientSecretEntity`); the registration access token is stored only as a SHA-256
 * hex hash (`select: false`, so an ordinary find never loads it). Soft-deleted through `deleted_at`
 * (reference §5.11); `version` guards concurrent updates (RFC 7592 §2.2 token rotation race).
 */
@Entity('oauth_clients')
// The admin list pages over live clients newest first, filtered by status or name (docs/adr/0050).
@Index('IDX_oauth_clients_deleted_at_status_id', ['deletedAt', 'status', 'id'])
@Index('IDX_oauth_clients_deleted_at_name_key_id', ['deletedAt', 'nameKey', 'id'])
export class ClientEntity {
  /** `client_id`, a ULID. */
  @PrimaryColumn({ name: 'id', type: 'varchar', length: 26 })
  id!: string;

  @Column({ name: 'client_id_issued_at', type: 'bigint', transformer: epochSeconds })
  clientIdIssuedAt!: number;

  @Column({ name: 'registration_access_token_hash', type: 'varchar', length: 64, select: false })
  registrationAccessTokenHash!: string;

  @Column({ name: 'application_type', type: 'varchar', length: 16, default: 'web' })
  applicationType!: 'web' | 'native';

  @Column({ name: 'token_endpoint_auth_method', type: 'varchar', length: 32 })
  tokenEndpointAuthMethod!: TokenEndpointAuthMethod;

  @Column({ name: 'redirect_uris', type: 'text', transformer: jsonText })
  redirectUris!: string[];

  @Column({ name: 'grant_types', type: 'text', transformer: jsonText })
  grantTypes!: string[];

  @Column({ name: 'response_types', type: 'text', transformer: jsonText })
  responseTypes!: string[];

  /** Space-separated scope values (RFC 7591 §2). */
  @Column({ name: 'scope', type: 'text' })
  scope!: string;

  @Column({ name: 'client_name', type: 'varchar', length: 255, nullable: true })
  clientName!: string | null;

  /**
   * `client_name` lower-cased (NFC, at most 191 characters), for the admin list's case-insensitive
   * prefix search through an index; kept in step by every write of `client_name`.
   */
  @Column({ name: 'name_key', type: 'varchar', length: 191, nullable: true })
  nameKey!: string | null;

  @Column({ name: 'client_uri', type: 'varchar', length: 2048, nullable: true })
  clientUri!: string | null;

  @Column({ name: 'logo_uri', type: 'varchar', length: 2048, nullable: true })
  logoUri!: string | null;

  @Column({ name: 'policy_uri', type: 'varchar', length: 2048, nullable: true })
  policyUri!: string | null;

  @Column({ name: 'tos_uri', type: 'varchar', length: 2048, nullable: true })
  tosUri!: string | null;

  @Column({ name: 'contacts', type: 'text', nullable: true, transformer: jsonText })
  contacts!: string[] | null;

  /** The client's JWK Set (public keys only), as a JSON object. */
  @Column({ name: 'jwks', type: 'text', nullable: true, transformer: jsonText })
  jwks!: { keys: Record<string, unknown>[] } | null;

  @Column({ name: 'jwks_uri', type: 'varchar', length: 2048, nullable: true })
  jwksUri!: string | null;

  @Column({ name: 'software_id', type: 'varchar', length: 255, nullable: true })
  softwareId!: string | null;

  @Column({ name: 'software_version', type: 'varchar', length: 255, nullable: true })
  softwareVersion!: string | null;

  /** OpenID Connect Registration §2 `id_token_signed_response_alg`; null: `TOKEN_ID_ALG` applies. */
  @Column({ name: 'id_token_signed_response_alg', type: 'varchar', length: 16, nullable: true })
  idTokenSignedResponseAlg!: 'RS256' | 'ES256' | null;

  /** RFC 9126 §6: authorization requests of this client must be pushed (PAR). */
  @Column({ name: 'require_pushed_authorization_requests', type: 'boolean', default: false })
  requirePushedAuthorizationRequests!: boolean;

  /** RFC 9449 §5.2: token requests of this client must carry a DPoP proof. */
  @Column({ name: 'dpop_bound_access_tokens', type: 'boolean', default: false })
  dpopBoundAccessTokens!: boolean;
  /** OIDC RP-Initiated Logout 1.0 §3.1 `post_logout_redirect_uris`; null when none are registered. */
  @Column({
    name: 'post_logout_redirect_uris',
    type: 'text',
    nullable: true,
    transformer: jsonText,
  })
  postLogoutRedirectUris!: string[] | null;

  /** OIDC Back-Channel Logout 1.0 §2.2 `backchannel_logout_uri`: where logout tokens are POSTed. */
  @Column({ name: 'backchannel_logout_uri', type: 'varchar', length: 2048, nullable: true })
  backchannelLogoutUri!: string | null;

  /** OIDC Back-Channel Logout 1.0 §2.2: the client needs `sid` in logout tokens (and ID tokens). */
  @Column({ name: 'backchannel_logout_session_required', type: 'boolean', default: false })
  backchannelLogoutSessionRequired!: boolean;

  /**
   * RFC 8707 resources this client may request tokens for (exact URIs, or prefixes ending in `/`), set by
   * the operator (`npm run client:resources`), never by the registration endpoints; null: the server-wide
   * `RESOURCE_INDICATORS_ALLOWED` applies. Preserved by PUT (RFC 7592 §2.2 leaves server-managed fields).
   */
  @Column({ name: 'allowed_resources', type: 'text', nullable: true, transformer: jsonText })
  allowedResources!: string[] | null;

  /**
   * The operator's grant to introspect tokens issued to other clients (a resource server, RFC 7662 §4);
   * set by `npm run client:create -- --introspect` or an admin API, never by the registration endpoints.
   * Without it a client introspects only its own tokens and learns `{"active": false}` about the rest.
   */
  @Column({ name: 'introspect_any_token', type: 'boolean', default: false })
  introspectAnyToken!: boolean;

  /**
   * Epoch seconds of the last token the client obtained, null = never. Written at most about once a minute
   * per client (so the token endpoint does not write on every request); read by idle-client reaping.
   */
  @Index('IDX_oauth_clients_last_token_at')
  @Column({
    name: 'last_token_at',
    type: 'bigint',
    nullable: true,
    transformer: epochSeconds,
  })
  lastTokenAt!: number | null;

  /**
   * True when the client registered itself without an initial access token (open registration, RFC 7591
   * §3): the consent page marks it unverified, `REGISTRATION_ALLOWED_REDIRECT_HOSTS` applies to its
   * redirect URIs, and `AUTHORIZE_UNTRUSTED_ERROR_PAGE` to its authorization errors. Never changed by PUT.
   */
  @Column({ name: 'self_registered', type: 'boolean', default: false })
  selfRegistered!: boolean;

  /**
   * `active` or `suspended` (issue 8): a suspended client gets no token at any grant and its tokens are
   * refused at once; its RFC 7592 registration can still be read.
   */
  @Column({ name: 'status', type: 'varchar', length: 16, default: 'active' })
  status!: ClientStatus;

  /**
   * Set only by an operator (`npm run client:create -- --admin`): the client may obtain the `admin` scope.
   * Never set by registration, whatever the client registers.
   */
  @Column({ name: 'admin_access', type: 'boolean', default: false })
  adminAccess!: boolean;

  /** The FAPI profile an administrator recorded for the client (reference `fapi_profile`), or null. */
  @Column({ name: 'fapi_profile', type: 'varchar', length: 32, nullable: true })
  fapiProfile!: string | null;

  /** The last four characters of the current secret (reference `secret_last_four`), or null. */
  @Column({ name: 'secret_last_four', type: 'varchar', length: 4, nullable: true })
  secretLastFour!: string | null;

  /** Who created the client (never changes). */
  @Column({ name: 'created_via', type: 'varchar', length: 16, default: 'registration' })
  createdVia!: ClientOrigin;

  @VersionColumn({ name: 'version' })
  version!: number;

  @CreateDateColumn({ name: 'created_at' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at' })
  updatedAt!: Date;

  @Index('IDX_oauth_clients_deleted_at')
  @DeleteDateColumn({ name: 'deleted_at', nullable: true })
  deletedAt!: Date | null;
}
