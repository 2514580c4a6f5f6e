import type { DynamicModule } from '@nestjs/common';
import { AppModule, registrationOptionsFrom } from '../../src/app.module.js';
import { ClientRegistrationModule } from '../../src/client-registration/index.js';
import { AppConfig } from '../../src/config/index.js';
import {
  AuditExtensionModule,
  RedirectHostPolicy,
  type AuditExtensionOptions,
} from './audit-extension.module.js';

/**
 * AuthMS with the audit extension: the registration module keeps every `REGISTRATION_*` setting
 * (`registrationOptionsFrom`) and gets the extension's policy; the extension's listener receives the
 * client events. `main.ts` is unchanged: start it with `NestFactory.create(auditedAppModule({...}))`.
 */
export function auditedAppModule(
  extension: AuditExtensionOptions,
  env?: Record<string, string | undefined>,
): DynamicModule {
  return AppModule.forRoot({
    env,
    registration: ClientRegistrationModule.forRootAsync({
      imports: [AuditExtensionModule.forRoot(extension)],
      inject: [AppConfig, RedirectHostPolicy],
      useFactory: (config: AppConfig, policy: RedirectHostPolicy) => ({
        ...registrationOptionsFrom(config),
        policy,
      }),
    }),
  });
}
