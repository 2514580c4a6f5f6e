import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager, ObjectLiteral } from 'typeorm';
import { AuditService, ClientAuditEvent, type AuditActor } from '../audit/index.js';
import { Clock } from '../common/time/clock.js';
import {
  CLIENT_ACTIVATED,
  CLIENT_DELETED,
  CLIENT_SUSPENDED,
} from './client-registration.events.js';
import { ClientEntity } from './entities/client.entity.js';

/** Settings of idle-client reaping (docs/internal-api.md#idle-client-reaping). */
export interface ClientReapingOptions {
  /** Suspend dynamically registered clients idle this many days; 0 = never. Default 0. */
  suspendAfterDays?: number;
  /** Delete (soft) dynamically registered clients idle this many days; 0 = never. Default 0. */
  deleteAfterDays?: number;
  /** Seconds between two runs of one instance. Default 3600. */
  intervalSeconds?: number;
}

/** Injection token of {@link ClientReapingOptions}. */
export const CLIENT_REAPING_OPTIONS = Symbol('CLIENT_REAPING_OPTIONS');

/** What one run did. */
export interface ReapResult {
  suspended: string[];
  deleted: string[];
}

/** Clients handled per query; a run repeats until none is left. */
const BATCH = 100;
const DAY = 86_400;
/** The reaper acts as the server itself in the audit trail. */
const SYSTEM: AuditActor = { type: 'system', id: null };

/**
 * Idle-client reaping (issue 8 "Beyond the reference"): dynamically registered clients (`created_via =
 * 'registration'`) that obtained no token for N days — measured from `last_token_at`, or from
 * `client_id_issued_at` for a client that never obtained one — are suspended, and after M days deleted
 * (soft delete: the `client.deleted` listeners revoke their tokens and forget their consents). Clients
 * created by an administrator, the CLI or the internal API are never reaped.
 *
 * Safe with several instances: each change is one conditional UPDATE that repeats the whole condition
 * (still idle, still active or not yet deleted, still self-registered), so of two instances reaping the
 * same client one changes it and writes the audit entry, the other changes nothing and writes nothing.
 * Time comes from the injected {@link Clock}, so tests move it instead of waiting.
 */
