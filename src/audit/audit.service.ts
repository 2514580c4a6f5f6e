import { Injectable, Logger } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { newUlid } from '../common/crypto/ids.js';
import { insertRow } from '../common/database/hot-sql.js';
import { ClientAuditEvent } from './audit.events.js';
import type { AuditEntry, AuditInput } from './audit.types.js';
import { ClientAuditLogEntity } from './entities/client-audit-log.entity.js';

/** One page of a client's audit entries, newest first. */
export interface AuditPage {
  items: AuditEntry[];
  total: number;
}

/**
 * The audit trail of clients (issue 8): every change to a client or its credentials, from any path, is
 * recorded in the same transaction as the change ({@link record} takes the transaction's `EntityManager`),
 * and the same entry is emitted as a domain event (`entry.operation` is the event name) once that
 * transaction committed, so listeners never see a change that was rolled back.
 *
 * ```ts
 * await audit.transaction(async (manager) => {
 *   await manager.update(ClientEntity, { id }, { status: 'suspended' });
 *   await audit.record(manager, { clientId: id, actor, operation: 'client.suspended', changes });
 * }); // the row is committed with the change; `client.suspended` is emitted here
 * ```
 */
@Injectable()
export class AuditService {
  private readonly logger = new Logger(AuditService.name);
  /** Entries recorded in each open transaction, published after its commit. */
  private readonly pending = new WeakMap<EntityManager, AuditEntry[]>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly events: EventEmitter2,
  ) {}

  /**
   * Runs `work` in one database transaction; after it commits, emits the entries recorded in it (in
   * order, listeners awaited; a failing listener is logged and does not fail the committed change). If
   * `work` throws, nothing is written and nothing is emitted.
   */
  async transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const entries: AuditEntry[] = [];
    const result = await this.dataSource.transaction(async (manager) => {
      this.pending.set(manager, entries);
      try {
        return await work(manager);
      } finally {
        this.pending.delete(manager);
      }
    });
    await this.publish(entries);
    return result;
  }

  /**
   * Writes one audit row with `manager` (the transaction of the change). Must run inside
   * {@link transaction}: an entry outside one could describe a change that is then rolled back, and its
   * event would have no commit to follow.
   */
  async record(manager: EntityManager, input: AuditInput): Promise<AuditEntry> {
    const queue = this.pending.get(manager);
    if (!queue) {
      throw new Error(
        'AuditService.record must be called with the manager of AuditService.transaction',
      );
    }
    const entry: AuditEntry = {
      id: newUlid(),
      clientId: input.clientId,
      actor: { type: input.actor.type, id: input.actor.id ?? null },
      operation: input.operation,
      changes: input.changes ?? {},
      ip: input.ip ?? null,
      createdAt: new Date(),
    };
    // Constant SQL in the change's transaction (HotSql's insertRow): every column is given, nothing
    // is read back.
    await insertRow(manager, ClientAuditLogEntity, {
      id: entry.id,
      clientId: entry.clientId,
      actorType: entry.actor.type,
      actorId: entry.actor.id ?? null,
      operation: entry.operation,
      changes: entry.changes,
      ip: entry.ip,
      createdAt: entry.createdAt,
    });
    queue.push(entry);
    return entry;
  }

  /**
   * One page of a client's entries, newest first (reference O32). Served by the (`client_id`, `id`)
   * index; a client's history is short, so an OFFSET within it stays cheap.
   */
  async list(clientId: string, page: number, pageSize: number): Promise<AuditPage> {
    const repo = this.dataSource.getRepository(ClientAuditLogEntity);
    const [rows, total] = await repo.findAndCount({
      where: { clientId },
      order: { id: 'DESC' },
      skip: (page - 1) * pageSize,
      take: pageSize,
    });
    return { items: rows.map(toEntry), total };
  }

  private async publish(entries: AuditEntry[]): Promise<void> {
    for (const entry of entries) {
      try {
        await this.events.emitAsync(entry.operation, new ClientAuditEvent(entry));
      } catch (e) {
        this.logger.error(
          `A ${entry.operation} listener failed`,
          e instanceof Error ? e.stack : String(e),
        );
      }
    }
  }
}

function toEntry(r: ClientAuditLogEntity): AuditEntry {
  return {
    id: r.id,
    clientId: r.clientId,
    actor: { type: r.actorType, id: r.actorId },
    operation: r.operation,
    changes: r.changes,
    ip: r.ip,
    createdAt: r.createdAt,
  };
}
