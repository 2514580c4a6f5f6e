import { usesClientSecret } from '../common/oauth/client-auth-methods.js';
import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type {
  EntityManager,
  QueryDeepPartialEntity,
  Repository,
  SelectQueryBuilder,
} from 'typeorm';
import { AuditService, diffFields, type AuditActor } from '../audit/index.js';
import { newUlid } from '../common/crypto/ids.js';
import { generateToken, sha256Hex } from '../common/crypto/tokens.js';
import { Clock } from '../common/time/clock.js';
import { OAuthError } from '../common/errors/oauth-error.js';
import { CLIENT_AUDIT_FIELDS, clientAuditView, credentialChange } from './client-audit.js';
import {
  metadataOf,
  validateClientMetadata,
  type ClientMetadata,
  type ClientMetadataInput,
} from './client-metadata.validator.js';
import {
  REGISTRATION_SETTINGS,
  REGISTRATION_TOKEN_PREFIX,
} from './client-registration.constants.js';
import {
  CLIENT_ACTIVATED,
  CLIENT_CLONED,
  CLIENT_CREATED,
  CLIENT_DELETED,
  CLIENT_SUSPENDED,
  CLIENT_UPDATED,
} from './client-registration.events.js';
import type { RegistrationSettings } from './client-registration.options.js';
import { ClientSecretsService } from './client-secrets.service.js';
import { ADMIN_SCOPE, isPlausibleClientId } from './clients.service.js';
import {
  ClientEntity,
  nameKey,
  type ClientOrigin,
  type ClientStatus,
} from './entities/client.entity.js';

/**
 * The fields of the reference's `dto.CreateClientRequest` / `dto.UpdateClientRequest`, as the service
 * takes them. Omitted fields keep their value on update (the reference's update is partial) and take the
 * RFC 7591 defaults on create.
 */
export interface AdminClientInput {
  name?: string;
  redirectUris?: string[];
  scopes?: string[];
  grantTypes?: string[];
  /** The token endpoint authentication method, as a one-element list (one method per client here). */
  clientAuthMethods?: string[];
  isConfidential?: boolean;
  /** A JWK Set, as an object or a JSON string (the reference types it as a string). */
  jwks?: string | Record<string, unknown> | null;
  jwksUri?: string | null;
  logoUrl?: string | null;
  privacyPolicy?: string | null;
  termsUrl?: string | null;
  website?: string | null;
  fapiProfile?: string | null;
  status?: ClientStatus;
}

/** Options of {@link ClientAdministrationService.create} only an operator path sets. */
export interface CreateOptions {
  /** Who creates the client (recorded; admin-created clients are never reaped). */
  origin: Exclude<ClientOrigin, 'registration'>;
  /** The client may obtain the `admin` scope (operator CLI only). */
  adminAccess?: boolean;
  /**
   * The client may introspect tokens issued to other clients (a resource server, RFC 7662 §4; operator
   * CLI only, issue 7 item 4). Without it, a client introspects only its own tokens.
   */
  introspectAnyToken?: boolean;
  ip?: string | null;
}

/** A client as the administration API shows it: metadata and state, never a credential. */
export interface AdministeredClient extends ClientMetadata {
  id: string;
  status: ClientStatus;
  fapiProfile: string | null;
  secretLastFour: string | null;
  adminAccess: boolean;
  createdVia: ClientOrigin;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  deletedAt: Date | null;
}

/** A created or cloned client with its secret, shown this once. */
export interface IssuedClient {
  client: AdministeredClient;
  clientSecret?: string;
}

/** Filters and position of one page of the list. */
export interface ListQuery {
  page: number;
  pageSize: number;
  /** Case-insensitive prefix of the client name. */
  name?: string;
  status?: ClientStatus;
  /** Keyset cursor: only clients with an id below this one (the last id of the previous page). */
  after?: string;
}

export interface ClientPage {
  items: AdministeredClient[];
  total: number;
}

/**
 * How deep `page` may reach with OFFSET (page × page_size): the list is ordered by id on an index, so
 * OFFSET costs one index step per skipped row; beyond this depth the caller narrows the filter or
 * continues with the `after` cursor, which costs the same at any depth (docs/adr/0050).
 */
export const MAX_LIST_OFFSET = 10_000;

/** Attempts of an update without `If-Match` against concurrent writers (last writer wins). */
const UPDATE_ATTEMPTS = 10;

/** A version precondition (`If-Match`, RFC 9110 §13.1.1) did not hold: 412. */
export class PreconditionFailedError extends Error {
  override name = 'PreconditionFailedError';
}

