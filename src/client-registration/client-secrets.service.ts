import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { newUlid } from '../common/crypto/ids.js';
import { insertRow } from '../common/database/hot-sql.js';
import { generateToken, sha256Hex } from '../common/crypto/tokens.js';
import { Clock } from '../common/time/clock.js';
import { usesClientSecret } from '../common/oauth/client-auth-methods.js';
import { secretAuthenticates } from './client-secret-check.js';
import { CLIENT_SECRET_PREFIX, REGISTRATION_SETTINGS } from './client-registration.constants.js';
import type { RegistrationSettings } from './client-registration.options.js';
import { isPlausibleClientId } from './clients.service.js';
import { ClientSecretEntity, type ClientSecretStatus } from './entities/client-secret.entity.js';
import { ClientEntity } from './entities/client.entity.js';

/** The reference's "at most 2 active secrets" (O36). */
export const MAX_ACTIVE_SECRETS = 2;

/** A secret's metadata (reference `dto.OAuthClientSecretResponse`): never its value or hash. */
export interface ClientSecretInfo {
  secretId: string;
  status: ClientSecretStatus;
  /** Epoch seconds after which it stops authenticating; 0 = never. */
  expiresAt: number;
  lastUsedAt: number | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A newly issued secret: its value, shown once, and its metadata. */
export interface IssuedSecret extends ClientSecretInfo {
  value: string;
}

/** What a secret operation did, for the caller's audit entry (never a secret value or hash). */
export interface SecretChange {
  clientId: string;
  operation: 'secret.created' | 'secret.rotated' | 'secret.deactivated' | 'secret.deleted';
  secretId: string;
  /** The secrets a rotation moved into their grace period, with when it ends. */
  retired?: { secretId: string; expiresAt: number }[];
}

/** Why a secret operation was refused; the admin API maps each to the reference's status. */
export class ClientSecretError extends Error {
  constructor(
    readonly reason:
      | 'client_not_found'
      | 'secret_not_found'
      | 'not_confidential'
      | 'too_many_active'
      | 'last_active_secret',
    message: string,
  ) {
    super(message);
    this.name = 'ClientSecretError';
  }
}

/**
 * The secrets of confidential clients (RFC 6749 §2.3.1) as a set: issue, rotate with a grace period,
 * create a second one for a switch-over, deactivate, delete, list (the oauth-service reference's
 * O34–O38). Values are generated here, returned once and stored only as SHA-256 hashes, like every
 * secret of this server. Each operation runs in the caller's transaction (`manager`) when given one, so
 * that an audit row written beside it commits or rolls back with it.
 *
 * Rules: a confidential client has at most {@link MAX_ACTIVE_SECRETS} active secrets; rotation makes the
 * active ones inactive but lets them authenticate for the grace period (`secretRotationGraceSeconds`);
 * deactivation stops a secret at once (tokens already issued stay valid: they do not depend on it);
 * deletion removes a row, but never the client's last active secret.
 */
@Injectable()
export class ClientSecretsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(REGISTRATION_SETTINGS) private readonly settings: RegistrationSettings,
    private readonly clock: Clock,
  ) {}

  /** Every secret of an active client, newest first (reference O35), or `client_not_found`. */
  async list(clientId: string, manager?: EntityManager): Promise<ClientSecretInfo[]> {
    const m = manager ?? this.dataSource.manager;
    await this.requireClient(m, clientId);
    const rows = await m.find(ClientSecretEntity, {
      where: { clientId },
      order: { id: 'DESC' },
    });
    return rows.map(toInfo);
  }

  /**
   * Issues one more active secret (reference O36), for a switch-over without downtime: deploy the new
   * one, then deactivate or delete the old. Refused when the client already has two active secrets.
   */
  async create(
    clientId: string,
    manager?: EntityManager,
  ): Promise<{ issued: IssuedSecret; change: SecretChange }> {
    return this.inTransaction(manager, async (m) => {
      await this.requireConfidential(m, clientId, true);
      const now = this.clock.nowSeconds();
      const active = (await this.activeSecrets(m, clientId)).filter((s) =>
        secretAuthenticates(s, now),
      );
      if (active.length >= MAX_ACTIVE_SECRETS) {
        throw new ClientSecretError(
          'too_many_active',
          `The client already has ${MAX_ACTIVE_SECRETS} active secrets`,
        );
      }
      const issued = await this.issue(m, clientId);
      return {
        issued,
        change: { clientId, operation: 'secret.created', secretId: issued.secretId },
      };
    });
  }

  /**
   * Rotates the client's secret (reference O34): issues a new active secret and makes every active one
   * inactive, still authenticating for the grace period (or until its own expiry, if sooner), so that
   * the instances of the client can switch over without an outage.
   */
  async rotate(
    clientId: string,
    manager?: EntityManager,
  ): Promise<{ issued: IssuedSecret; change: SecretChange }> {
    return this.inTransaction(manager, async (m) => {
      await this.requireConfidential(m, clientId, true);
      const retired = await this.retireActive(m, clientId);
      const issued = await this.issue(m, clientId);
      return {
        issued,
        change: { clientId, operation: 'secret.rotated', secretId: issued.secretId, retired },
      };
    });
  }

  /**
   * Deactivates one secret (reference O38): it stops authenticating at once. Tokens already issued with
   * it stay valid; they are revoked separately (O41) when the secret leaked.
   */
  async deactivate(
    clientId: string,
    secretId: string,
    manager?: EntityManager,
  ): Promise<{ secret: ClientSecretInfo; change: SecretChange }> {
    return this.inTransaction(manager, async (m) => {
      await this.requireClient(m, clientId);
      const row = await this.requireSecret(m, clientId, secretId);
      const now = this.clock.nowSeconds();
      if (row.status === 'active' || secretAuthenticates(row, now)) {
        await m.update(ClientSecretEntity, { id: row.id }, { status: 'inactive', expiresAt: now });
      }
      const after = await this.requireSecret(m, clientId, secretId);
      return {
        secret: toInfo(after),
        change: { clientId, operation: 'secret.deactivated', secretId },
      };
    });
  }

  /**
   * Deletes one secret for good (reference O37). The client's last active secret cannot be deleted
   * (a confidential client would be left without a way to authenticate): create or rotate first.
   */
  async delete(clientId: string, secretId: string, manager?: EntityManager): Promise<SecretChange> {
    return this.inTransaction(manager, async (m) => {
      const client = await this.requireClient(m, clientId);
      const row = await this.requireSecret(m, clientId, secretId);
      const now = this.clock.nowSeconds();
      if (
        usesClientSecret(client.tokenEndpointAuthMethod) &&
        row.status === 'active' &&
        secretAuthenticates(row, now)
      ) {
        const others = (await this.activeSecrets(m, clientId)).filter(
          (s) => s.id !== row.id && secretAuthenticates(s, now),
        );
        if (others.length === 0) {
          throw new ClientSecretError(
            'last_active_secret',
            'Cannot delete the last secret: create or rotate a secret first',
          );
        }
      }
      await m.delete(ClientSecretEntity, { id: row.id, clientId });
      return { clientId, operation: 'secret.deleted', secretId };
    });
  }

  /**
   * Issues a new active secret for `clientId` in `manager`'s transaction and returns its value (shown
   * once). Its expiry is `client_secret_expires_at` (RFC 7591 §3.2.1): `now` + `secretTtlSeconds`, or 0.
   */
  async issue(
    manager: EntityManager,
    clientId: string,
    now = this.clock.nowSeconds(),
  ): Promise<IssuedSecret> {
    const issued = await this.insertNew(manager, clientId, now);
    // The reference's `secret_last_four` of the client: the end of its newest secret. `version` and
    // `updated_at` are set to themselves, so that a concurrent RFC 7592 PUT does not lose for this.
    await manager
      .createQueryBuilder()
      .update(ClientEntity)
      .set({
        secretLastFour: lastFour(issued.value),
        version: () => 'version',
        updatedAt: () => 'updated_at',
      })
      .where('id = :id', { id: clientId })
      .execute();
    return issued;
  }

  /**
   * The first secret of a client being registered: like {@link issue}, but the caller writes
   * `secret_last_four` ({@link lastFour} of `value`) with the client row itself, which saves an UPDATE
   * per registration. `value` comes from {@link newSecretValue}, so that it is known before the client
   * row is inserted.
   */
  async insertFirst(
    manager: EntityManager,
    clientId: string,
    value: string,
    now = this.clock.nowSeconds(),
  ): Promise<IssuedSecret> {
    return this.insertNew(manager, clientId, now, value);
  }

  /** A new client secret value (shown once, stored as its SHA-256 hash). */
  newSecretValue(): string {
    return generateToken(CLIENT_SECRET_PREFIX);
  }

  /**
   * One INSERT, without TypeORM's save() (which SELECTs the id first and the generated columns after:
   * three statements): the timestamps are set here, so nothing needs reading back.
   */
  private async insertNew(
    manager: EntityManager,
    clientId: string,
    now: number,
    value = this.newSecretValue(),
  ): Promise<IssuedSecret> {
    // The database's clock wrote these before (column defaults); the process's is as good for them.
    const at = new Date();
    const row = {
      id: newUlid(),
      clientId,
      secretHash: sha256Hex(value),
      status: 'active' as const,
      expiresAt: this.settings.secretTtlSeconds > 0 ? now + this.settings.secretTtlSeconds : 0,
      lastUsedAt: null,
      createdAt: at,
      updatedAt: at,
    };
    await insertRow(manager, ClientSecretEntity, row);
    return { ...toInfo(row), value };
  }

  /**
   * Makes every active secret of the client inactive, authenticating until the end of the grace period
   * (or its own earlier expiry); returns them with the time they stop.
   */
  async retireActive(
    manager: EntityManager,
    clientId: string,
  ): Promise<{ secretId: string; expiresAt: number }[]> {
    const now = this.clock.nowSeconds();
    const graceEnd = now + this.settings.secretRotationGraceSeconds;
    const retired: { secretId: string; expiresAt: number }[] = [];
    for (const s of await this.activeSecrets(manager, clientId)) {
      const expiresAt = s.expiresAt === 0 ? graceEnd : Math.min(s.expiresAt, graceEnd);
      await manager.update(ClientSecretEntity, { id: s.id }, { status: 'inactive', expiresAt });
      retired.push({ secretId: s.id, expiresAt });
    }
    return retired;
  }

  /** Deletes every secret of the client (it stopped authenticating with a secret, RFC 7592 §2.2). */
  async removeAll(manager: EntityManager, clientId: string): Promise<void> {
    await manager.delete(ClientSecretEntity, { clientId });
    await manager
      .createQueryBuilder()
      .update(ClientEntity)
      .set({ secretLastFour: null, version: () => 'version', updatedAt: () => 'updated_at' })
      .where('id = :id', { id: clientId })
      .execute();
  }

  private activeSecrets(m: EntityManager, clientId: string): Promise<ClientSecretEntity[]> {
    return m.find(ClientSecretEntity, { where: { clientId, status: 'active' } });
  }

  private async requireClient(m: EntityManager, clientId: string): Promise<ClientEntity> {
    const client = isPlausibleClientId(clientId)
      ? await m.findOne(ClientEntity, { where: { id: clientId } })
      : null;
    if (!client) throw new ClientSecretError('client_not_found', 'Client not found');
    return client;
  }

  private async requireConfidential(
    m: EntityManager,
    clientId: string,
    lock: boolean,
  ): Promise<ClientEntity> {
    const client = await this.requireClient(m, clientId);
    if (!usesClientSecret(client.tokenEndpointAuthMethod)) {
      throw new ClientSecretError(
        'not_confidential',
        `The client authenticates with ${client.tokenEndpointAuthMethod}, not with a client secret`,
      );
    }
    // Serialises concurrent secret operations on one client (MySQL/MariaDB row lock; SQLite transactions
    // are serialised anyway), so that two creates cannot both see one active secret.
    if (lock) await lockClient(m, clientId);
    return client;
  }

  private async requireSecret(
    m: EntityManager,
    clientId: string,
    secretId: string,
  ): Promise<ClientSecretEntity> {
    const row = isPlausibleClientId(secretId)
      ? await m.findOne(ClientSecretEntity, { where: { id: secretId, clientId } })
      : null;
    // Another client's secret id is "not found" too: nothing tells that it exists.
    if (!row) throw new ClientSecretError('secret_not_found', 'Secret not found');
    return row;
  }

  private inTransaction<T>(
    manager: EntityManager | undefined,
    work: (m: EntityManager) => Promise<T>,
  ): Promise<T> {
    return manager ? work(manager) : this.dataSource.transaction(work);
  }
}

/**
 * Takes the client row's write lock for the rest of the transaction (an UPDATE that changes nothing),
 * which both dialects support, unlike `SELECT … FOR UPDATE` on SQLite.
 */
export async function lockClient(m: EntityManager, clientId: string): Promise<void> {
  await m
    .createQueryBuilder()
    .update(ClientEntity)
    .set({ version: () => 'version', updatedAt: () => 'updated_at' })
    .where('id = :id', { id: clientId })
    .execute();
}

/** The reference's `secret_last_four` of a secret value. */
export function lastFour(value: string): string {
  return value.slice(-4);
}

function toInfo(row: ClientSecretEntity): ClientSecretInfo {
  return {
    secretId: row.id,
    status: row.status,
    expiresAt: row.expiresAt,
    lastUsedAt: row.lastUsedAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
