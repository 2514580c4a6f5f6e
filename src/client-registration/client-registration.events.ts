import { ClientAuditEvent } from '../audit/index.js';

/**
 * Event names of client changes (`@nestjs/event-emitter`), `<entity>.<past-tense>`. Each is emitted after
 * the change committed, with its audit entry as payload ({@link ClientAuditEvent}: client id, actor,
 * operation, field-level diff; never a secret). The same name is the `operation` of the audit row.
 */
export const CLIENT_REGISTERED = 'client.registered';
export const CLIENT_CREATED = 'client.created';
export const CLIENT_UPDATED = 'client.updated';
export const CLIENT_SUSPENDED = 'client.suspended';
export const CLIENT_ACTIVATED = 'client.activated';
export const CLIENT_DELETED = 'client.deleted';
export const CLIENT_CLONED = 'client.cloned';

export { ClientAuditEvent };

/** Emitted after a client registered itself (RFC 7591 §3). */
export class ClientRegisteredEvent extends ClientAuditEvent {}

/** Emitted after an administrator, the CLI or the internal API created a client. */
export class ClientCreatedEvent extends ClientAuditEvent {}

/** Emitted after a client's metadata changed (RFC 7592 §2.2 or the admin API); `changes` is the diff. */
export class ClientUpdatedEvent extends ClientAuditEvent {}

/** Emitted after a client was suspended (it gets no token; its tokens are refused) or re-activated. */
export class ClientStatusEvent extends ClientAuditEvent {}

/**
 * Emitted after a client is soft-deleted (RFC 7592 §2.3, admin API). TokenModule listens and revokes the
 * client's tokens; listeners are awaited before the 204 is sent.
 */
export class ClientDeletedEvent extends ClientAuditEvent {}
