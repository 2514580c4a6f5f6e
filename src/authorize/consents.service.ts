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
@Injectable()
export class ConsentsService {
  constructor(@InjectRepository(ConsentEntity) private readonly repo: Repository<ConsentEntity>) {}

  /** Whether the user has approved every scope in `scopes` for the client. */
  async covers(userId: string, clientId: string, scopes: string[]): Promise<boolean> {
    const row = await this.repo.findOne({ where: { userId, clientId } });
    return row !== null && scopes.every((s) => row.scopes.includes(s));
  }

  /** Records the approval of `scopes`, adding them to what the user approved before. */
  async grant(userId: string, clientId: string, scopes: string[]): Promise<void> {
    const now = nowSeconds();
    const existing = await this.repo.findOne({ where: { userId, clientId } });
    if (!existing) {
      try {
        await this.repo.insert({
          id: newUlid(),
          userId,
          clientId,
          scopes: [...new Set(scopes)],
          createdAt: now,
          updatedAt: now,
        });
        return;
      } catch (e) {
        // Two approvals at once: the unique index let the other one in first; merge into it.
        if (!(await this.repo.exists({ where: { userId, clientId } }))) throw e;
        return this.grant(userId, clientId, scopes);
      }
    }
    const merged = [...new Set([...existing.scopes, ...scopes])];
    await this.repo.update({ id: existing.id }, { scopes: merged, updatedAt: now });
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
