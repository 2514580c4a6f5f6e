import { usesClientSecret } from '../common/oauth/client-auth-methods.js';
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditService, diffFields, type AuditChanges } from '../audit/index.js';
import { newUlid } from '../common/crypto/ids.js';
import { OAuthError } from '../common/errors/oauth-error.js';
import { generateToken, matchesHash, sha256Hex } from '../common/crypto/tokens.js';
import { Clock } from '../common/time/clock.js';
import {
  metadataOf,
  validateClientMetadata,
  type ClientMetadata,
  type ClientMetadataInput,
} from './client-metadata.validator.js';
import {
  REGISTRATION_POLICY,
  REGISTRATION_SETTINGS,
  REGISTRATION_TOKEN_PREFIX,
} from './client-registration.constants.js';
import { CLIENT_AUDIT_FIELDS, clientAuditView, credentialChange } from './client-audit.js';
import { CLIENT_DELETED, CLIENT_REGISTERED, CLIENT_UPDATED } from './client-registration.events.js';
import type { RegistrationPolicy, RegistrationSettings } from './client-registration.options.js';
import {
  ClientRegistrationRepository,
  clientSecretExpiresAt,
  type StoredClient,
} from './client-registration.repository.js';
import { checkSecret, secretAuthenticates } from './client-secret-check.js';
import { ClientSecretsService, lastFour } from './client-secrets.service.js';
import { isPlausibleClientId } from './clients.service.js';

/**
 * The client information of one response (RFC 7591 §3.2.1, RFC 7592 §3): the stored metadata plus the
 * credentials shown with it. `clientSecret` is set only when a secret was issued by this very request.
 */
export interface ClientInformation extends ClientMetadata {
  clientId: string;
  clientIdIssuedAt: number;
  clientSecretExpiresAt: number;
  clientSecret?: string;
  registrationAccessToken: string;
}

/** A client authenticated by its registration access token (RFC 7592 §1). */
export interface AuthenticatedRegistration {
  client: StoredClient;
  /** The token presented, needed to echo it on read and to detect lost update races. */
  token: string;
}

/** Metadata input of an update: the metadata plus the two identity fields RFC 7592 §2.2 allows. */
export interface UpdateInput extends ClientMetadataInput {
  client_id?: string | null;
  client_secret?: string | null;
}

/** An update with If-Match lost to a concurrent change: the precondition no longer holds (412). */
export class StaleVersionError extends Error {
  override name = 'StaleVersionError';
}

/** An arbitrary valid hash, compared against when the client does not exist, so timing reveals nothing. */
const DUMMY_HASH = sha256Hex('no such client');

/**
 * The rules of registration (RFC 7591 §3) and management (RFC 7592 §2): issue, read, replace and delete
 * clients. Credentials are generated here, shown once, and stored only as SHA-256 hashes.
 */
@Injectable()
export class ClientRegistrationService {
  constructor(
    private readonly store: ClientRegistrationRepository,
    @Inject(REGISTRATION_SETTINGS) private readonly settings: RegistrationSettings,
    @Inject(REGISTRATION_POLICY) private readonly policy: RegistrationPolicy,
    private readonly audit: AuditService,
    private readonly secrets: ClientSecretsService,
    private readonly clock: Clock,
  ) {}

  /**
   * Checks a registration access token against the client in the path (RFC 7592 §1, constant time).
   * Unknown, deleted and other clients' ids all give `null`, after the same work.
   */
  async authenticate(clientId: unknown, token: string): Promise<AuthenticatedRegistration | null> {
    const client = isPlausibleClientId(clientId)
      ? await this.store.findWithCredentials(clientId)
      : null;
    const ok = matchesHash(token, client?.registrationAccessTokenHash ?? DUMMY_HASH);
    return client && ok ? { client, token } : null;
  }

