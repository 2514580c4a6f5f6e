import { Module, type DynamicModule } from '@nestjs/common';
import type { DestinationStream, Logger } from 'pino';
import { AppConfig } from '../config/index.js';
import { createPinoLogger, LOG_DESTINATION, PINO_LOGGER, PinoNestLogger } from './app-logger.js';
import { MetricsController } from './metrics.controller.js';
import { MetricsService } from './metrics.service.js';
import { RequestObserver } from './request-observer.js';

/**
 * Logs and metrics (docs/operations.md): the pino logger behind Nest's `Logger`, the request observer
 * (`configureApp` installs its middlewares) and `GET /metrics`.
 */
@Module({})
export class ObservabilityModule {
  /** `destination`: where log lines go instead of stdout (tests capture them this way). */
  static forRoot(destination?: DestinationStream): DynamicModule {
    return {
      module: ObservabilityModule,
      controllers: [MetricsController],
      providers: [
        { provide: LOG_DESTINATION, useValue: destination },
        {
          provide: PINO_LOGGER,
          inject: [AppConfig, LOG_DESTINATION],
          useFactory: (config: AppConfig, dest: DestinationStream | undefined) =>
            createPinoLogger(config, dest),
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
    };
  }
}