const notFound = () =>
  new OAuthError('not_found', 404, 'Client not found or does not belong to the current tenant');

/**
 * The administration of clients (reference O27-O33, issue 8): list, create, read, update (including
 * suspension), soft delete and clone, every change audited in its own transaction. The metadata rules are
 * those of registration (one validator), except that only an operator-flagged client may hold `admin`.
 */
@Injectable()
export class ClientAdministrationService {
  constructor(
    @InjectRepository(ClientEntity) private readonly repo: Repository<ClientEntity>,
    @Inject(REGISTRATION_SETTINGS) private readonly settings: RegistrationSettings,
    private readonly audit: AuditService,
    private readonly secrets: ClientSecretsService,
    private readonly clock: Clock,
  ) {}

  /**
   * One page of live clients, newest first (ULIDs order by creation), with the total matching the
   * filters. Every filter is served by an index; OFFSET is bounded by {@link MAX_LIST_OFFSET}.
   */
  async list(q: ListQuery): Promise<ClientPage> {
    const offset = q.after ? 0 : (q.page - 1) * q.pageSize;
    if (offset > MAX_LIST_OFFSET) {
      throw OAuthError.invalidRequest(
        `page reaches beyond ${MAX_LIST_OFFSET} clients; narrow the filter or continue with the after cursor`,
      );
    }
    const total = await clientListFilter(this.repo.createQueryBuilder('c'), q).getCount();
    const rows = await clientListPage(this.repo.createQueryBuilder('c'), q).getMany();
    return { items: rows.map(toAdministered), total };
  }

  /** The live client, or 404. */
  async get(clientId: string): Promise<AdministeredClient> {
    return toAdministered(await this.load(this.repo.manager, clientId));
  }

  /** Creates a client (reference O28); the secret of a confidential client is returned once. */
  async create(
    input: AdminClientInput,
    actor: AuditActor,
    options: CreateOptions,
  ): Promise<IssuedClient> {
    if (input.name === undefined || input.name.trim() === '') {
      throw OAuthError.invalidRequest('name is required');
    }
    const adminAccess = options.adminAccess ?? false;
    const metadata = this.validate(toMetadataInput(input, null), adminAccess);
    return this.audit.transaction(async (manager) => {
      const issued = await this.insert(manager, metadata, {
        adminAccess,
        introspectAnyToken: options.introspectAnyToken ?? false,
        origin: options.origin,
        fapiProfile: input.fapiProfile ?? null,
        status: input.status ?? 'active',
      });
      let changes = diffFields(
        null,
        clientAuditView(metadata, issued.client.status),
        CLIENT_AUDIT_FIELDS,
      );
      if (adminAccess) changes = { ...changes, admin_access: { to: true } };
      if (options.introspectAnyToken) changes = { ...changes, introspect_any_token: { to: true } };
      if (issued.clientSecret) changes = credentialChange(changes, 'client_secret', 'issued');
      await this.audit.record(manager, {
        clientId: issued.client.id,
        actor,
        operation: CLIENT_CREATED,
        changes,
        ip: options.ip,
      });
      return issued;
    });
  }

