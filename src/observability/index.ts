// Public surface of the observability module (logs, request ids, metrics).
export { ObservabilityModule } from './observability.module.js';
export { PinoNestLogger, PINO_LOGGER, createPinoLogger, pinoLevel } from './app-logger.js';
export { RequestObserver } from './request-observer.js';
export { MetricsService, UNKNOWN_ROUTE } from './metrics.service.js';
export { noteClientId, requestContextOf, type RequestContext } from './request-context.js';