  /** Registers a client (RFC 7591 §3.1): validates, issues its credentials, stores hashes only. */
  async register(input: ClientMetadataInput, ip: string): Promise<ClientInformation> {
    // Without initial access tokens anyone may register (RFC 7591 §3): the client is self-registered.
    const selfRegistered = this.settings.initialAccessTokens.length === 0;
    const metadata = this.validate(input, selfRegistered);
    await this.policy.validate(metadata, { operation: 'register', ip });
    const clientId = newUlid();
    const issuedAt = this.clock.nowSeconds();
    const registrationAccessToken = generateToken(REGISTRATION_TOKEN_PREFIX);
    // The client, its first secret and the audit entry commit together (never a confidential client
    // without a secret); `client.registered` is emitted after the commit.
    // The secret's value is made first so that its last four characters go into the client's INSERT.
    const secretValue = usesClientSecret(metadata.tokenEndpointAuthMethod)
      ? this.secrets.newSecretValue()
      : undefined;
    const secret = await this.audit.transaction(async (m) => {
      await this.store.insert(m, {
        ...metadata,
        id: clientId,
        clientIdIssuedAt: issuedAt,
        registrationAccessTokenHash: sha256Hex(registrationAccessToken),
        selfRegistered,
        secretLastFour: secretValue === undefined ? null : lastFour(secretValue),
      });
      const issued =
        secretValue === undefined
          ? undefined
          : await this.secrets.insertFirst(m, clientId, secretValue, issuedAt);
      let changes = diffFields(null, clientAuditView(metadata, 'active'), CLIENT_AUDIT_FIELDS);
      if (issued) changes = credentialChange(changes, 'client_secret', 'issued');
      await this.audit.record(m, {
        clientId,
        // A self-registration: the new client is its own author (RFC 7591 §3).
        actor: { type: 'client', id: clientId },
        operation: CLIENT_REGISTERED,
        changes,
        ip,
      });
      return issued;
    });
    const clientSecret = secret?.value;
    const clientSecretExpiresAt = secret?.expiresAt ?? 0;
    return {
      ...metadata,
      clientId,
      clientIdIssuedAt: issuedAt,
      clientSecretExpiresAt,
      clientSecret,
      registrationAccessToken,
    };
  }

  /**
   * The current client information (RFC 7592 §2.1). The secret is not shown again (only its hash is
   * stored); the registration access token shown is the one presented.
   */
  read(auth: AuthenticatedRegistration): ClientInformation {
    const { client } = auth;
    return {
      ...metadataOf(client),
      clientId: client.id,
      clientIdIssuedAt: client.clientIdIssuedAt,
      clientSecretExpiresAt: clientSecretExpiresAt(client.secrets),
      registrationAccessToken: auth.token,
    };
  }

  /**
   * Replaces the client's metadata (RFC 7592 §2.2): the body is the complete new metadata, validated as a
   * whole and written in one conditional statement, so an invalid or lost update changes nothing. Rotates
   * the registration access token unless rotation is off; switching to a secret method issues a secret,
   * switching away from one removes it.
   */
  async update(
    auth: AuthenticatedRegistration,
    input: UpdateInput,
    ip: string,
    options: { ifMatch?: boolean } = {},
  ): Promise<ClientInformation> {
    const { client } = auth;
    // RFC 7592 §2.2: client_id is optional in the body but must match the client being updated.
    if (
      input.client_id !== undefined &&
      input.client_id !== null &&
      input.client_id !== client.id
    ) {
      throw OAuthError.invalidClientMetadata(
        'client_id in the body must equal the client_id in the path',
      );
    }
    // RFC 7592 §2.2: a client_secret in the body must match a current one (constant time, against every
    // secret that still authenticates; an expired one matches too, so that the PUT can renew it).
    if (input.client_secret !== undefined && input.client_secret !== null) {
      const { check } = checkSecret(input.client_secret, client.secrets, this.clock.nowSeconds());
      if (check === 'invalid') {
        throw OAuthError.invalidClientMetadata(
          'client_secret does not match the current client secret',
        );
      }
    }
    const metadata = this.validate(input, client.selfRegistered);
    await this.policy.validate(metadata, { operation: 'update', clientId: client.id, ip });

    const rotate = this.settings.rotateAccessToken;
    const registrationAccessToken = rotate ? generateToken(REGISTRATION_TOKEN_PREFIX) : auth.token;
    // The update, its secret changes and the audit entry commit together; `client.updated` is emitted
    // after the commit.
    const written = await this.audit.transaction(async (m) => {
      // With rotation, of concurrent PUTs with one token exactly one wins (the others' token is stale).
      // Without it the token stays valid for all of them: last writer wins (issue 7 item 15), so the
      // version is not part of the condition — unless the caller sent If-Match (RFC 9110 §13.1.1).
      const ok = await this.store.replaceIfCurrent(
        m,
        client.id,
        client.registrationAccessTokenHash,
        rotate || options.ifMatch ? client.version : null,
        { ...metadata, registrationAccessTokenHash: sha256Hex(registrationAccessToken) },
        // The row read when authenticating: only the columns this PUT changes are written.
        client,
      );
      if (!ok) return null;
      const secrets = await this.reconcileSecrets(
        m,
        client,
        usesClientSecret(metadata.tokenEndpointAuthMethod),
      );
      let changes: AuditChanges = diffFields(
        clientAuditView(metadataOf(client), client.status),
        clientAuditView(metadata, client.status),
        CLIENT_AUDIT_FIELDS,
      );
      if (secrets.change) changes = credentialChange(changes, 'client_secret', secrets.change);
      if (rotate) changes = credentialChange(changes, 'registration_access_token', 'rotated');
      await this.audit.record(m, {
        clientId: client.id,
        actor: { type: 'registration_access_token' },
        operation: CLIENT_UPDATED,
        changes,
        ip,
      });
      return secrets;
    });
    // Another request with the same token won (its rotation made this token stale), with If-Match the
    // client changed since it was read, or it was deleted meanwhile (RFC 7592 §2.2, RFC 6750 §3.1).
    if (!written) throw options.ifMatch ? new StaleVersionError() : OAuthError.invalidToken();
    const { clientSecret, clientSecretExpiresAt: expiresAt } = written;
    return {
      ...metadata,
      clientId: client.id,
      clientIdIssuedAt: client.clientIdIssuedAt,
      clientSecretExpiresAt: expiresAt,
      clientSecret,
      registrationAccessToken,
    };
  }