  /**
   * Updates the given fields of a client (reference O30), validated together with the kept ones. With
   * `ifMatch` (the versions of `If-Match` entity tags), the update applies only to one of them, or throws
   * {@link PreconditionFailedError}; without it, concurrent updates are applied one after the other, the
   * last one winning, and none fails for having raced another. A status change is audited as
   * `client.suspended` / `client.activated`, any other change as `client.updated`.
   */
  async update(
    clientId: string,
    input: AdminClientInput,
    actor: AuditActor,
    options: { ifMatch?: number[]; ip?: string | null } = {},
  ): Promise<AdministeredClient> {
    for (let attempt = 1; ; attempt++) {
      const done = await this.audit.transaction(async (manager) => {
        // The row is read locked (MySQL/MariaDB `FOR UPDATE`; SQLite serialises writers itself), so
        // concurrent updates queue behind each other instead of failing: the last one wins.
        const current = await this.load(manager, clientId, true);
        if (options.ifMatch !== undefined && !options.ifMatch.includes(current.version)) {
          throw new PreconditionFailedError();
        }
        const before = metadataOf(current);
        const metadata = this.validate(toMetadataInput(input, current), current.adminAccess);
        const status = input.status ?? current.status;
        const confidential = usesClientSecret(metadata.tokenEndpointAuthMethod);
        // A client that becomes public loses its secret; one that becomes confidential would need a new
        // secret, and this response has no place to show it once.
        const hadSecret = usesClientSecret(current.tokenEndpointAuthMethod);
        if (confidential && !hadSecret) {
          throw OAuthError.invalidRequest(
            'a public client cannot become confidential by update; create a new client or clone it',
          );
        }
        const fapiProfile =
          input.fapiProfile !== undefined ? input.fapiProfile : current.fapiProfile;
        const next: Partial<ClientEntity> = {
          ...metadata,
          nameKey: nameKey(metadata.clientName),
          status,
          fapiProfile,
        };
        if (!confidential) next.secretLastFour = null;
        const res = await manager
          .createQueryBuilder()
          .update(ClientEntity)
          .set(next)
          .where('id = :id', { id: clientId })
          .andWhere('version = :version', { version: current.version })
          .andWhere('deleted_at IS NULL')
          .execute();
        if (res.affected !== 1) return false;
        // A client that stops authenticating with a secret loses its secrets (client_secrets).
        if (!confidential && hadSecret) await this.secrets.removeAll(manager, clientId);
        let changes = diffFields(
          clientAuditView(before, current.status),
          clientAuditView(metadata, current.status),
          CLIENT_AUDIT_FIELDS,
        );
        if (fapiProfile !== current.fapiProfile) {
          changes = { ...changes, fapi_profile: { from: current.fapiProfile, to: fapiProfile } };
        }
        if (!confidential && hadSecret) {
          changes = credentialChange(changes, 'client_secret', 'removed');
        }
        if (Object.keys(changes).length > 0) {
          await this.audit.record(manager, {
            clientId,
            actor,
            operation: CLIENT_UPDATED,
            changes,
            ip: options.ip,
          });
        }
        if (status !== current.status) {
          await this.audit.record(manager, {
            clientId,
            actor,
            operation: status === 'suspended' ? CLIENT_SUSPENDED : CLIENT_ACTIVATED,
            changes: { status: { from: current.status, to: status } },
            ip: options.ip,
          });
        }
        return true;
      });
      if (done) return this.get(clientId);
      // Only without a row lock can another writer slip in between the read and the write (a change
      // outside this service, e.g. RFC 7592 PUT): with If-Match that is a failed precondition, without
      // it this update is applied again on top of theirs.
      if (options.ifMatch !== undefined) throw new PreconditionFailedError();
      if (attempt >= UPDATE_ATTEMPTS) {
        throw OAuthError.temporarilyUnavailable('client update kept losing to concurrent updates');
      }
    }
  }

  /**
   * Soft-deletes a client (reference O31): it stops working at once, and the `client.deleted` listeners
   * (token revocation, consents) run before this returns.
   */
  async delete(clientId: string, actor: AuditActor, ip?: string | null): Promise<void> {
    const deleted = await this.audit.transaction(async (manager) => {
      await this.load(manager, clientId);
      const res = await manager
        .createQueryBuilder()
        .softDelete()
        .from(ClientEntity)
        .where('id = :id', { id: clientId })
        .andWhere('deleted_at IS NULL')
        .execute();
      if (res.affected !== 1) return false;
      await this.audit.record(manager, { clientId, actor, operation: CLIENT_DELETED, ip });
      return true;
    });
    if (!deleted) throw notFound();
  }

  /**
   * Clones a client (reference O33): a new id and, for a confidential client, a new secret (shown once),
   * with the source's configuration. Admin access is not copied (only an operator grants it). Both
   * clients get an audit entry: `client.created` on the clone, `client.cloned` on the source.
   */
  async clone(clientId: string, actor: AuditActor, ip?: string | null): Promise<IssuedClient> {
    return this.audit.transaction(async (manager) => {
      const source = await this.load(manager, clientId);
      const metadata = metadataOf(source);
      metadata.clientName = `${source.clientName ?? source.id} (clone)`.slice(0, 255);
      metadata.scope =
        metadata.scope
          .split(' ')
          .filter((s) => s && s !== ADMIN_SCOPE)
          .join(' ') || this.settings.defaultScope;
      const issued = await this.insert(manager, metadata, {
        adminAccess: false,
        origin: 'admin',
        fapiProfile: source.fapiProfile,
        status: 'active',
        allowedResources: source.allowedResources,
      });
      let changes = diffFields(null, clientAuditView(metadata, 'active'), CLIENT_AUDIT_FIELDS);
      changes = { ...changes, cloned_from: { to: source.id } };
      if (issued.clientSecret) changes = credentialChange(changes, 'client_secret', 'issued');
      await this.audit.record(manager, {
        clientId: issued.client.id,
        actor,
        operation: CLIENT_CREATED,
        changes,
        ip,
      });
      await this.audit.record(manager, {
        clientId: source.id,
        actor,
        operation: CLIENT_CLONED,
        changes: { clone: { to: issued.client.id } },
        ip,
      });
      return issued;
    });
  }

