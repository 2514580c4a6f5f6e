/**
 * Who made a change (issue 8 "Audit trail"): an administrator (user id), a client acting with an admin
 * token or on itself (client id), an internal API key (key id), a client's registration access token
 * (RFC 7592, no id: the token is the client's own), the operator CLI, or the server itself (reaping).
 */
export type AuditActorType =
  'admin_user' | 'client' | 'api_key' | 'registration_access_token' | 'cli' | 'system';

export const AUDIT_ACTOR_TYPES: readonly AuditActorType[] = [
  'admin_user',
  'client',
  'api_key',
  'registration_access_token',
  'cli',
  'system',
];

export interface AuditActor {
  type: AuditActorType;
  /** User id, client id or API key id; omitted for `cli`, `system` and `registration_access_token`. */
  id?: string | null;
}

/** One field's change. Secret fields carry a marker such as `"(rotated)"`, never a value or a hash. */
export interface FieldChange {
  from?: unknown;
  to?: unknown;
}

/** Field-level diff keyed by the public field name (`redirect_uris`, `status`, ...). */
export type AuditChanges = Record<string, FieldChange>;

/** What a caller records. `operation` is also the name of the event emitted after commit. */
export interface AuditInput {
  clientId: string;
  actor: AuditActor;
  operation: string;
  changes?: AuditChanges;
  /** The caller's IP, when the change came over HTTP. */
  ip?: string | null;
}

/** A recorded entry. */
export interface AuditEntry {
  id: string;
  clientId: string;
  actor: AuditActor;
  operation: string;
  changes: AuditChanges;
  ip: string | null;
  createdAt: Date;
}
