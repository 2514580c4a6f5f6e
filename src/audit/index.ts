// Public surface of AuditModule: other modules import only from here.
export { AuditModule } from './audit.module.js';
export { AuditService, type AuditPage } from './audit.service.js';
export { ClientAuditEvent } from './audit.events.js';
export { diffFields, describeChanges } from './audit-diff.js';
export {
  AUDIT_ACTOR_TYPES,
  type AuditActor,
  type AuditActorType,
  type AuditChanges,
  type AuditEntry,
  type AuditInput,
  type FieldChange,
} from './audit.types.js';
import { ClientAuditLogEntity } from './entities/client-audit-log.entity.js';
export { ClientAuditLogEntity };
/** The entities of AuditModule, for a host's TypeORM connection and `ormconfig.ts`. */
export const AUDIT_ENTITIES = [ClientAuditLogEntity];
