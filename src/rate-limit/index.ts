// Public surface of RateLimitModule.
export { RateLimitModule } from './rate-limit.module.js';
export { RateLimitService, type RateLimitResult } from './rate-limit.service.js';