@Injectable()
export class ClientReaperService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ClientReaperService.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<ReapResult> | undefined;
  private readonly suspendAfterDays: number;
  private readonly deleteAfterDays: number;
  private readonly intervalSeconds: number;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    @Inject(CLIENT_REAPING_OPTIONS) options: ClientReapingOptions,
  ) {
    this.suspendAfterDays = options.suspendAfterDays ?? 0;
    this.deleteAfterDays = options.deleteAfterDays ?? 0;
    this.intervalSeconds = options.intervalSeconds ?? 3600;
  }

  /** Whether any reaping is configured (both day counts 0: off, the default). */
  get enabled(): boolean {
    return this.suspendAfterDays > 0 || this.deleteAfterDays > 0;
  }

  onApplicationBootstrap(): void {
    if (!this.enabled) return;
    // unref: a pending run never keeps a CLI or a test process alive.
    this.timer = setInterval(() => void this.runSafely(), this.intervalSeconds * 1000).unref();
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** One run, never overlapping another of this instance; a failure is logged and retried next time. */
  async runSafely(): Promise<ReapResult | undefined> {
    try {
      return await this.reap();
    } catch (e) {
      this.logger.error(`Idle-client reaping failed: ${String(e)}`);
      return undefined;
    }
  }

  /** Suspends, then deletes, the clients idle beyond the configured days. */
  async reap(): Promise<ReapResult> {
    if (this.running) return this.running;
    this.running = this.reapOnce().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /**
   * A client an administrator re-activates starts a new idle period: it counts as used now, or the next
   * run would suspend it again before it had a chance to obtain a token.
   */
  @OnEvent(CLIENT_ACTIVATED, { async: true, promisify: true })
  async onActivated(event: ClientAuditEvent): Promise<void> {
    if (!this.enabled) return;
    await this.dataSource
      .createQueryBuilder()
      .update(ClientEntity)
      .set({
        lastTokenAt: this.clock.nowSeconds(),
        version: () => 'version',
        updatedAt: () => 'updated_at',
      })
      .where('id = :id', { id: event.clientId })
      .andWhere('(last_token_at IS NULL OR last_token_at < :now)', { now: this.clock.nowSeconds() })
      .execute();
  }

  private async reapOnce(): Promise<ReapResult> {
    const now = this.clock.nowSeconds();
    const result: ReapResult = { suspended: [], deleted: [] };
    if (this.deleteAfterDays > 0) {
      const cutoff = now - this.deleteAfterDays * DAY;
      result.deleted = await this.each(cutoff, false, (m, id) => this.deleteIfIdle(m, id, cutoff));
    }
    if (this.suspendAfterDays > 0) {
      const cutoff = now - this.suspendAfterDays * DAY;
      result.suspended = await this.each(cutoff, true, (m, id) =>
        this.suspendIfIdle(m, id, cutoff),
      );
    }
    if (result.suspended.length || result.deleted.length) {
      this.logger.log(
        `Idle-client reaping: ${result.suspended.length} suspended, ${result.deleted.length} deleted`,
      );
    }
    return result;
  }

  /** Runs `act` on every idle candidate, batch by batch; returns the ids it changed. */
  private async each(
    cutoff: number,
    activeOnly: boolean,
    act: (m: EntityManager, id: string) => Promise<boolean>,
  ): Promise<string[]> {
    const changed: string[] = [];
    let after = '';
    for (;;) {
      const q = this.dataSource
        .getRepository(ClientEntity)
        .createQueryBuilder('c')
        .select('c.id', 'id')
        .where('c.id > :after', { after })
        .orderBy('c.id', 'ASC')
        .limit(BATCH);
      idle(q, cutoff, activeOnly);
      const ids = (await q.getRawMany<{ id: string }>()).map((r) => r.id);
      for (const id of ids) {
        if (await this.audit.transaction((m) => act(m, id))) changed.push(id);
      }
      if (ids.length < BATCH) return changed;
      after = ids[ids.length - 1];
    }
  }

  private async suspendIfIdle(m: EntityManager, id: string, cutoff: number): Promise<boolean> {
    const q = m
      .createQueryBuilder()
      .update(ClientEntity)
      .set({ status: 'suspended' })
      .where('id = :id', { id });
    const res = await idle(q, cutoff, true).execute();
    if (res.affected !== 1) return false;
    await this.audit.record(m, {
      clientId: id,
      actor: SYSTEM,
      operation: CLIENT_SUSPENDED,
      changes: { status: { from: 'active', to: 'suspended' }, reason: { to: 'idle' } },
    });
    return true;
  }

  private async deleteIfIdle(m: EntityManager, id: string, cutoff: number): Promise<boolean> {
    const q = m.createQueryBuilder().softDelete().from(ClientEntity).where('id = :id', { id });
    const res = await idle(q, cutoff, false).execute();
    if (res.affected !== 1) return false;
    await this.audit.record(m, {
      clientId: id,
      actor: SYSTEM,
      operation: CLIENT_DELETED,
      changes: { reason: { to: 'idle' } },
    });
    return true;
  }
}

/**
 * The reaping condition, on a query builder whose main alias is the client table: live, self-registered,
 * (active, for suspension) and without a token since `cutoff` (or, never having had one, registered
 * before it). Written out in full in every UPDATE, so the check and the change are one statement.
 */
function idle<Q extends { andWhere(where: string, parameters?: ObjectLiteral): unknown }>(
  q: Q,
  cutoff: number,
  activeOnly: boolean,
): Q {
  q.andWhere('deleted_at IS NULL');
  q.andWhere("created_via = 'registration'");
  q.andWhere(
    '(last_token_at < :cutoff OR (last_token_at IS NULL AND client_id_issued_at < :cutoff))',
    { cutoff },
  );
  if (activeOnly) q.andWhere("status = 'active'");
  return q;
}
