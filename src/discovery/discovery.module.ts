import { Module } from '@nestjs/common';
import { DISCOVERY_SETTINGS } from './discovery.constants.js';
import { DiscoveryController } from './discovery.controller.js';
import {
  DISCOVERY_MODULE_OPTIONS,
  DiscoveryConfigurableModule,
} from './discovery.module-definition.js';
import { resolveDiscoverySettings, type DiscoveryModuleOptions } from './discovery.options.js';
import { DiscoveryService } from './discovery.service.js';

/**
 * Serves the RFC 8414 / OpenID Connect Discovery metadata documents at the host root. Configured with its
 * own options only (`DiscoveryModule.forRoot({...})` / `forRootAsync(...)`, see
 * {@link DiscoveryModuleOptions}); the application fills them from its settings. The signing keys come
 * from the global KeysModule.
 */
@Module({
  controllers: [DiscoveryController],
  providers: [
    {
      provide: DISCOVERY_SETTINGS,
      inject: [DISCOVERY_MODULE_OPTIONS],
      useFactory: (options: DiscoveryModuleOptions | undefined) =>
        resolveDiscoverySettings(options ?? {}),
    },
    DiscoveryService,
  ],
})
export class DiscoveryModule extends DiscoveryConfigurableModule {}
