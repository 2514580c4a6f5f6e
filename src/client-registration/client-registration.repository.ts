import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { QueryDeepPartialEntity, Repository } from 'typeorm';
import type { ClientMetadata } from './client-metadata.validator.js';
import { ClientEntity } from './entities/client.entity.js';

/** A client as the management endpoints see it: metadata plus the hashes and version they check. */
export interface StoredClient extends ClientMetadata {
  id: string;
  clientIdIssuedAt: number;
  clientSecretHash: string | null;
  clientSecretExpiresAt: number;
  registrationAccessTokenHash: string;
  version: number;
}

/** The new state written by an update (RFC 7592 §2.2): the whole record, never a patch. */
export interface ClientReplacement extends ClientMetadata {
  clientSecretHash: string | null;
  clientSecretExpiresAt: number;
  registrationAccessTokenHash: string;
}

/**
 * Intent-named queries of the registration endpoints over `oauth_clients`. Updates and deletes are
 * conditional on the registration access token hash (and version) read when the request was
 * authenticated, so that of concurrent requests made with one token exactly one takes effect.
 */
@Injectable()
export class ClientRegistrationRepository {
  constructor(@InjectRepository(ClientEntity) private readonly repo: Repository<ClientEntity>) {}

  /** The active client with its hashes (which ordinary finds never load), or null. */
  async findWithCredentials(clientId: string): Promise<StoredClient | null> {
    const e = await this.repo
      .createQueryBuilder('c')
      .addSelect(['c.clientSecretHash', 'c.registrationAccessTokenHash'])
      .where('c.id = :id', { id: clientId })
      .getOne();
    return e ? toStoredClient(e) : null;
  }

  /** Inserts a newly registered client (RFC 7591 §3.1). */
  async insert(client: Omit<StoredClient, 'version'>): Promise<void> {
    // updateEntity(false): nothing reads the generated columns back, so TypeORM need not SELECT them
    // (version, created_at, updated_at) after the INSERT on databases without RETURNING.
    await this.repo
      .createQueryBuilder()
      .insert()
      .into(ClientEntity)
      .values(asRow({ ...client }))
      .updateEntity(false)
      .execute();
  }

  /**
   * Replaces the whole record in one statement if the client is still active, still has the token hash
   * `expectedTokenHash` and is still at `expectedVersion`. Returns false when another request got there
   * first (or the client was deleted): nothing was written.
   */
  async replaceIfCurrent(
    clientId: string,
    expectedTokenHash: string,
    expectedVersion: number,
    next: ClientReplacement,
  ): Promise<boolean> {
    const res = await this.repo
      .createQueryBuilder()
      .update(ClientEntity)
      // TypeORM also bumps `version` and `updated_at` in the same statement.
      .set(asRow({ ...next }))
      .where('id = :id', { id: clientId })
      .andWhere('registration_access_token_hash = :hash', { hash: expectedTokenHash })
      .andWhere('version = :version', { version: expectedVersion })
      .andWhere('deleted_at IS NULL')
      .execute();
    return res.affected === 1;
  }

  /** Soft-deletes the client (RFC 7592 §2.3) if it still has the token hash; false otherwise. */
  async softDeleteIfCurrent(clientId: string, expectedTokenHash: string): Promise<boolean> {
    const res = await this.repo
      .createQueryBuilder()
      .softDelete()
      .where('id = :id', { id: clientId })
      .andWhere('registration_access_token_hash = :hash', { hash: expectedTokenHash })
      .andWhere('deleted_at IS NULL')
      .execute();
    return res.affected === 1;
  }
}

/** TypeORM's deep-partial type cannot express `Record<string, unknown>` (the JWK members). */
function asRow(values: Partial<StoredClient>): QueryDeepPartialEntity<ClientEntity> {
  return values as QueryDeepPartialEntity<ClientEntity>;
}

function toStoredClient(e: ClientEntity): StoredClient {
  return {
    id: e.id,
    clientIdIssuedAt: e.clientIdIssuedAt,
    clientSecretHash: e.clientSecretHash,
    clientSecretExpiresAt: e.clientSecretExpiresAt,
    registrationAccessTokenHash: e.registrationAccessTokenHash,
    version: e.version,
    redirectUris: e.redirectUris,
    tokenEndpointAuthMethod: e.tokenEndpointAuthMethod,
    grantTypes: e.grantTypes,
    responseTypes: e.responseTypes,
    applicationType: e.applicationType,
    scope: e.scope,
    clientName: e.clientName,
    clientUri: e.clientUri,
    logoUri: e.logoUri,
    policyUri: e.policyUri,
    tosUri: e.tosUri,
    contacts: e.contacts,
    jwks: e.jwks,
    jwksUri: e.jwksUri,
    softwareId: e.softwareId,
    softwareVersion: e.softwareVersion,
    idTokenSignedResponseAlg: e.idTokenSignedResponseAlg,
    postLogoutRedirectUris: e.postLogoutRedirectUris ?? null,
    backchannelLogoutUri: e.backchannelLogoutUri ?? null,
    backchannelLogoutSessionRequired: Boolean(e.backchannelLogoutSessionRequired),
  };
}
