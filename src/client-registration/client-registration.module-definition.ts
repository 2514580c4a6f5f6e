import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { ClientRegistrationModuleOptions } from './client-registration.options.js';

/**
 * `ClientRegistrationModule.forRoot(options)` / `forRootAsync({ useFactory | useClass | useExisting })`
 * (a `useClass` / `useExisting` provider implements `createRegistrationOptions()`).
 */
export const {
  ConfigurableModuleClass,
  MODULE_OPTIONS_TOKEN: CLIENT_REGISTRATION_OPTIONS,
  OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<ClientRegistrationModuleOptions>({
  moduleName: 'ClientRegistration',
})
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createRegistrationOptions')
  .build();
