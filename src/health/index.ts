// Public surface of HealthModule.
export { HealthModule } from './health.module.js';