  /**
   * The live client row, or 404 (also for ids that cannot be client ids); `lock` reads it for update.
   */
  private async load(
    manager: EntityManager,
    clientId: string,
    lock = false,
  ): Promise<ClientEntity> {
    if (!isPlausibleClientId(clientId)) throw notFound();
    const qb = manager.createQueryBuilder(ClientEntity, 'c').where('c.id = :id', { id: clientId });
    // TypeORM refuses pessimistic locks on SQLite, whose writers are serialised anyway.
    if (lock && manager.connection.options.type !== 'better-sqlite3') {
      qb.setLock('pessimistic_write');
    }
    const row = await qb.getOne();
    if (!row) throw notFound();
    return row;
  }

  private async insert(
    manager: EntityManager,
    metadata: ClientMetadata,
    extra: {
      adminAccess: boolean;
      introspectAnyToken?: boolean;
      origin: ClientOrigin;
      fapiProfile: string | null;
      status: ClientStatus;
      allowedResources?: string[] | null;
    },
  ): Promise<IssuedClient> {
    const id = newUlid();
    const issuedAt = this.clock.nowSeconds();
    // Admin-created clients get a registration access token too (RFC 7592 management keeps working for
    // every client), but it is not shown: the administrator manages the client here.
    const row: Partial<ClientEntity> = {
      ...metadata,
      id,
      clientIdIssuedAt: issuedAt,
      registrationAccessTokenHash: sha256Hex(generateToken(REGISTRATION_TOKEN_PREFIX)),
      nameKey: nameKey(metadata.clientName),
      status: extra.status,
      adminAccess: extra.adminAccess,
      introspectAnyToken: extra.introspectAnyToken ?? false,
      createdVia: extra.origin,
      fapiProfile: extra.fapiProfile,
      allowedResources: extra.allowedResources ?? null,
      // Created by an administrator, the CLI or the internal API: not open registration.
      selfRegistered: false,
    };
    await manager
      .createQueryBuilder()
      .insert()
      .into(ClientEntity)
      .values(row as QueryDeepPartialEntity<ClientEntity>)
      .updateEntity(false)
      .execute();
    // The first secret (client_secrets, shown once), in the same transaction.
    const clientSecret = usesClientSecret(metadata.tokenEndpointAuthMethod)
      ? (await this.secrets.issue(manager, id, issuedAt)).value
      : undefined;
    const stored = await manager.findOneOrFail(ClientEntity, { where: { id } });
    return { client: toAdministered(stored), clientSecret };
  }

  private validate(input: ClientMetadataInput, allowAdminScope: boolean): ClientMetadata {
    try {
      return validateClientMetadata(input, {
        scopesSupported: this.settings.scopesSupported,
        defaultScope: this.settings.defaultScope,
        allowHttpLoopback: this.settings.allowHttpLoopback,
        allowAdminScope,
      });
    } catch (e) {
      // The admin API answers the reference's 400 "Invalid request parameters" (invalid_request), with
      // the validator's description of the field.
      if (e instanceof OAuthError && e.status === 400) {
        throw OAuthError.invalidRequest(e.description);
      }
      throw e;
    }
  }
}

/**
 * The filters of the admin list on `qb` (alias `c`; soft-deleted rows are excluded by TypeORM): `status`
 * by equality and `name` as a case-insensitive prefix, a range on the indexed `name_key` rather than
 * LIKE (no escaping, and SQLite uses the index for a range but not for a case-folding LIKE).
 */
export function clientListFilter(
  qb: SelectQueryBuilder<ClientEntity>,
  q: Pick<ListQuery, 'status' | 'name'>,
): SelectQueryBuilder<ClientEntity> {
  if (q.status) qb.andWhere('c.status = :status', { status: q.status });
  const prefix = q.name ? nameKey(q.name) : null;
  if (prefix) {
    qb.andWhere('c.nameKey >= :lo AND c.nameKey < :hi', {
      lo: prefix,
      hi: `${prefix}\u{10FFFF}`,
    });
  }
  return qb;
}

