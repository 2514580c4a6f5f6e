import { Module } from '@nestjs/common';
import type { DestinationStream, Logger } from 'pino';
import { createPinoLogger, LOG_DESTINATION, PINO_LOGGER, PinoNestLogger } from './app-logger.js';
import { MetricsController } from './metrics.controller.js';
import { MetricsService } from './metrics.service.js';
import { OBSERVABILITY_SETTINGS } from './observability.constants.js';
import {
  OBSERVABILITY_MODULE_OPTIONS,
  ObservabilityConfigurableModule,
} from './observability.module-definition.js';
import {
  resolveObservabilitySettings,
  type ObservabilityModuleOptions,
  type ObservabilitySettings,
} from './observability.options.js';
import { RequestObserver } from './request-observer.js';

/**
 * Logs and metrics (docs/operations.md): the pino logger behind Nest's `Logger`, the request observer
 * (`configureApp` installs its middlewares) and `GET /metrics`. Configured with its own options only
 * (`ObservabilityModule.forRoot({...})` / `forRootAsync(...)`, see {@link ObservabilityModuleOptions},
 * plus the `logDestination` extra); the application fills them from its settings. The active keys' age
 * comes from the global KeysModule.
 */
@Module({
  controllers: [MetricsController],
  providers: [
    {
      provide: OBSERVABILITY_SETTINGS,
      inject: [OBSERVABILITY_MODULE_OPTIONS],
      useFactory: (options: ObservabilityModuleOptions | undefined) =>
        resolveObservabilitySettings(options ?? {}),
    },
    {
      provide: PINO_LOGGER,
      inject: [OBSERVABILITY_SETTINGS, LOG_DESTINATION],
      useFactory: (settings: ObservabilitySettings, dest: DestinationStream | undefined) =>
        createPinoLogger(settings, dest),
    },
    {
      provide: PinoNestLogger,
      inject: [PINO_LOGGER],
      useFactory: (logger: Logger) => new PinoNestLogger(logger),
    },
    MetricsService,
    RequestObserver,
  ],
  exports: [PinoNestLogger, RequestObserver, MetricsService, PINO_LOGGER],
})
export class ObservabilityModule extends ObservabilityConfigurableModule {}
