import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { DataSource, EntityManager, QueryDeepPartialEntity, Repository } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata.js';
import { Clock } from '../common/time/clock.js';
import { metadataOf, type ClientMetadata } from './client-metadata.validator.js';
import type { SecretCandidate } from './client-secret-check.js';
import { insertRow, runInTransaction } from '../common/database/hot-sql.js';
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
  /** The stored `name_key` (the admin list's name filter), when the row was read with it. */
  nameKey?: string | null;
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
      return found ? toStoredClient(found.client, found.secrets) : null;
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
    return e
      ? toStoredClient(e, (e as ClientEntity & { candidates?: SecretCandidate[] }).candidates)
      : null;
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
   * nothing was written. Either way the statement bumps `version` and sets `updated_at` to the
   * database's `CURRENT_TIMESTAMP`, exactly as TypeORM's update builder did (docs/adr/0125).
   *
   * `read` is the row as read when the request was authenticated (the same client, in this request).
   * With it, the UPDATE first sets only the columns whose stored value differs from `read`'s, on the
   * condition that the row is still at `read.version`: every writer of these columns bumps the version,
   * so at that version the other columns already hold exactly the values the whole record would write.
   * If the row moved on meanwhile and no version was expected (last writer wins), the whole record is
   * written as before; if a version was expected, the update has lost.
   */
  async replaceIfCurrent(
    manager: EntityManager,
    clientId: string,
    expectedTokenHash: string,
    expectedVersion: number | null,
    next: ClientReplacement,
    read?: StoredClient,
  ): Promise<boolean> {
    const row = asRow({ ...next }) as Record<string, unknown>;
    const writer = this.replacement(manager);
    if (read && read.id === clientId && read.registrationAccessTokenHash === expectedTokenHash) {
      if (expectedVersion === null || expectedVersion === read.version) {
        const changed = await writer.update(
          manager,
          clientId,
          expectedTokenHash,
          read.version,
          row,
          read as unknown as Record<string, unknown>,
        );
        if (changed || expectedVersion !== null) return changed;
      }
    }
    return writer.update(manager, clientId, expectedTokenHash, expectedVersion, row, null);
  }

  private replacementWriter?: ReplacementWriter;

  private replacement(manager: EntityManager): ReplacementWriter {
    this.replacementWriter ??= new ReplacementWriter(manager.connection);
    return this.replacementWriter;
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

function toStoredClient(e: ClientEntity, candidates: SecretCandidate[] | undefined): StoredClient {
  return {
    id: e.id,
    clientIdIssuedAt: e.clientIdIssuedAt,
    secrets: candidates ?? [],
    registrationAccessTokenHash: e.registrationAccessTokenHash,
    version: e.version,
    selfRegistered: Boolean(e.selfRegistered),
    status: e.status,
    nameKey: e.nameKey,
    ...metadataOf(e),
  };
}

/**
 * The conditional UPDATE of an RFC 7592 §2.2 replacement as constant SQL (issue 11: TypeORM's update
 * builder and its per-statement query building cost ~300 µs per PUT). Values are converted by the
 * driver's `preparePersistentValue` (transformers, booleans), as TypeORM's update does; `version` is
 * bumped and `updated_at` set to `CURRENT_TIMESTAMP` in the same statement, as TypeORM does on both
 * SQLite and MariaDB. One SQL text per set of written columns, built once.
 */
class ReplacementWriter {
  private readonly columns = new Map<string, ColumnMetadata>();
  private readonly sql = new Map<string, string>();

  constructor(private readonly dataSource: DataSource) {}

  /**
   * Writes `row` (properties of ClientEntity) to the client if it still has `tokenHash`, is not deleted
   * and, when `version` is not null, is at `version`. With `read`, only the columns whose persisted
   * value differs from `read`'s are set. Returns whether the row was updated.
   */
  async update(
    manager: EntityManager,
    clientId: string,
    tokenHash: string,
    version: number | null,
    row: Record<string, unknown>,
    read: Record<string, unknown> | null,
  ): Promise<boolean> {
    const driver = this.dataSource.driver;
    const names: string[] = [];
    const params: unknown[] = [];
    for (const property in row) {
      const value = row[property];
      // TypeORM's update skips undefined properties: so does this one.
      if (value === undefined) continue;
      if (read && property in read && sameValue(read[property], value)) continue;
      const column = this.column(property);
      names.push(column.databaseName);
      params.push(driver.preparePersistentValue(value, column));
    }
    params.push(clientId, tokenHash);
    if (version !== null) params.push(version);
    const key = `${version !== null}\u0000${names.join('\u0000')}`;
    let sql = this.sql.get(key);
    if (!sql) {
      const set = names.map((n) => `\`${n}\` = ?`);
      // What TypeORM's UpdateQueryBuilder adds for the version and update-date columns.
      set.push('`version` = `version` + 1', '`updated_at` = CURRENT_TIMESTAMP');
      sql =
        `UPDATE \`oauth_clients\` SET ${set.join(', ')} ` +
        'WHERE `id` = ? AND `registration_access_token_hash` = ? AND `deleted_at` IS NULL' +
        (version !== null ? ' AND `version` = ?' : '');
      this.sql.set(key, sql);
    }
    return (await runInTransaction(manager, sql, params)) === 1;
  }

  private column(property: string): ColumnMetadata {
    let column = this.columns.get(property);
    if (!column) {
      column = this.dataSource.getMetadata(ClientEntity).findColumnWithPropertyName(property);
      if (!column) throw new Error(`ClientEntity has no column for ${property}`);
      this.columns.set(property, column);
    }
    return column;
  }
}

/**
 * Whether a property's value read from the row and its new value would be stored alike: equal
 * primitives, string arrays with the same items in the same order, or JSON objects with the same text
 * (what `jsonText` stores). Anything else counts as changed, which only costs a column in the UPDATE.
 */
function sameValue(before: unknown, after: unknown): boolean {
  if (before === undefined) return false;
  if (before === after) return true;
  if (Array.isArray(before) && Array.isArray(after)) {
    return before.length === after.length && before.every((v, i) => v === after[i]);
  }
  if (typeof before === 'object' && typeof after === 'object' && before && after) {
    return JSON.stringify(before) === JSON.stringify(after);
  }
  return false;
}
