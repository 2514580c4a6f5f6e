import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, QueryDeepPartialEntity, Repository } from 'typeorm';
import { Clock } from '../common/time/clock.js';
import { metadataOf, type ClientMetadata } from './client-metadata.validator.js';
import type { SecretCandidate } from './client-secret-check.js';
import { insertRow } from '../common/database/hot-sql.js';
import { ClientRows } from './client-rows.js';
import { ClientSecretEntity } from './entities/client-secret.entity.js';
import { ClientEntity, nameKey, type ClientStatus } from './entities/client.entity.js';

/** A client as the management endpoints see it: metadata plus the hashes and version they check. */
export interface StoredClient extends ClientMetadata {
  id: string;
  clientIdIssuedAt: number;
  /** Its active secrets and the rotated ones still in their grace period, with their hashes. */
  secrets: SecretCandidate[];
  registrationAccessTokenHash: string;
  version: number;
  /** Registered without an initial access token (open registration); kept by updates. */
  selfRegistered: boolean;
  /** `active` or `suspended` (a suspended client can still read its registration). */
  status: ClientStatus;
}

/** The new state written by an update (RFC 7592 §2.2): the whole record, never a patch. */
export interface ClientReplacement extends ClientMetadata {
  registrationAccessTokenHash: string;
}

/**
 * RFC 7591 §3.2.1 `client_secret_expires_at` of a client: the expiry of its newest active secret, 0 when
 * it has none (or that one never expires).
 */
export function clientSecretExpiresAt(secrets: readonly SecretCandidate[]): number {
  const active = secrets.filter((s) => s.status === 'active');
  // ULIDs sort by creation time: the greatest id is the newest secret.
  const newest = active.sort((a, b) => (a.id < b.id ? 1 : -1))[0];
  return newest?.expiresAt ?? 0;
}

/**
 * Intent-named queries of the registration endpoints over `oauth_clients`. Updates and deletes are
 * conditional on the registration access token hash (and version) read when the request was
 * authenticated, so that of concurrent requests made with one token exactly one takes effect.
 */
@Injectable()
export class ClientRegistrationRepository {
  constructor(
    @InjectRepository(ClientEntity) private readonly repo: Repository<ClientEntity>,
    private readonly clock: Clock,
  ) {
    this.clientRows = new ClientRows(repo.manager.connection);
  }

  private readonly clientRows: ClientRows;

  /**
   * The active client with its token hash and its secrets that still count (which ordinary finds never
   * load), in one query, or null. In `manager`'s transaction when given.
   */
  async findWithCredentials(
    clientId: string,
    manager?: EntityManager,
  ): Promise<StoredClient | null> {
    if (!manager) {
      // The RFC 7592 read and the authentication of every management request: constant SQL.
      const found = await this.clientRows.withSecrets(
        'WHERE c.`id` = ? AND c.`deleted_at` IS NULL',
        [this.clock.nowSeconds(), clientId],
      );
      return found ? toStoredClient({ ...found.client, candidates: found.secrets }) : null;
    }
    const e = await manager
      .createQueryBuilder(ClientEntity, 'c')
      .addSelect('c.registrationAccessTokenHash')
      .leftJoinAndMapMany(
        'c.candidates',
        ClientSecretEntity,
        's',
        "s.client_id = c.id AND (s.status = 'active' OR s.expires_at > :now)",
        { now: this.clock.nowSeconds() },
      )
      .addSelect('s.secretHash')
      .where('c.id = :id', { id: clientId })
      .getOne();
    return e ? toStoredClient(e) : null;
  }

  /** Inserts a newly registered client (RFC 7591 §3.1), in `manager`'s transaction. */
  async insert(
    manager: EntityManager,
    client: Omit<StoredClient, 'version' | 'secrets' | 'status'> & {
      /** The reference's `secret_last_four` of the client's first secret, written with the row. */
      secretLastFour?: string | null;
    },
  ): Promise<void> {
    // updateEntity(false): nothing reads the generated columns back, so TypeORM need not SELECT them
    // (version, created_at, updated_at) after the INSERT on databases without RETURNING.
    // Constant SQL in the transaction (HotSql's insertRow): nothing is read back.
    await insertRow(manager, ClientEntity, asRow({ ...client }) as Partial<ClientEntity>);
  }

  /**
   * Replaces the whole record in one statement, in `manager`'s transaction, if the client is still
   * active, still has the token hash `expectedTokenHash` and, when `expectedVersion` is given, is still at
   * that version. Returns false when another request got there first (or the client was deleted):
   * nothing was written.
   */
  async replaceIfCurrent(
    manager: EntityManager,
    clientId: string,
    expectedTokenHash: string,
    expectedVersion: number | null,
    next: ClientReplacement,
  ): Promise<boolean> {
    const qb = manager
      .createQueryBuilder()
      .update(ClientEntity)
      // TypeORM also bumps `version` and `updated_at` in the same statement.
      .set(asRow({ ...next }))
      .where('id = :id', { id: clientId })
      .andWhere('registration_access_token_hash = :hash', { hash: expectedTokenHash })
      .andWhere('deleted_at IS NULL');
    if (expectedVersion !== null) qb.andWhere('version = :version', { version: expectedVersion });
    const res = await qb.execute();
    return res.affected === 1;
  }

  /**
   * Soft-deletes the client (RFC 7592 §2.3) if it still has the token hash, in `manager`'s transaction;
   * false otherwise.
   */
  async softDeleteIfCurrent(
    manager: EntityManager,
    clientId: string,
    expectedTokenHash: string,
  ): Promise<boolean> {
    const res = await manager
      .createQueryBuilder()
      .softDelete()
      .from(ClientEntity)
      .where('id = :id', { id: clientId })
      .andWhere('registration_access_token_hash = :hash', { hash: expectedTokenHash })
      .andWhere('deleted_at IS NULL')
      .execute();
    return res.affected === 1;
  }
}

/**
 * The row values of `values`, with `name_key` derived from `client_name` when that is written. (TypeORM's
 * deep-partial type cannot express `Record<string, unknown>`, the JWK members.)
 */
function asRow(
  values: Partial<Omit<StoredClient, 'secrets'>> & { secretLastFour?: string | null },
): QueryDeepPartialEntity<ClientEntity> {
  const row: Partial<ClientEntity> = { ...(values as Partial<ClientEntity>) };
  if ('clientName' in values) row.nameKey = nameKey(values.clientName);
  return row as QueryDeepPartialEntity<ClientEntity>;
}

function toStoredClient(e: ClientEntity & { candidates?: SecretCandidate[] }): StoredClient {
  return {
    id: e.id,
    clientIdIssuedAt: e.clientIdIssuedAt,
    secrets: e.candidates ?? [],
    registrationAccessTokenHash: e.registrationAccessTokenHash,
    version: e.version,
    selfRegistered: Boolean(e.selfRegistered),
    status: e.status,
    ...metadataOf(e),
  };
}
