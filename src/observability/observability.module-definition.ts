import { ConfigurableModuleBuilder } from '@nestjs/common';
import { LOG_DESTINATION } from './app-logger.js';
import type {
  ObservabilityModuleExtras,
  ObservabilityModuleOptions,
} from './observability.options.js';

/**
 * `ObservabilityModule.forRoot(options)` / `forRootAsync({ useFactory | useClass | useExisting })` (a
 * `useClass` / `useExisting` provider implements `createObservabilityOptions()`), each with the
 * composition extra `logDestination`.
 */
export const {
  ConfigurableModuleClass: ObservabilityConfigurableModule,
  MODULE_OPTIONS_TOKEN: OBSERVABILITY_MODULE_OPTIONS,
} = new ConfigurableModuleBuilder<ObservabilityModuleOptions>({ moduleName: 'Observability' })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createObservabilityOptions')
  .setExtras<ObservabilityModuleExtras>({ logDestination: undefined }, (definition, extras) => ({
    ...definition,
    providers: [
      ...(definition.providers ?? []),
      { provide: LOG_DESTINATION, useValue: extras.logDestination },
    ],
  }))
  .build();
