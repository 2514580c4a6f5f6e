// An example extension of AuthMS (docs/extending.md): compiled with the project and tested by
// test/audit-extension.e2e-spec.ts.
export {
  AuditExtensionModule,
  ClientAuditLog,
  RedirectHostPolicy,
  type AuditEntry,
  type AuditExtensionOptions,
} from './audit-extension.module.js';
export { auditedAppModule } from './audited-app.module.js';
