import type { AuditActor, AuditChanges, AuditEntry } from './audit.types.js';

/**
 * The payload of every client event (`client.registered`, `client.created`, `client.updated`,
 * `client.suspended`, `client.activated`, `client.deleted`, `client.cloned`, ...): the audit entry of the
 * change, emitted after the transaction that wrote it committed. Carries no secret.
 */
export class ClientAuditEvent {
  readonly clientId: string;
  readonly operation: string;
  readonly actor: AuditActor;
  readonly changes: AuditChanges;
  readonly auditId: string;
  readonly at: Date;

  constructor(entry: AuditEntry) {
    this.clientId = entry.clientId;
    this.operation = entry.operation;
    this.actor = { ...entry.actor };
    this.changes = entry.changes;
    this.auditId = entry.id;
    this.at = entry.createdAt;
  }
}