/** One page of the admin list on `qb`: the filters, the keyset cursor, newest first, bounded OFFSET. */
export function clientListPage(
  qb: SelectQueryBuilder<ClientEntity>,
  q: ListQuery,
): SelectQueryBuilder<ClientEntity> {
  clientListFilter(qb, q);
  if (q.after) qb.andWhere('c.id < :after', { after: q.after });
  const offset = q.after ? 0 : (q.page - 1) * q.pageSize;
  return qb.orderBy('c.id', 'DESC').offset(offset).limit(q.pageSize);
}

/** The request fields over the current metadata (update) or over nothing (create), in RFC 7591 terms. */
function toMetadataInput(
  input: AdminClientInput,
  current: ClientEntity | null,
): ClientMetadataInput {
  const base: ClientMetadataInput = current
    ? {
        redirect_uris: current.redirectUris,
        token_endpoint_auth_method: current.tokenEndpointAuthMethod,
        grant_types: current.grantTypes,
        application_type: current.applicationType,
        client_name: current.clientName,
        client_uri: current.clientUri,
        logo_uri: current.logoUri,
        scope: current.scope,
        contacts: current.contacts,
        tos_uri: current.tosUri,
        policy_uri: current.policyUri,
        jwks_uri: current.jwksUri,
        jwks: current.jwks,
        software_id: current.softwareId,
        software_version: current.softwareVersion,
        id_token_signed_response_alg: current.idTokenSignedResponseAlg,
        // Metadata the admin API does not show is kept as the client registered it.
        require_pushed_authorization_requests: Boolean(current.requirePushedAuthorizationRequests),
        dpop_bound_access_tokens: Boolean(current.dpopBoundAccessTokens),
        post_logout_redirect_uris: current.postLogoutRedirectUris ?? null,
        backchannel_logout_uri: current.backchannelLogoutUri ?? null,
        backchannel_logout_session_required: Boolean(current.backchannelLogoutSessionRequired),
      }
    : {};
  const out: ClientMetadataInput = { ...base };
  if (input.name !== undefined) out.client_name = input.name;
  if (input.redirectUris !== undefined) out.redirect_uris = input.redirectUris;
  if (input.scopes !== undefined) out.scope = input.scopes.join(' ');
  if (input.grantTypes !== undefined) out.grant_types = input.grantTypes;
  // response_types follow the grant types (RFC 7591 §2.1); only `code` exists here.
  out.response_types = undefined;
  if (input.jwks !== undefined) {
    out.jwks = input.jwks === '' ? null : input.jwks;
    // jwks and jwks_uri exclude each other: setting one clears the other unless both are given.
    if (input.jwks && input.jwksUri === undefined) out.jwks_uri = null;
  }
  if (input.jwksUri !== undefined) {
    out.jwks_uri = input.jwksUri === '' ? null : input.jwksUri;
    if (input.jwksUri && input.jwks === undefined) out.jwks = null;
  }
  if (input.logoUrl !== undefined) out.logo_uri = input.logoUrl || null;
  if (input.privacyPolicy !== undefined) out.policy_uri = input.privacyPolicy || null;
  if (input.termsUrl !== undefined) out.tos_uri = input.termsUrl || null;
  if (input.website !== undefined) out.client_uri = input.website || null;
  const method = authMethod(input, current);
  if (method !== undefined) out.token_endpoint_auth_method = method;
  return out;
}

/** `client_auth_methods` and `is_confidential` mapped onto the one `token_endpoint_auth_method`. */
function authMethod(input: AdminClientInput, current: ClientEntity | null): string | undefined {
  const methods = input.clientAuthMethods;
  if (methods !== undefined && methods.length !== 1) {
    throw OAuthError.invalidRequest(
      'client_auth_methods must name exactly one method (one token endpoint authentication method per client)',
    );
  }
  const named = methods?.[0];
  if (input.isConfidential === undefined) return named;
  if (named !== undefined) {
    if ((named === 'none') === input.isConfidential) {
      throw OAuthError.invalidRequest(
        'is_confidential contradicts client_auth_methods ("none" is the public method)',
      );
    }
    return named;
  }
  if (!input.isConfidential) return 'none';
  const kept = current?.tokenEndpointAuthMethod;
  return kept && kept !== 'none' ? kept : 'client_secret_basic';
}

function toAdministered(c: ClientEntity): AdministeredClient {
  return {
    ...metadataOf(c),
    id: c.id,
    status: c.status,
    fapiProfile: c.fapiProfile,
    secretLastFour: c.secretLastFour,
    adminAccess: Boolean(c.adminAccess),
    createdVia: c.createdVia,
    version: c.version,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
    deletedAt: c.deletedAt,
  };
}
