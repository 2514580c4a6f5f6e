import { Inject, Injectable, Logger } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { newUlid } from '../common/crypto/ids.js';
import { OAuthError } from '../common/errors/oauth-error.js';
import { generateToken, matchesHash, nowSeconds, sha256Hex } from '../common/crypto/tokens.js';
import {
  usesClientSecret,
  validateClientMetadata,
  type ClientMetadata,
  type ClientMetadataInput,
} from './client-metadata.validator.js';
import {
  CLIENT_SECRET_PREFIX,
  REGISTRATION_POLICY,
  REGISTRATION_SETTINGS,
  REGISTRATION_TOKEN_PREFIX,
} from './client-registration.constants.js';
import {
  CLIENT_DELETED,
  CLIENT_REGISTERED,
  CLIENT_UPDATED,
  ClientDeletedEvent,
  ClientRegisteredEvent,
  ClientUpdatedEvent,
} from './client-registration.events.js';
import type { RegistrationPolicy, RegistrationSettings } from './client-registration.options.js';
import {
  ClientRegistrationRepository,
  type StoredClient,
} from './client-registration.repository.js';
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

/** An arbitrary valid hash, compared against when the client does not exist, so timing reveals nothing. */
const DUMMY_HASH = sha256Hex('no such client');

/**
 * The rules of registration (RFC 7591 §3) and management (RFC 7592 §2): issue, read, replace and delete
 * clients. Credentials are generated here, shown once, and stored only as SHA-256 hashes.
 */
@Injectable()
export class ClientRegistrationService {
  private readonly logger = new Logger(ClientRegistrationService.name);

  constructor(
    private readonly store: ClientRegistrationRepository,
    @Inject(REGISTRATION_SETTINGS) private readonly settings: RegistrationSettings,
    @Inject(REGISTRATION_POLICY) private readonly policy: RegistrationPolicy,
    private readonly events: EventEmitter2,
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
    const metadata = this.validate(input);
    await this.policy.validate(metadata, { operation: 'register', ip });
    const clientId = newUlid();
    const issuedAt = nowSeconds();
    const clientSecret = usesClientSecret(metadata.tokenEndpointAuthMethod)
      ? generateToken(CLIENT_SECRET_PREFIX)
      : undefined;
    const registrationAccessToken = generateToken(REGISTRATION_TOKEN_PREFIX);
    const clientSecretExpiresAt = clientSecret ? this.secretExpiry(issuedAt) : 0;
    await this.store.insert({
      ...metadata,
      id: clientId,
      clientIdIssuedAt: issuedAt,
      clientSecretHash: clientSecret ? sha256Hex(clientSecret) : null,
      clientSecretExpiresAt,
      registrationAccessTokenHash: sha256Hex(registrationAccessToken),
    });
    this.emit(CLIENT_REGISTERED, new ClientRegisteredEvent(clientId));
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
      ...pickMetadata(client),
      clientId: client.id,
      clientIdIssuedAt: client.clientIdIssuedAt,
      clientSecretExpiresAt: client.clientSecretExpiresAt,
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
    // RFC 7592 §2.2: a client_secret in the body must match the current one (constant time).
    if (input.client_secret !== undefined && input.client_secret !== null) {
      if (!client.clientSecretHash || !matchesHash(input.client_secret, client.clientSecretHash)) {
        throw OAuthError.invalidClientMetadata(
          'client_secret does not match the current client secret',
        );
      }
    }
    const metadata = this.validate(input);
    await this.policy.validate(metadata, { operation: 'update', clientId: client.id, ip });

    let clientSecret: string | undefined;
    let clientSecretHash: string | null = null;
    let clientSecretExpiresAt = 0;
    if (usesClientSecret(metadata.tokenEndpointAuthMethod)) {
      if (client.clientSecretHash) {
        clientSecretHash = client.clientSecretHash;
        clientSecretExpiresAt = client.clientSecretExpiresAt;
      } else {
        // A client becoming confidential gets its first secret, shown once (RFC 7592 §2.2 lets the server
        // issue a new secret on update).
        clientSecret = generateToken(CLIENT_SECRET_PREFIX);
        clientSecretHash = sha256Hex(clientSecret);
        clientSecretExpiresAt = this.secretExpiry(nowSeconds());
      }
    }
    const registrationAccessToken = this.settings.rotateAccessToken
      ? generateToken(REGISTRATION_TOKEN_PREFIX)
      : auth.token;
    const written = await this.store.replaceIfCurrent(
      client.id,
      client.registrationAccessTokenHash,
      client.version,
      {
        ...metadata,
        clientSecretHash,
        clientSecretExpiresAt,
        registrationAccessTokenHash: sha256Hex(registrationAccessToken),
      },
    );
    // Another request with the same token won (its rotation made this token stale) or the client was
    // deleted meanwhile: to this caller the token is no longer valid (RFC 7592 §2.2, RFC 6750 §3.1).
    if (!written) throw OAuthError.invalidToken();
    this.emit(CLIENT_UPDATED, new ClientUpdatedEvent(client.id));
    return {
      ...metadata,
      clientId: client.id,
      clientIdIssuedAt: client.clientIdIssuedAt,
      clientSecretExpiresAt,
      clientSecret,
      registrationAccessToken,
    };
  }

  /**
   * Soft-deletes the client (RFC 7592 §2.3): from now on its secret and registration access token are
   * rejected. Listeners of `client.deleted` (token revocation) run before this returns.
   */
  async delete(auth: AuthenticatedRegistration): Promise<void> {
    const deleted = await this.store.softDeleteIfCurrent(
      auth.client.id,
      auth.client.registrationAccessTokenHash,
    );
    if (!deleted) throw OAuthError.invalidToken();
    await this.events.emitAsync(CLIENT_DELETED, new ClientDeletedEvent(auth.client.id));
  }

  private validate(input: ClientMetadataInput): ClientMetadata {
    return validateClientMetadata(input, {
      scopesSupported: this.settings.scopesSupported,
      defaultScope: this.settings.defaultScope,
      allowHttpLoopback: this.settings.allowHttpLoopback,
    });
  }

  private secretExpiry(issuedAt: number): number {
    return this.settings.secretTtlSeconds > 0 ? issuedAt + this.settings.secretTtlSeconds : 0;
  }

  /** Notifies listeners without letting a failing listener undo or fail a stored registration. */
  private emit(event: string, payload: object): void {
    this.events.emitAsync(event, payload).catch((e: unknown) => {
      this.logger.error(`A ${event} listener failed`, e instanceof Error ? e.stack : String(e));
    });
  }
}

function pickMetadata(c: StoredClient): ClientMetadata {
  return {
    redirectUris: c.redirectUris,
    tokenEndpointAuthMethod: c.tokenEndpointAuthMethod,
    grantTypes: c.grantTypes,
    responseTypes: c.responseTypes,
    applicationType: c.applicationType,
    scope: c.scope,
    clientName: c.clientName,
    clientUri: c.clientUri,
    logoUri: c.logoUri,
    policyUri: c.policyUri,
    tosUri: c.tosUri,
    contacts: c.contacts,
    jwks: c.jwks,
    jwksUri: c.jwksUri,
    softwareId: c.softwareId,
    softwareVersion: c.softwareVersion,
    idTokenSignedResponseAlg: c.idTokenSignedResponseAlg,
    postLogoutRedirectUris: c.postLogoutRedirectUris,
    backchannelLogoutUri: c.backchannelLogoutUri,
    backchannelLogoutSessionRequired: c.backchannelLogoutSessionRequired,
  };
}
