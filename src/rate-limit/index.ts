// Public surface of RateLimitModule.
export { RateLimitModule } from './rate-limit.module.js';
export { RateLimitService, type RateLimitResult } from './rate-limit.service.js';
export { RateLimit } from './rate-limit.decorator.js';
export { clientIpTracker, provideRateLimit, type RateLimitPolicy } from './rate-limit.policy.js';
import { RateLimitCounterEntity } from './entities/rate-limit-counter.entity.js';
/** The entities of RateLimitModule, for a host's TypeORM connection and `ormconfig.ts`. */
export const RATE_LIMIT_ENTITIES = [RateLimitCounterEntity];
