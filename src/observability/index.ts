// Public surface of the observability module (logs, metrics). The request context it fills lives in
// src/common/http/request-context.ts, so that the modules noting a client id do not depend on this one.
export { ObservabilityModule } from './observability.module.js';
export {
  OBSERVABILITY_DEFAULTS,
  type ObservabilityModuleExtras,
  type ObservabilityModuleOptions,
} from './observability.options.js';
export { PinoNestLogger, PINO_LOGGER, createPinoLogger, pinoLevel } from './app-logger.js';
export { RequestObserver } from './request-observer.js';
export { MetricsService, UNKNOWN_ROUTE } from './metrics.service.js';
