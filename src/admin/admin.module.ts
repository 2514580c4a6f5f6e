import { DynamicModule, Module } from '@nestjs/common';
import { AuditModule } from '../audit/index.js';
import { ClockModule } from '../common/time/clock.module.js';
import { UsersModule } from '../users/index.js';
import { AdminClientsController } from './clients/admin-clients.controller.js';
import { AdminClientSecretsController } from './secrets/admin-secrets.controller.js';
import { AdminAuthenticator } from './admin-authenticator.service.js';
import { AdminExceptionFilter } from './admin-exception.filter.js';
import { AdminGuard } from './admin.guard.js';

/** What {@link AdminModule.forRoot} composes with. */
export interface AdminModuleOptions {
  /** The application's `TokenModule.forRoot/forRootAsync(...)` (it verifies the access tokens). */
  token: DynamicModule;
  /** The application's `ClientRegistrationModule` (it administers the clients). */
  registration: DynamicModule;
  /** More controllers of the administration API (each protected with `@AdminAuth()`). */
  controllers?: DynamicModule['controllers'];
}

/**
 * The administration plane (issue 8): who may call it ({@link AdminGuard}, `@AdminAuth()`, an access token
 * of this server with the `admin` scope) and its controllers (client management, reference O27-O33). Global, so that any module's controller can
 * use `@AdminAuth()`; the guard's one dependency, {@link AdminAuthenticator}, is exported for that.
 */
@Module({})
export class AdminModule {
  static forRoot(options: AdminModuleOptions): DynamicModule {
    return {
      module: AdminModule,
      global: true,
      imports: [options.token, options.registration, UsersModule, AuditModule, ClockModule],
      controllers: [
        AdminClientsController,
        AdminClientSecretsController,
        ...(options.controllers ?? []),
      ],
      providers: [AdminAuthenticator, AdminGuard, AdminExceptionFilter],
      exports: [AdminAuthenticator, AdminGuard, AdminExceptionFilter],
    };
  }
}
