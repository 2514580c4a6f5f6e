import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { DiscoveryModuleOptions } from './discovery.options.js';

/**
 * `DiscoveryModule.forRoot(options)` / `forRootAsync({ useFactory | useClass | useExisting })` (a
 * `useClass` / `useExisting` provider implements `createDiscoveryOptions()`).
 */
export const {
  ConfigurableModuleClass: DiscoveryConfigurableModule,
  MODULE_OPTIONS_TOKEN: DISCOVERY_MODULE_OPTIONS,
} = new ConfigurableModuleBuilder<DiscoveryModuleOptions>({ moduleName: 'Discovery' })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createDiscoveryOptions')
  .build();
