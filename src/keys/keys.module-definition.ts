import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { KeysModuleOptions } from './keys.options.js';

/**
 * `KeysModule.forRoot(options)` / `forRootAsync({ useFactory | useClass | useExisting })` (a `useClass` /
 * `useExisting` provider implements `createKeysOptions()`).
 */
export const {
  ConfigurableModuleClass: KeysConfigurableModule,
  MODULE_OPTIONS_TOKEN: KEYS_MODULE_OPTIONS,
  OPTIONS_TYPE: KEYS_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: KEYS_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<KeysModuleOptions>({ moduleName: 'Keys' })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createKeysOptions')
  .build();

/** `KeyMaintenanceModule.forRoot(options)` / `forRootAsync(...)`: the same options as KeysModule. */
export const {
  ConfigurableModuleClass: KeyMaintenanceConfigurableModule,
  MODULE_OPTIONS_TOKEN: KEY_MAINTENANCE_OPTIONS,
} = new ConfigurableModuleBuilder<KeysModuleOptions>({ moduleName: 'KeyMaintenance' })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createKeysOptions')
  .build();
