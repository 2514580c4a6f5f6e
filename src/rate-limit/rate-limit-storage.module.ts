import { Module } from '@nestjs/common';
import { ClockModule } from '../common/time/clock.module.js';
import { RateLimitService } from './rate-limit.service.js';

/** The database counters alone, so that `ThrottlerModule.forRootAsync` can inject them as its storage. */
@Module({
  imports: [ClockModule],
  providers: [RateLimitService],
  exports: [RateLimitService],
})
export class RateLimitStorageModule {}