  /**
   * Brings the client's secrets in line with its new method, in the update's transaction (after the
   * UPDATE, so under the client row's lock: concurrent PUTs see each other's secrets). A client that
   * authenticates with a secret keeps its usable ones; one that has none usable — it just became
   * confidential, or its secret expired — gets a new one, shown once (RFC 7592 §2.2 lets the server issue
   * a new secret on update; the expired one is retired as by a rotation). A client that no longer uses a
   * secret loses them all.
   */
  private async reconcileSecrets(
    m: EntityManager,
    client: StoredClient,
    usesSecret: boolean,
  ): Promise<{
    clientSecret?: string;
    clientSecretExpiresAt: number;
    change?: 'issued' | 'renewed' | 'removed';
  }> {
    const clientId = client.id;
    const now = this.clock.nowSeconds();
    // The common PUT (a secret client staying one, with a usable active secret when the request was
    // authenticated) changes no secret, whatever a concurrent request did to the secrets meanwhile: a
    // rotation or a second secret leaves an active one, and a deactivation that commits after this
    // UPDATE is ordered after this PUT (which then rightly issued nothing). So the secrets read with
    // the request stand, and the re-read under the row lock (a SELECT per PUT) is needed only when
    // the method changes or no active secret was seen.
    if (
      usesSecret &&
      usesClientSecret(client.tokenEndpointAuthMethod) &&
      client.secrets.some((s) => s.status === 'active' && secretAuthenticates(s, now))
    ) {
      return { clientSecretExpiresAt: clientSecretExpiresAt(client.secrets) };
    }
    const current = (await this.store.findWithCredentials(clientId, m))?.secrets ?? [];
    if (!usesSecret) {
      await this.secrets.removeAll(m, clientId);
      return { clientSecretExpiresAt: 0, ...(current.length > 0 ? { change: 'removed' } : {}) };
    }
    if (current.some((s) => s.status === 'active' && secretAuthenticates(s, now))) {
      return { clientSecretExpiresAt: clientSecretExpiresAt(current) };
    }
    const retired = await this.secrets.retireActive(m, clientId);
    const issued = await this.secrets.issue(m, clientId, now);
    return {
      clientSecret: issued.value,
      clientSecretExpiresAt: issued.expiresAt,
      change: retired.length > 0 ? 'renewed' : 'issued',
    };
  }

  /**
   * Soft-deletes the client (RFC 7592 §2.3): from now on its secret and registration access token are
   * rejected. Listeners of `client.deleted` (token revocation) run before this returns.
   */
  async delete(auth: AuthenticatedRegistration, ip = ''): Promise<void> {
    const deleted = await this.audit.transaction(async (m) => {
      const ok = await this.store.softDeleteIfCurrent(
        m,
        auth.client.id,
        auth.client.registrationAccessTokenHash,
      );
      if (!ok) return false;
      await this.audit.record(m, {
        clientId: auth.client.id,
        actor: { type: 'registration_access_token' },
        operation: CLIENT_DELETED,
        ip,
      });
      return true;
    });
    if (!deleted) throw OAuthError.invalidToken();
  }

  /**
   * The built-in rules; a self-registered client's (RFC 7591 §3 open registration, and its RFC 7592
   * updates) http(s) redirect hosts must also be on `allowedRedirectHosts`.
   */
  private validate(input: ClientMetadataInput, selfRegistered: boolean): ClientMetadata {
    return validateClientMetadata(input, {
      scopesSupported: this.settings.scopesSupported,
      defaultScope: this.settings.defaultScope,
      allowHttpLoopback: this.settings.allowHttpLoopback,
      allowedRedirectHosts: selfRegistered ? this.settings.allowedRedirectHosts : null,
    });
  }
}
