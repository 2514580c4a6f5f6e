import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditService } from './audit.service.js';
import { ClientAuditLogEntity } from './entities/client-audit-log.entity.js';

/**
 * The audit trail of clients: table `client_audit_logs` and {@link AuditService}. Needs
 * `EventEmitterModule.forRoot()` in the application (the entries are also emitted as events).
 */
@Module({
  imports: [TypeOrmModule.forFeature([ClientAuditLogEntity])],
  providers: [AuditService],
  exports: [AuditService],
})
export class AuditModule {}
