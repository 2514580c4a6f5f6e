import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';
import { newUlid } from '../common/crypto/ids.js';
import { nowSeconds } from '../common/crypto/tokens.js';
import { ConsentEntity } from './entities/consent.entity.js';

/**
 * Remembered consent (OIDC Core §3.1.2.4): which scopes a user has approved for a client. A request
 * whose scopes are all approved needs no consent page, unless `prompt=consent`.
 */
/** Compare-and-set attempts before giving up (each lost attempt means another approval went in). */
const MAX_MERGE_ATTEMPTS = 20;

@Injectable()
export class ConsentsService {
  /** The approval being recorded per user and client on this instance (see {@link grant}). */
  private readonly inFlight = new Map<string, Promise<void>>();

  constructor(@InjectRepository(ConsentEntity) private readonly repo: Repository<ConsentEntity>) {}

  /** Whether the user has approved every scope in `scopes` for the client. */
  async covers(userId: string, clientId: string, scopes: string[]): Promise<boolean> {
    const row = await this.repo.findOne({ where: { userId, clientId } });
    return row !== null && scopes.every((s) => row.scopes.includes(s));
  }

  /**
   * Records the approval of `scopes`, adding them to what the user approved before. Atomic across
   * instances: the merge is a compare-and-set on the row's `version` (`UPDATE … WHERE version = ?`), retried
   * on a lost race with the fresh row, and the first approval is an insert guarded by the unique
   * (`user_id`, `client_id`) index. So two approvals at once, on two instances sharing the database, both
   * end up in the row (issue 7 item 14); a plain read-modify-write would keep only the last writer's.
   */
  async grant(userId: string, clientId: string, scopes: string[]): Promise<void> {
    // Approvals of one user and client on this instance take turns, so the compare-and-set below only
    // contends with other instances (and rarely has to retry).
    const key = `${userId}\u0000${clientId}`;
    const previous = this.inFlight.get(key) ?? Promise.resolve();
    const mine = previous.catch(() => undefined).then(() => this.merge(userId, clientId, scopes));
    const settled = mine.catch(() => undefined);
    this.inFlight.set(key, settled);
    try {
      await mine;
    } finally {
      if (this.inFlight.get(key) === settled) this.inFlight.delete(key);
    }
  }

  private async merge(userId: string, clientId: string, scopes: string[]): Promise<void> {
    const wanted = [...new Set(scopes)];
    for (let attempt = 0; attempt < MAX_MERGE_ATTEMPTS; attempt++) {
      const now = nowSeconds();
      const existing = await this.repo.findOne({ where: { userId, clientId } });
      if (!existing) {
        try {
          await this.repo.insert({
            id: newUlid(),
            userId,
            clientId,
            scopes: wanted,
            version: 1,
            createdAt: now,
            updatedAt: now,
          });
          return;
        } catch (e) {
          // Another approval inserted first (unique index): merge into its row on the next attempt.
          if (!(await this.repo.exists({ where: { userId, clientId } }))) throw e;
          continue;
        }
      }
      if (wanted.every((s) => existing.scopes.includes(s))) return;
      const merged = [...new Set([...existing.scopes, ...wanted])];
      const res = await this.repo
        .createQueryBuilder()
        .update(ConsentEntity)
        .set({ scopes: merged, updatedAt: now, version: existing.version + 1 })
        .where('id = :id AND version = :version', { id: existing.id, version: existing.version })
        .execute();
      if ((res.affected ?? 0) === 1) return;
      // Lost the race: another instance changed (or deleted) the row since it was read; read it again
      // after a short random pause, so that two instances do not keep colliding in step.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * (attempt + 1)));
    }
    throw new Error(`Consent of ${userId} for ${clientId} kept changing; approval not recorded`);
  }

  /** The user's consents, most recently granted first (the reference's O13). */
  async listForUser(userId: string): Promise<ConsentEntity[]> {
    return this.repo.find({ where: { userId }, order: { updatedAt: 'DESC', id: 'DESC' } });
  }

  /**
   * Deletes the consent `id` if it belongs to `userId`, in `manager`'s transaction; returns the deleted
   * row, or null when there is no such consent of this user (another user's id is "not found" too).
   */
  async deleteForUser(
    manager: EntityManager,
    id: string,
    userId: string,
  ): Promise<ConsentEntity | null> {
    const row = await manager.findOne(ConsentEntity, { where: { id, userId } });
    if (!row) return null;
    const res = await manager.delete(ConsentEntity, { id, userId });
    // A concurrent revocation of the same consent won: to this caller it is gone, as if never there.
    return (res.affected ?? 0) > 0 ? row : null;
  }

  /** Deletes every consent of a user (GDPR erasure); returns how many there were. */
  async deleteAllForUser(userId: string, manager?: EntityManager): Promise<number> {
    const res = await (manager ?? this.repo.manager).delete(ConsentEntity, { userId });
    return res.affected ?? 0;
  }

  /** Forgets every consent given to a client (it was deleted). */
  async revokeForClient(clientId: string): Promise<void> {
    await this.repo.delete({ clientId });
  }
}
